import { requirePermission } from '../shared/access';
import { appendAudit } from '../privacy';
import { loadPersonInRegion, requirePurpose } from '../registry';
import type { AppContext, Caller } from '../shared/context';
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
    await loadPersonInRegion(trx, caller, personId, 'card:issue');
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
