import { preparedQuery, type Queryable } from '../db';
import type { AppContext, Caller } from '../shared/context';
import { roleFor, type Permission } from '../shared/access';
import type { AuditOperation } from '../shared/audit-operations';
import { meterRead } from './read-volume';

/** What happened, to whom: one audit entry. Never put personal data values in details. */
export interface AuditEvent {
  /** One of the declared operations (each domain's audit-operations.ts). */
  operation: AuditOperation;
  /** The permission used, to record the acting role. */
  permission?: Permission;
  subjectIds?: readonly string[];
  details?: Record<string, unknown>;
  /**
   * Index each subject for the person's access report (default). Bulk creation (import, demo)
   * turns it off: the entry still lists every id, and the access report shows the creation
   * from the person's own record (created_at, created_by), so a million-row import does not
   * write a million index rows.
   */
  indexSubjects?: boolean;
}

// Every act appends one entry: the insert is prepared once (see db/prepared-query.ts).
const insertEntry = preparedQuery(
  9,
  (
    db,
    id: string,
    at: string,
    actorId: string,
    actorRole: string | null,
    operation: string,
    purpose: string | null,
    subjectIds: string,
    details: string,
    origin: string | null,
  ) =>
    db.insertInto('audit_log').values({
      id,
      at,
      actor_id: actorId,
      actor_role: actorRole,
      operation,
      purpose,
      subject_ids: subjectIds,
      details,
      origin,
      chain_index: null,
      hash: null,
      chain_format: null,
    }),
);

/**
 * Appends an audit entry inside the caller's transaction, so that the entry exists if and only
 * if the write or read it describes happened. The hash chain is computed later by the sealer,
 * which keeps appends cheap: no row that every writer must lock.
 */
export async function appendAudit(
  trx: Queryable,
  app: AppContext,
  caller: Caller,
  event: AuditEvent,
): Promise<string> {
  const id = app.newId();
  const at = app.now().toISOString();
  const subjects = [...new Set(event.subjectIds ?? [])];
  const description = app.auditOperations[event.operation];
  if (description.kind === 'read' && description.metered !== false) {
    await meterRead(trx, app, caller, subjects.length, (details) =>
      appendAudit(trx, app, caller, { operation: 'privacy.volume_limit', details }),
    );
  }
  await insertEntry(
    trx,
    id,
    at,
    caller.actor.id,
    event.permission ? roleFor(caller.actor, event.permission) : null,
    event.operation,
    caller.purpose ?? null,
    JSON.stringify(subjects),
    JSON.stringify(event.details ?? {}),
    caller.origin ?? null,
  );
  if (subjects.length > 0 && event.indexSubjects !== false) {
    await app.db.insertMany(
      trx,
      'audit_subjects',
      subjects.map((person_id) => ({ audit_id: id, person_id, at })),
    );
  }
  return id;
}
