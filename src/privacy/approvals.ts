// Four-eyes approval (principles 5 and 6): exporting rows of personal data, deactivating or
// merging a person, granting a role, disabling an administrator and rotating a signing key
// create a request; nothing happens until a *different* staff member with the right role
// approves it, before it expires. Request and decision are audited.
import { z } from 'zod';
import { humanOf, requirePermission, roleFor } from '../shared/access';
import type { AppContext, ApprovalExecutor, Caller } from '../shared/context';
import { DomainError, invariant } from '../shared/errors';
import { textCharsMax } from '../shared/limits';
import { reason } from '../shared/schemas';
import { appendAudit } from './append-audit';

/** How long a request waits for a decision. */
export const approvalTtlMs = 72 * 60 * 60 * 1000;

/** Operations that need a second approver. */
export const fourEyesOperations = [
  'registry.export',
  'person.deactivate',
  'person.merge',
  'person.unmerge',
  'staff.grant_role',
  'staff.disable_admin',
  'staff.revoke_admin',
  'keys.rotate',
] as const;
/** A four-eyes operation. */
export type FourEyesOperation = (typeof fourEyesOperations)[number];

/** A request as shown to staff. */
export interface Approval {
  id: string;
  operation: string;
  payload: Record<string, unknown>;
  regionCode: string | null;
  requestedBy: string;
  requestedAt: string;
  reason: string;
  expiresAt: string;
  status: string;
  decidedBy: string | null;
  decidedAt: string | null;
  decisionReason: string | null;
  result: Record<string, unknown> | null;
}

// What every stored payload and result is; each operation's executor refines its payload.
const storedObject = z.record(z.string(), z.unknown());

// Stored JSON that this module wrote: if it is not an object, the row was damaged (a bug or
// an edit in the database), so the error names the request and stops the operation.
function readStored(
  id: string,
  column: 'payload' | 'result',
  text: string,
): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  const parsed = storedObject.safeParse(value);
  if (!parsed.success)
    throw new Error(`invariant violated: approval ${id} has a ${column} that is not a JSON object`);
  return parsed.data;
}

// The payload as the operation's executor declares it. A payload that no longer fits (filed
// before the operation changed, or edited in the database) is refused rather than run; the
// request stays pending, so it can still be rejected.
function executorPayload(
  executor: ApprovalExecutor,
  row: { id: string; operation: string; payload: string },
): unknown {
  const parsed = executor.payload.safeParse(readStored(row.id, 'payload', row.payload));
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const field = ['payload', ...issue.path.map(String)].join('.');
  throw new DomainError(
    'INVALID_STATE',
    `Approval request ${row.id} cannot be carried out: its ${field} does not fit ${row.operation} (${issue.message}). Reject it and file a new one.`,
    field,
    { approvalId: row.id },
  );
}

function present(row: {
  id: string;
  operation: string;
  payload: string;
  region_code: string | null;
  requested_by: string;
  requested_at: string;
  request_reason: string;
  expires_at: string;
  status: string;
  decided_by: string | null;
  decided_at: string | null;
  decision_reason: string | null;
  result: string | null;
}): Approval {
  return {
    id: row.id,
    operation: row.operation,
    payload: readStored(row.id, 'payload', row.payload),
    regionCode: row.region_code,
    requestedBy: row.requested_by,
    requestedAt: row.requested_at,
    reason: row.request_reason,
    expiresAt: row.expires_at,
    status: row.status,
    decidedBy: row.decided_by,
    decidedAt: row.decided_at,
    decisionReason: row.decision_reason,
    result: row.result === null ? null : readStored(row.id, 'result', row.result),
  };
}

/** Files a four-eyes request; the caller must already hold the permission to ask for it. */
export async function requestApproval(
  app: AppContext,
  caller: Caller,
  request: {
    operation: FourEyesOperation;
    payload: Record<string, unknown>;
    reason: string;
    regionCode?: string | null;
    subjectIds?: string[];
  },
): Promise<Approval> {
  const executor = app.approvalExecutors[request.operation];
  if (!executor) throw new Error(`invariant violated: no executor for ${request.operation}`);
  // Checked before the write: the requesting operation built the payload, so a misfit is a bug.
  invariant(
    executor.payload.safeParse(request.payload).success,
    `the payload of ${request.operation} does not fit its executor's schema`,
  );
  if (request.reason.trim().length < 3)
    throw new DomainError('VALIDATION_FAILED', 'reason: say why this is needed', 'reason');
  return app.db.transaction(async (trx) => {
    const now = app.now();
    const row = {
      id: app.newId(),
      operation: request.operation,
      payload: JSON.stringify(request.payload),
      region_code: request.regionCode ?? null,
      // The person, not the credential: see humanOf.
      requested_by: humanOf(caller.actor),
      requested_at: now.toISOString(),
      request_reason: request.reason.slice(0, textCharsMax),
      expires_at: new Date(now.getTime() + approvalTtlMs).toISOString(),
      status: 'pending' as const,
      decided_by: null,
      decided_at: null,
      decision_reason: null,
      result: null,
    };
    await trx.insertInto('approvals').values(row).execute();
    await appendAudit(trx, app, caller, {
      operation: 'approval.request',
      subjectIds: request.subjectIds ?? [],
      details: { approvalId: row.id, operation: request.operation },
    });
    return present(row);
  });
}

