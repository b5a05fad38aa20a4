import { z } from 'zod';
import type { Queryable } from '../db';
import { requestApproval, type Approval } from '../privacy';
import { approvalExecutor, type AppContext, type Caller } from '../shared/context';
import { DomainError } from '../shared/errors';
import type { ReasonBody } from '../shared/schemas';
import { applyPersonChange } from './change-person';
import { announceLifeEvent } from './life-events';
import { loadPersonInRegion } from './read-person';

/**
 * Asks to deactivate a person (enrolled in error, fraudulent record). Four-eyes: nothing
 * changes until a different staff member approves; even then the record is kept, inactive.
 */
export async function requestDeactivation(
  app: AppContext,
  caller: Caller,
  personId: string,
  { reason }: ReasonBody,
): Promise<Approval> {
  const row = await loadPersonInRegion(app.db.kysely, caller, personId, 'person:deactivate');
  if (row.status !== 'active')
    throw new DomainError('INVALID_STATE', `The person is ${row.status}.`);
  return requestApproval(app, caller, {
    operation: 'person.deactivate',
    payload: { personId, reason },
    reason,
    regionCode: row.region_code,
    subjectIds: [personId],
  });
}

async function deactivate(
  trx: Queryable,
  app: AppContext,
  decider: Caller,
  personId: string,
  reason: string,
): Promise<void> {
  const current = await trx
    .selectFrom('persons')
    .selectAll()
    .where('id', '=', personId)
    .executeTakeFirst();
  if (!current) throw new DomainError('NOT_FOUND', 'Person not found.', 'id');
  if (current.status !== 'active')
    throw new DomainError('INVALID_STATE', `The person is ${current.status}.`);
  await applyPersonChange(
    trx,
    app,
    decider,
    current,
    { status: 'inactive' },
    reason,
    'person.deactivate',
  );
  await announceLifeEvent(trx, app, decider, {
    kind: 'deactivation',
    personId,
    occurredOn: app.now().toISOString().slice(0, 10),
  });
}

/** Registers what an approved deactivation does. */
export function registerRegistryApprovals(app: AppContext): void {
  app.approvalExecutors['person.deactivate'] = approvalExecutor(
    z.object({ personId: z.string(), reason: z.string() }),
    async (trx, a, request, decider) => {
      const p = request.payload;
      await deactivate(trx, a, decider, p.personId, p.reason);
      return { deactivated: p.personId };
    },
  );
}
