// A programme's own wording of one of its service events (entitlement ready, receipt, payment
// received or failed), in Spanish and English. Only those events exist: the event is chosen
// from a closed list, so a wording for anything else — an announcement, a political message —
// cannot be made. Each text may use only its event's values. Every change is a new version,
// pending until a second person (never its author, however they signed in) approves it; the
// approved version replaces the one before it, which is kept as superseded.
import { z } from 'zod';
import type { Queryable } from '../db';
import { appendAudit } from '../privacy';
import { humanOf, regionsFor, requirePermission } from '../shared/access';
import type { AppContext, Caller } from '../shared/context';
import { DomainError } from '../shared/errors';
import { id, reason } from '../shared/schemas';
import { countSegments, type SegmentCount } from './segments';
import { noticeEvents, placeholdersOf, type NoticeEvent } from './templates';

/** The events a programme may word (the rest are the system's alone). */
export const programmeEvents = (Object.keys(noticeEvents) as NoticeEvent[]).filter(
  (e) => noticeEvents[e].programmeOwned,
);

/** The longest wording: four GSM parts. */
export const wordingCharsMax = 612;

const wordingText = z.string().trim().min(1).max(wordingCharsMax);

/** A new wording. */
export const programmeTemplateInput = z
  .object({
    programmeId: id,
    event: z.enum(programmeEvents as [NoticeEvent, ...NoticeEvent[]]),
    es: wordingText,
    en: wordingText,
    reason,
  })
  .strict();

/** A decision on a wording. */
export const programmeTemplateDecision = z.object({ approve: z.boolean(), reason }).strict();

/** Listing wordings. */
export const programmeTemplatesQuery = z
  .object({ programmeId: id.optional(), status: z.enum(['pending', 'approved']).optional() })
  .strict();

/** A wording as shown to staff, with what each language costs in SMS parts. */
export interface ProgrammeTemplate {
  id: string;
  programmeId: string;
  event: string;
  version: number;
  es: string;
  en: string;
  status: string;
  createdBy: string;
  createdAt: string;
  reason: string;
  decidedBy: string | null;
  decidedAt: string | null;
  decisionReason: string | null;
  /** Segments of each text with its placeholders as written (values lengthen it). */
  segments: { es: SegmentCount; en: SegmentCount };
}

type Row = {
  id: string;
  programme_id: string;
  event: string;
  version: number;
  text_es: string;
  text_en: string;
  status: string;
  created_by: string;
  created_at: string;
  reason: string;
  decided_by: string | null;
  decided_at: string | null;
  decision_reason: string | null;
};

function present(r: Row): ProgrammeTemplate {
  return {
    id: r.id,
    programmeId: r.programme_id,
    event: r.event,
    version: Number(r.version),
    es: r.text_es,
    en: r.text_en,
    status: r.status,
    createdBy: r.created_by,
    createdAt: r.created_at,
    reason: r.reason,
    decidedBy: r.decided_by,
    decidedAt: r.decided_at,
    decisionReason: r.decision_reason,
    segments: { es: countSegments(r.text_es), en: countSegments(r.text_en) },
  };
}

/** Checks a text's placeholders against its event's values; names the first problem. */
export function checkWording(event: NoticeEvent, text: string, field: string): void {
  const open = (text.match(/\{/g) ?? []).length;
  const close = (text.match(/\}/g) ?? []).length;
  if (open !== close)
    throw new DomainError('VALIDATION_FAILED', `${field}: a "{" or "}" is not paired`, field);
  const known: readonly string[] = noticeEvents[event].values;
  for (const p of placeholdersOf(text))
    if (!known.includes(p))
      throw new DomainError(
        'VALIDATION_FAILED',
        `${field}: {${p}} is not a value of ${event}; it knows ${known.map((k) => `{${k}}`).join(', ')}`,
        field,
      );
}

// The regions a programme is served in, read from its current version. The notices domain
// sits below programmes, so it reads the stored definition rather than importing the domain.
async function programmeRegions(db: Queryable, programmeId: string): Promise<string[] | null> {
  const row = await db
    .selectFrom('programmes')
    .innerJoin('programme_versions', (j) =>
      j
        .onRef('programme_versions.programme_id', '=', 'programmes.id')
        .onRef('programme_versions.version', '=', 'programmes.current_version'),
    )
    .select(['programme_versions.definition'])
    .where('programmes.id', '=', programmeId)
    .executeTakeFirst();
  if (!row) return null;
  const parsed = z
    .object({ serviceAreas: z.array(z.object({ regionCode: z.string() })) })
    .safeParse(JSON.parse(row.definition));
  return parsed.success ? parsed.data.serviceAreas.map((a) => a.regionCode) : [];
}

// A regional programme administrator words, and approves, only programmes served wholly
// within their regions; a programme they cannot see is "not found".
async function requireProgramme(
  db: Queryable,
  caller: Caller,
  programmeId: string,
  permission: 'notice:template' | 'notice:template_approve',
): Promise<void> {
  const regions = await programmeRegions(db, programmeId);
  const scope = regionsFor(caller.actor, permission);
  if (regions === null || (scope !== '*' && !regions.every((r) => scope.includes(r))))
    throw new DomainError('NOT_FOUND', 'Programme not found.', 'programmeId');
}

