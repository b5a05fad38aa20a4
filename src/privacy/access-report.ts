// A person's access report (principle 3): every read and change of their record — when, what
// in plain words, why (the declared purpose and its description), under which role, and from
// which office, point or address. Built for the cardholder portal: it never names staff or
// shows their ids. Each staff member appears under a stable pseudonym, so a person can see
// that the same official looked at them five times without learning who it was; an auditor
// who holds the data key can link a pseudonym back when a complaint needs it.
import { createHmac } from 'node:crypto';
import { z } from 'zod';
import { regionsFor, requirePermission } from '../shared/access';
import type { Queryable } from '../db';
import { staleReads, type AppContext, type Caller } from '../shared/context';
import { DomainError } from '../shared/errors';
import { pageSizeDefault, pageSizeMax } from '../shared/limits';
import { pageLimit } from '../shared/schemas';
import type { AuditOperationDescription, AuditOperationKind } from '../shared/audit-operations';
import { appendAudit } from './append-audit';
import { readAuditDetails } from './audit-entry';
import { subjectsOf } from './subjects';
import { describePurpose, isPurpose } from '../shared/purposes';
import { decodeAuditCursor, encodeAuditCursor, type AuditPage } from './query-audit';

/** Whether an entry read the record, changed it, or did something else to it. */
export type AccessKind = AuditOperationKind;

/** The audit operations by name, in plain words (AppContext.auditOperations). */
export type OperationWords = Readonly<Record<string, AuditOperationDescription>>;

/** One access to the person's record, as the person sees it. */
export interface AccessReportEntry {
  at: string;
  kind: AccessKind;
  operation: string;
  /** What happened, in English and in Spanish. */
  description: string;
  descriptionEs: string;
  purpose: { code: string; description: string | null } | null;
  role: string | null;
  origin: string | null;
  /** `staff-` and 10 hex digits, stable per staff member; `system` for the system itself. */
  staff: string;
  /** Which fields a change touched (names only, never values). */
  fields: string[];
}

/** Paging options. */
export const accessReportPageInput = z
  .object({
    limit: pageLimit,
    after: z.string().max(200).optional(),
  })
  .strict();

/** A page request of an access report, validated. */
export type AccessReportPage = z.output<typeof accessReportPageInput>;

/** Stable pseudonym of an actor: HMAC-SHA256 under the data key, never the raw id. */
export function staffPseudonym(dataKey: Buffer, actorId: string | null): string {
  if (actorId === null || actorId.startsWith('system:')) return 'system';
  const mac = createHmac('sha256', dataKey)
    .update(`tessera.access-report.staff.v1\u0000${actorId}`)
    .digest('hex');
  return `staff-${mac.slice(0, 10)}`;
}

function describeOperation(
  words: OperationWords,
  operation: string,
): { kind: AccessKind; description: string; descriptionEs: string } {
  const known = words[operation];
  // Every operation the code can write is described (a compile-time check in src/modules.ts);
  // an unknown name can only come from an older release or a direct edit of the log.
  if (!known)
    return {
      kind: 'other',
      description: `An action no longer described (${operation}).`,
      descriptionEs: `Una acción que ya no tiene descripción (${operation}).`,
    };
  return { kind: known.kind, description: known.en, descriptionEs: known.es };
}

// A damaged row still shows as an access (when, why, under which role), only without its
// fields: refusing the whole report over one row would hide every other access from the person.
function changedFields(details: string): string[] {
  const reading = readAuditDetails(details);
  if (!reading.ok) return [];
  const fields = reading.value.fields;
  return Array.isArray(fields) ? fields.filter((f): f is string => typeof f === 'string') : [];
}

/** The audit columns an access report shows (through the joined `audit_log as a`). */
const entryColumns = [
  'a.id',
  'a.at',
  'a.operation',
  'a.purpose',
  'a.actor_role',
  'a.actor_id',
  'a.origin',
  'a.details',
] as const;

/**
 * Reads one page of a person's accesses, newest first, with no policy: the store behind the
 * staff route and, later, the cardholder portal (each applies its own check first).
 */