/** A decision on a request. */
export const decisionInput = z.object({ approve: z.boolean(), reason }).strict();
/** A decision on a request, validated. */
export type DecisionInput = z.output<typeof decisionInput>;

/**
 * Approves or rejects a request. The decider must differ from the requester and hold
 * approval:decide; on approval the operation runs in the same transaction as the decision.
 */
export async function decideApproval(
  app: AppContext,
  caller: Caller,
  id: string,
  input: DecisionInput,
): Promise<Approval> {
  requirePermission(caller.actor, 'approval:decide');
  const now = app.now().toISOString();
  // An expired request is marked so, and audited, in a transaction of its own: the refusal
  // that follows must not roll that back.
  const expired = await app.db.transaction(async (trx) => {
    const marked = await trx
      .updateTable('approvals')
      .set({ status: 'expired' })
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .where('expires_at', '<=', now)
      .executeTakeFirst();
    if (Number(marked.numUpdatedRows) === 0) return false;
    await appendAudit(trx, app, caller, {
      operation: 'approval.expired',
      details: { approvalId: id },
    });
    return true;
  });
  if (expired) throw new DomainError('INVALID_STATE', 'The request has expired; file a new one.');
  return app.db.transaction(async (trx) => {
    const row = await trx
      .selectFrom('approvals')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) throw new DomainError('NOT_FOUND', 'Approval request not found.', 'id');
    if (row.status !== 'pending')
      throw new DomainError('INVALID_STATE', `The request is already ${row.status}.`);
    // Requests filed before requesters were recorded as persons name a token: who owned it
    // is not this domain's to look up, so such a request cannot be approved (file it again).
    if (row.requested_by.startsWith('token:'))
      throw new DomainError(
        'INVALID_STATE',
        'This request was filed with an API token under an older release; file it again.',
      );
    if (row.requested_by === humanOf(caller.actor)) {
      throw new DomainError(
        'FORBIDDEN',
        'A request must be approved by someone other than the person who made it.',
      );
    }
    let result: unknown = null;
    const status: 'approved' | 'rejected' = input.approve ? 'approved' : 'rejected';
    if (input.approve) {
      const executor = app.approvalExecutors[row.operation];
      if (!executor) throw new Error(`invariant violated: no executor for ${row.operation}`);
      const payload = executorPayload(executor, row);
      result = await executor.run(
        trx,
        app,
        { id: row.id, payload, requestedBy: row.requested_by },
        caller,
      );
    }
    const updated = await trx
      .updateTable('approvals')
      .set({
        status,
        decided_by: caller.actor.id,
        decided_at: now,
        decision_reason: input.reason,
        result: result === null ? null : JSON.stringify(result),
      })
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) !== 1)
      throw new DomainError('CONFLICT', 'Someone decided this request meanwhile.');
    await appendAudit(trx, app, caller, {
      operation: `approval.${status}`,
      permission: 'approval:decide',
      details: {
        approvalId: id,
        operation: row.operation,
        role: roleFor(caller.actor, 'approval:decide'),
      },
    });
    return present({
      ...row,
      status,
      decided_by: caller.actor.id,
      decided_at: now,
      decision_reason: input.reason,
      result: result === null ? null : JSON.stringify(result),
    });
  });
}

/** Lists requests, newest first, optionally by status. */
export async function listApprovals(
  app: AppContext,
  caller: Caller,
  status?: string,
): Promise<Approval[]> {
  requirePermission(caller.actor, 'approval:read');
  let q = app.db.kysely
    .selectFrom('approvals')
    .selectAll()
    .orderBy('requested_at', 'desc')
    .limit(200);
  if (status) q = q.where('status', '=', status as never);
  return (await q.execute()).map(present);
}

/** Reads one request: its requester, or anyone who may read approvals. */
export async function getApproval(app: AppContext, caller: Caller, id: string): Promise<Approval> {
  const row = await app.db.kysely
    .selectFrom('approvals')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) throw new DomainError('NOT_FOUND', 'Approval request not found.', 'id');
  if (row.requested_by !== humanOf(caller.actor)) requirePermission(caller.actor, 'approval:read');
  return present(row);
}
