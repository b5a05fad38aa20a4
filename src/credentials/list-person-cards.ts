import { requirePermission, requireRegion } from '../auth/actor';
import { appendAudit } from '../privacy/append-audit';
import { requirePurpose } from '../registry/read-person';
import type { AppContext, Caller } from '../shared/context';
import { DomainError } from '../shared/errors';
import { presentCard } from './store';
import type { CardSummary } from './store';

/** A person's cards, newest first: a read about the person, so with a purpose and audited. */
export async function listPersonCards(
  app: AppContext,
  caller: Caller,
  personId: string,
): Promise<CardSummary[]> {
  requirePermission(caller.actor, 'card:issue');
  requirePurpose(caller);
  return app.db.transaction(async (trx) => {
    const person = await trx
      .selectFrom('persons')
      .select(['id', 'region_code'])
      .where('id', '=', personId)
      .executeTakeFirst();
    if (!person) throw new DomainError('NOT_FOUND', 'Person not found.', 'personId');
    requireRegion(caller.actor, 'card:issue', person.region_code, 'Person');
    const rows = await trx
      .selectFrom('cards')
      .selectAll()
      .where('person_id', '=', personId)
      .orderBy('serial', 'desc')
      .execute();
    await appendAudit(trx, app, caller, {
      operation: 'card.list',
      permission: 'card:issue',
      subjectIds: [personId],
      details: { returned: rows.length },
    });
    return rows.map((row) => presentCard(row, app.now()));
  });
}