export async function readAccessReport(
  db: Queryable,
  dataKey: Buffer,
  words: OperationWords,
  personId: string,
  page: { limit?: number | undefined; after?: string | undefined } = {},
): Promise<AuditPage<AccessReportEntry>> {
  const limit = Math.min(Math.max(1, page.limit ?? pageSizeDefault), pageSizeMax);
  let q = db
    .selectFrom('audit_subjects as s')
    .innerJoin('audit_log as a', 'a.id', 's.audit_id')
    .select(entryColumns)
    .where('s.person_id', '=', personId)
    .orderBy('s.at', 'desc')
    .orderBy('a.id', 'desc')
    .limit(limit + 1);
  if (page.after !== undefined) {
    const c = decodeAuditCursor(page.after);
    q = q.where((eb) =>
      eb.or([eb('s.at', '<', c.at), eb.and([eb('s.at', '=', c.at), eb('a.id', '<', c.id)])]),
    );
  }
  const rows = await q.execute();
  const last = rows.length > limit ? rows[limit - 1] : undefined;
  const upper = page.after === undefined ? undefined : decodeAuditCursor(page.after).at;
  const covering = await wholeRegistryEntries(db, words, personId, upper, last?.at);
  const shown = [...rows.slice(0, limit), ...covering].sort((a, b) =>
    a.at === b.at ? (a.id < b.id ? 1 : -1) : a.at < b.at ? 1 : -1,
  );
  const items = shown.map((row): AccessReportEntry => {
    const { kind, description, descriptionEs } = describeOperation(words, row.operation);
    return {
      at: row.at,
      kind,
      operation: row.operation,
      description,
      descriptionEs,
      purpose:
        row.purpose === null
          ? null
          : {
              code: row.purpose,
              description: isPurpose(row.purpose) ? describePurpose(row.purpose) : null,
            },
      role: row.actor_role,
      origin: row.origin,
      staff: staffPseudonym(dataKey, row.actor_id),
      fields: kind === 'change' ? changedFields(row.details) : [],
    };
  });
  if (!last) items.push(...(await bulkCreation(db, dataKey, words, personId)));
  return { items, next: last ? encodeAuditCursor(last.at, last.id) : null };
}

/**
 * Entries of operations that concern every person on record (`coversEveryone`: a whole-registry
 * export), written after this person's record was created, within this page's time range
 * (at most `upTo`, after `after`). They have no index row per person — a national export would
 * otherwise write one per resident — so the report finds them by time.
 */
async function wholeRegistryEntries(
  db: Queryable,
  words: OperationWords,
  personId: string,
  upTo: string | undefined,
  after: string | undefined,
) {
  const operations = Object.keys(words).filter((op) => words[op]?.coversEveryone === true);
  if (operations.length === 0) return [];
  const person = await db
    .selectFrom('persons')
    .select('created_at')
    .where('id', '=', personId)
    .executeTakeFirst();
  if (!person) return [];
  let q = db
    .selectFrom('audit_log as a')
    .select(entryColumns)
    .where('a.operation', 'in', operations)
    .where('a.at', '>=', person.created_at);
  if (upTo !== undefined) q = q.where('a.at', '<=', upTo);
  if (after !== undefined) q = q.where('a.at', '>', after);
  return q.execute();
}

/**
 * Bulk creation (import, demo load) audits one entry per batch listing every id, without a
 * per-person index row (see appendAudit's indexSubjects). On the report's last page the
 * creation is therefore shown from the person's own record, so that it is never missing.
 */
async function bulkCreation(
  db: Queryable,
  dataKey: Buffer,
  words: OperationWords,
  personId: string,
): Promise<AccessReportEntry[]> {
  const indexed = await db
    .selectFrom('audit_subjects as s')
    .innerJoin('audit_log as a', 'a.id', 's.audit_id')
    .select('a.id')
    .where('s.person_id', '=', personId)
    .where('a.operation', 'in', ['person.enrol', 'person.birth'])
    .limit(1)
    .execute();
  if (indexed.length > 0) return [];
  const person = await db
    .selectFrom('persons')
    .select(['created_at', 'created_by'])
    .where('id', '=', personId)
    .executeTakeFirst();
  if (!person) return [];
  return [
    {
      at: person.created_at,
      operation: 'person.import',
      ...describeOperation(words, 'person.import'),
      purpose: null,
      role: null,
      origin: null,
      staff: staffPseudonym(dataKey, person.created_by),
      fields: [],
    },
  ];
}

/**
 * A person's access report for staff: needs access-report:read in the person's region and a
 * declared purpose; the report is itself audited, and shows up in the next one.
 */