/** Writes a new version of a programme's wording of an event, pending approval. */
export async function createProgrammeTemplate(
  app: AppContext,
  caller: Caller,
  input: z.output<typeof programmeTemplateInput>,
): Promise<ProgrammeTemplate> {
  requirePermission(caller.actor, 'notice:template');
  checkWording(input.event, input.es, 'es');
  checkWording(input.event, input.en, 'en');
  return app.db.transaction(async (trx) => {
    await requireProgramme(trx, caller, input.programmeId, 'notice:template');
    const last = await trx
      .selectFrom('notice_programme_templates')
      .select((eb) => eb.fn.max('version').as('v'))
      .where('programme_id', '=', input.programmeId)
      .where('event', '=', input.event)
      .executeTakeFirst();
    const row: Row = {
      id: app.newId(),
      programme_id: input.programmeId,
      event: input.event,
      version: Number(last?.v ?? 0) + 1,
      text_es: input.es,
      text_en: input.en,
      status: 'pending',
      created_by: humanOf(caller.actor),
      created_at: app.now().toISOString(),
      reason: input.reason,
      decided_by: null,
      decided_at: null,
      decision_reason: null,
    };
    await trx
      .insertInto('notice_programme_templates')
      .values({ ...row, status: 'pending' })
      .execute();
    await appendAudit(trx, app, caller, {
      operation: 'notice.template_request',
      permission: 'notice:template',
      details: {
        templateId: row.id,
        programmeId: row.programme_id,
        event: row.event,
        version: row.version,
      },
    });
    return present(row);
  });
}

/** Approves or rejects a pending wording; never by its author. */
export async function decideProgrammeTemplate(
  app: AppContext,
  caller: Caller,
  templateId: string,
  input: z.output<typeof programmeTemplateDecision>,
): Promise<ProgrammeTemplate> {
  requirePermission(caller.actor, 'notice:template_approve');
  return app.db.transaction(async (trx) => {
    const row = await trx
      .selectFrom('notice_programme_templates')
      .selectAll()
      .where('id', '=', templateId)
      .executeTakeFirst();
    if (!row) throw new DomainError('NOT_FOUND', 'Wording not found.', 'id');
    await requireProgramme(trx, caller, row.programme_id, 'notice:template_approve').catch(() => {
      throw new DomainError('NOT_FOUND', 'Wording not found.', 'id');
    });
    if (row.status !== 'pending')
      throw new DomainError('INVALID_STATE', `The wording is already ${row.status}.`);
    const me = humanOf(caller.actor);
    if (row.created_by === me)
      throw new DomainError(
        'FORBIDDEN',
        'A wording must be approved by someone other than the person who wrote it.',
      );
    const at = app.now().toISOString();
    const status = input.approve ? 'approved' : 'rejected';
    if (input.approve)
      await trx
        .updateTable('notice_programme_templates')
        .set({ status: 'superseded' })
        .where('programme_id', '=', row.programme_id)
        .where('event', '=', row.event)
        .where('status', '=', 'approved')
        .execute();
    const updated = await trx
      .updateTable('notice_programme_templates')
      .set({ status, decided_by: me, decided_at: at, decision_reason: input.reason })
      .where('id', '=', templateId)
      .where('status', '=', 'pending')
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) !== 1)
      throw new DomainError('CONFLICT', 'The wording was decided meanwhile.');
    await appendAudit(trx, app, caller, {
      operation: 'notice.template_decide',
      permission: 'notice:template_approve',
      details: { templateId, approve: input.approve, version: Number(row.version) },
    });
    return present({
      ...row,
      status,
      decided_by: me,
      decided_at: at,
      decision_reason: input.reason,
    });
  });
}

/** Wordings of the programmes in the caller's regions, newest first (at most 200): for those who write and those who approve. */
export async function listProgrammeTemplates(
  app: AppContext,
  caller: Caller,
  query: z.output<typeof programmeTemplatesQuery>,
): Promise<ProgrammeTemplate[]> {
  requirePermission(caller.actor, 'notice:template_approve');
  let q = app.db.kysely
    .selectFrom('notice_programme_templates')
    .selectAll()
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(200);
  if (query.programmeId) q = q.where('programme_id', '=', query.programmeId);
  if (query.status) q = q.where('status', '=', query.status);
  const rows = await q.execute();
  const scope = regionsFor(caller.actor, 'notice:template_approve');
  if (scope === '*') return rows.map(present);
  const out: ProgrammeTemplate[] = [];
  for (const r of rows) {
    const regions = await programmeRegions(app.db.kysely, r.programme_id);
    if (regions && regions.every((x) => scope.includes(x))) out.push(present(r));
  }
  return out;
}

/** The approved wording of a programme's event, if it has one. */
export async function approvedWording(
  db: Queryable,
  programmeId: string,
  event: string,
): Promise<{ version: number; es: string; en: string } | null> {
  const row = await db
    .selectFrom('notice_programme_templates')
    .select(['version', 'text_es', 'text_en'])
    .where('programme_id', '=', programmeId)
    .where('event', '=', event)
    .where('status', '=', 'approved')
    .executeTakeFirst();
  return row ? { version: Number(row.version), es: row.text_es, en: row.text_en } : null;
}
