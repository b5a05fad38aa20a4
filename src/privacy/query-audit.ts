// The auditor's view of the audit log: by person, staff member, operation and time, newest
// first, in pages. Looking at the log is itself audited, under the purpose `audit`, so that
// watching the watchers leaves a trace too.
import { z } from 'zod';
import { regionsFor } from '../shared/access';
import type { AppContext, Caller } from '../shared/context';
import { DomainError } from '../shared/errors';
import { pageSizeDefault } from '../shared/limits';
import { pageLimit } from '../shared/schemas';
import { appendAudit } from './append-audit';
import { auditEntryFromRow } from './audit-entry';
import type { AuditLogTable } from './tables';
import { subjectsOf } from './subjects';

const instant = z
  .string()
  .max(40)
  .refine(
    (s) => /^\d{4}-\d{2}-\d{2}/.test(s) && !Number.isNaN(Date.parse(s)),
    'must be an ISO 8601 date or date-time',
  );

/** Filters an auditor may combine; `from` is inclusive, `to` exclusive. */
export const auditQueryInput = z
  .object({
    personId: z.string().min(1).max(64).optional(),
    actorId: z.string().min(1).max(128).optional(),
    /** A staff member by username (resolved to their id; an unknown username matches nothing). */
    staff: z.string().min(1).max(128).optional(),
    operation: z.string().min(1).max(64).optional(),
    from: instant.optional(),
    to: instant.optional(),
    limit: pageLimit,
    after: z.string().max(200).optional(),
  })
  .strict();

/** What an auditor may ask for. */
export type AuditQuery = z.output<typeof auditQueryInput>;

/** One audit entry as an auditor sees it. */
export interface AuditRecord {
  id: string;
  at: string;
  /** Place in the hash chain; null until the sealer has chained it. */
  chainIndex: number | null;
  actorId: string | null;
  /** The staff member's username, when the actor is a staff member. */
  actorUsername: string | null;
  actorRole: string | null;
  operation: string;
  purpose: string | null;
  subjectIds: string[];
  details: Record<string, unknown>;
  origin: string | null;
}

/** One page of entries, and the cursor of the next. */
export interface AuditPage<T> {
  items: T[];
  next: string | null;
}

/** Encodes a (time, id) position as an opaque page cursor. */
export function encodeAuditCursor(at: string, id: string): string {
  return Buffer.from(JSON.stringify([at, id]), 'utf8').toString('base64url');
}

/** Decodes a cursor made by `encodeAuditCursor`; refuses anything else. */
export function decodeAuditCursor(cursor: string): { at: string; id: string } {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === 'string')) {
      return { at: value[0] as string, id: value[1] as string };
    }
  } catch {
    // fall through to the refusal
  }
  throw new DomainError('VALIDATION_FAILED', 'after: not a cursor from a previous page', 'after');
}

// The entry as the sealer hashed it, and its place in the chain (the hash stays inside).
function presentRecord(row: AuditLogTable, usernames: ReadonlyMap<string, string>): AuditRecord {
  const entry = auditEntryFromRow(row);
  return {
    ...entry,
    actorUsername: entry.actorId === null ? null : (usernames.get(entry.actorId) ?? null),
    chainIndex: row.chain_index,
  };
}

// A regional auditor sees the log only through persons of their regions: entries about
// staff or about several regions at once would otherwise leak across the boundary.
async function checkScope(
  app: AppContext,
  caller: Caller,
  personId: string | undefined,
): Promise<void> {
  const regions = regionsFor(caller.actor, 'audit:read');
  if (regions === '*') return;
  if (regions.length === 0)
    throw new DomainError('FORBIDDEN', 'This action needs the permission audit:read.');
  if (personId === undefined) {
    throw new DomainError(
      'FORBIDDEN',
      'An auditor of some regions must name a person (personId) of those regions.',
      'personId',
    );
  }
  await subjectsOf(app).requireInRegion(app.db.kysely, caller, personId, 'audit:read');
}

/** Lists audit entries matching the filters, newest first; needs audit:read; audited. */
export async function queryAudit(
  app: AppContext,
  caller: Caller,
  query: AuditQuery,
): Promise<AuditPage<AuditRecord>> {
  const input = query;
  await checkScope(app, caller, input.personId);
  const limit = input.limit ?? pageSizeDefault;
  return app.db.transaction(async (trx) => {
    let q = trx
      .selectFrom('audit_log')
      .selectAll()
      .orderBy('at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit + 1);
    if (input.personId !== undefined) {
      const personId = input.personId;
      q = q.where('id', 'in', (s) =>
        s.selectFrom('audit_subjects').select('audit_id').where('person_id', '=', personId),
      );
    }
    if (input.actorId !== undefined) q = q.where('actor_id', '=', input.actorId);
    if (input.staff !== undefined) {
      const username = input.staff;
      q = q.where('actor_id', 'in', (s) =>
        s.selectFrom('staff').select('id').where('username', '=', username),
      );
    }
    if (input.operation !== undefined) q = q.where('operation', '=', input.operation);
    if (input.from !== undefined) q = q.where('at', '>=', new Date(input.from).toISOString());
    if (input.to !== undefined) q = q.where('at', '<', new Date(input.to).toISOString());
    if (input.after !== undefined) {
      const c = decodeAuditCursor(input.after);
      q = q.where((eb) =>
        eb.or([eb('at', '<', c.at), eb.and([eb('at', '=', c.at), eb('id', '<', c.id)])]),
      );
    }
    const rows = await q.execute();
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    const actorIds = [...new Set(page.map((r) => r.actor_id).filter((a): a is string => !!a))];
    const staff =
      actorIds.length === 0
        ? []
        : await trx
            .selectFrom('staff')
            .select(['id', 'username'])
            .where('id', 'in', actorIds)
            .execute();
    const usernames = new Map(staff.map((s) => [s.id, s.username]));
    const criteria = (['personId', 'actorId', 'staff', 'operation', 'from', 'to'] as const).filter(
      (k) => input[k] !== undefined,
    );
    await appendAudit(
      trx,
      app,
      { ...caller, purpose: 'audit' },
      {
        operation: 'audit.query',
        permission: 'audit:read',
        subjectIds: input.personId !== undefined ? [input.personId] : [],
        details: {
          criteria,
          ...(input.operation !== undefined ? { operation: input.operation } : {}),
          returned: page.length,
        },
      },
    );
    return {
      items: page.map((row) => presentRecord(row, usernames)),
      next: rows.length > limit && last ? encodeAuditCursor(last.at, last.id) : null,
    };
  });
}