export async function accessReport(
  app: AppContext,
  caller: Caller,
  personId: string,
  page: AccessReportPage = {},
): Promise<AuditPage<AccessReportEntry> & { personId: string }> {
  requirePermission(caller.actor, 'access-report:read');
  const input = page;
  if (!caller.purpose) {
    throw new DomainError(
      'PURPOSE_REQUIRED',
      'Reading a person’s access report needs a declared purpose (header X-Purpose), such as grievance or audit.',
      'purpose',
    );
  }
  return app.db.transaction(async (trx) => {
    await subjectsOf(app).requireInRegion(trx, caller, personId, 'access-report:read');
    // The report may be a moment old (from the read replica when one is configured); the
    // region check above and the audit entry below are on the primary.
    const report = await readAccessReport(
      staleReads(app, trx),
      app.config.dataKey,
      app.auditOperations,
      personId,
      input,
    );
    await appendAudit(trx, app, caller, {
      operation: 'person.access_report',
      permission: 'access-report:read',
      subjectIds: [personId],
      details: { returned: report.items.length },
    });
    return { personId, ...report };
  });
}

/** A registry number as typed: 12 digits, spaces, dashes and dots ignored. */
export const registryNumberInput = z
  .string()
  .max(40)
  .transform((text) => text.replace(/[\s.-]/g, ''))
  .refine((digits) => /^\d{12}$/.test(digits), 'must be a registry number of 12 digits')
  .transform((d) => `${d.slice(0, 4)}-${d.slice(4, 8)}-${d.slice(8, 12)}`);

/** An access-report entry for staff handling a grievance: the official named by username. */
export type StaffAccessReportEntry = AccessReportEntry & { staffUsername: string | null };

/**
 * A person's access report found by registry number, for a grievance or an audit: the same
 * permission, region and purpose rules as `accessReport`, and only the report (never the
 * record). The number is resolved inside the transaction; a person outside the caller's
 * regions is reported as not found. Each official is named by username, since staff handling
 * a complaint need to know who to ask; the number looked up is not kept in the log.
 */
export async function accessReportByNumber(
  app: AppContext,
  caller: Caller,
  registryNumber: string,
  page: AccessReportPage = {},
): Promise<AuditPage<StaffAccessReportEntry> & { registryNumber: string }> {
  requirePermission(caller.actor, 'access-report:read');
  if (!caller.purpose) {
    throw new DomainError(
      'PURPOSE_REQUIRED',
      'Reading a person’s access report needs a declared purpose (header X-Purpose), such as grievance or audit.',
      'purpose',
    );
  }
  const parsed = registryNumberInput.safeParse(registryNumber);
  if (!parsed.success)
    throw new DomainError(
      'VALIDATION_FAILED',
      'registryNumber: must be a registry number of 12 digits (e.g. 4821-0937-5512)',
      'registryNumber',
    );
  return app.db.transaction(async (trx) => {
    const person = await trx
      .selectFrom('persons')
      .select('id')
      .where('registry_number', '=', parsed.data)
      .executeTakeFirst();
    if (!person)
      throw new DomainError('NOT_FOUND', 'No person has this registry number.', 'registryNumber');
    await subjectsOf(app).requireInRegion(trx, caller, person.id, 'access-report:read');
    // The report may be a moment old (from the read replica when one is configured); the
    // region check above and the audit entry below are on the primary.
    const report = await readAccessReport(
      staleReads(app, trx),
      app.config.dataKey,
      app.auditOperations,
      person.id,
      page,
    );
    // The pseudonyms back to usernames, for auditors only: a registrar handling a grievance
    // sees who read the record as the person does (pseudonyms), so that the report cannot be
    // used to single out a colleague. Every staff member is a candidate, and there are few.
    const auditRegions = regionsFor(caller.actor, 'audit:read');
    const namesStaff = auditRegions === '*' || auditRegions.length > 0;
    const staff = namesStaff
      ? await trx.selectFrom('staff').select(['id', 'username']).execute()
      : [];
    const byPseudonym = new Map(
      staff.map((s) => [staffPseudonym(app.config.dataKey, s.id), s.username]),
    );
    await appendAudit(trx, app, caller, {
      operation: 'person.access_report',
      permission: 'access-report:read',
      subjectIds: [person.id],
      details: { returned: report.items.length, by: 'registryNumber' },
    });
    return {
      registryNumber: parsed.data,
      items: report.items.map((item) => ({
        ...item,
        staffUsername: byPseudonym.get(item.staff) ?? null,
      })),
      next: report.next,
    };
  });
}
