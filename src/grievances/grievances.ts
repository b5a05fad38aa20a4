// A grievance's life: filed (by the person in their portal, by staff at an office on their
// behalf, or by SMS with a receipt's complaint code), routed to the queue of the person's region
// with a target date by category, taken for review, resolved with an outcome and a reason, and
// appealed — decided by a staff member other than the one who resolved it, compared by staff
// account however each signed in. Every step is in its history, audited, and notified to the
// person through the outbox in the same transaction. Nothing is deleted.
import type { Updateable } from 'kysely';
import { z } from 'zod';
import type { Queryable } from '../db';
import { enqueueNotice } from '../notices';
import { appendAudit } from '../privacy';
import { loadPersonInRegion, requirePurpose, storedPhone } from '../registry';
import { humanOf, regionsFor, requirePermission, systemActor } from '../shared/access';
import type { AppContext, Caller } from '../shared/context';
import { DomainError } from '../shared/errors';
import { hiddenControls, plainText, pageLimit } from '../shared/schemas';
import { checkLink, describeLink, linkInput, type LinkView } from './links';
import { readReference, uniqueReference } from './reference';
import { grievanceCategories, grievanceTargets, type GrievanceCategory } from './settings';
import type { GrievancesTable } from './tables';

/** What resolving (or deciding an appeal) concludes. */
export const outcomes = ['upheld', 'partly_upheld', 'not_upheld'] as const;
/** Statuses in which a grievance is still waiting for someone. */
export const openStatuses = ['received', 'in_review', 'appealed'] as const;

const description = plainText(1000).pipe(
  z.string().min(5, 'must say what happened (5 characters or more)'),
);
const why = plainText(500).pipe(z.string().min(3, 'must give a reason'));

/** Filing a grievance. */
export const grievanceInput = z
  .object({ category: z.enum(grievanceCategories), description, link: linkInput.optional() })
  .strict();
/** Filing a grievance, validated. */
export type GrievanceInput = z.output<typeof grievanceInput>;

/** Taking a grievance for review, with an optional note. */
export const reviewInput = z.object({ note: plainText(500).optional() }).strict();
/** Resolving a grievance, or deciding its appeal. */
export const resolveInput = z.object({ outcome: z.enum(outcomes), reason: why }).strict();
/** Appealing a resolution. */
export const appealInput = z.object({ reason: why }).strict();

/** The queue's filters. */
export const queueQuery = z
  .object({
    status: z.enum(['received', 'in_review', 'resolved', 'appealed', 'closed', 'open']).optional(),
    category: z.enum(grievanceCategories).optional(),
    region: z.string().min(2).max(10).optional(),
    overdue: z.enum(['true', 'false']).optional(),
    limit: pageLimit,
    after: z.string().max(64).optional(),
  })
  .strict();
/** The queue's filters, validated. */
export type QueueQuery = z.output<typeof queueQuery>;

/** A grievance as its person and its handlers see it. */
export interface Grievance {
  id: string;
  reference: string;
  personId: string;
  regionCode: string;
  category: GrievanceCategory;
  channel: GrievancesTable['channel'];
  description: string;
  status: GrievancesTable['status'];
  filedAt: string;
  dueAt: string;
  overdue: boolean;
  assigned: boolean;
  resolvedAt: string | null;
  outcome: GrievancesTable['outcome'];
  resolutionReason: string | null;
  appealedAt: string | null;
  appealReason: string | null;
  appealDecidedAt: string | null;
  appealOutcome: GrievancesTable['appeal_outcome'];
  appealDecisionReason: string | null;
  link: { kind: string; id: string } | null;
}

/** A grievance for staff: who handled it (staff ids), the person, the link and the history. */
export interface GrievanceDetail extends Grievance {
  filedBy: string;
  assignedTo: string | null;
  resolvedBy: string | null;
  appealDecidedBy: string | null;
  /** True when the caller resolved it, and so may not decide its appeal. */
  resolvedByYou: boolean;
  person: { registryNumber: string; displayName: string; phoneOnRecord: boolean };
  linked: LinkView | null;
  history: { at: string; event: string; by: string; note: string | null }[];
}

/** A queue item. */
export type QueueItem = Grievance & {
  registryNumber: string;
  displayName: string;
  resolvedByYou: boolean;
};

function present(row: GrievancesTable, now: Date): Grievance {
  return {
    id: row.id,
    reference: row.reference,
    personId: row.person_id,
    regionCode: row.region_code,
    category: row.category,
    channel: row.channel,
    description: row.description,
    status: row.status,
    filedAt: row.filed_at,
    dueAt: row.due_at,
    overdue:
      (openStatuses as readonly string[]).includes(row.status) && row.due_at < now.toISOString(),
    assigned: row.assigned_to !== null,
    resolvedAt: row.resolved_at,
    outcome: row.outcome,
    resolutionReason: row.resolution_reason,
    appealedAt: row.appealed_at,
    appealReason: row.appeal_reason,
    appealDecidedAt: row.appeal_decided_at,
    appealOutcome: row.appeal_outcome,
    appealDecisionReason: row.appeal_decision_reason,
    link: row.link_kind && row.link_id ? { kind: row.link_kind, id: row.link_id } : null,
  };
}

const statusWords: Record<GrievancesTable['status'], string> = {
  received: 'recibido / received',
  in_review: 'en revision / in review',
  resolved: 'resuelto / resolved',
  appealed: 'apelado / appealed',
  closed: 'apelacion decidida / appeal decided',
};
const outcomeWords: Record<(typeof outcomes)[number], string> = {
  upheld: 'a su favor / upheld',
  partly_upheld: 'en parte a su favor / partly upheld',
  not_upheld: 'no a su favor / not upheld',
};

function dueFrom(app: AppContext, category: GrievanceCategory, from: Date): string {
  return new Date(from.getTime() + grievanceTargets(app)[category] * 86_400_000).toISOString();
}

async function recordEvent(
  trx: Queryable,
  app: AppContext,
  grievanceId: string,
  actorId: string,
  event: 'filed' | 'in_review' | 'note' | 'resolved' | 'appealed' | 'appeal_decided',
  note: string | null,
): Promise<void> {
  await trx
    .insertInto('grievance_events')
    .values({
      id: app.newId(),
      grievance_id: grievanceId,
      at: app.now().toISOString(),
      actor_id: actorId,
      event,
      note,
    })
    .execute();
}

/**
 * Files a grievance for a person inside `trx`: routed to their region's queue with the
 * category's target date, the person notified with the reference. No policy: the callers
 * (staff, portal, SMS) check who may file first.
 */
export async function insertGrievance(
  trx: Queryable,
  app: AppContext,
  caller: Caller,
  person: { id: string; region_code: string },
  input: GrievanceInput,
  channel: GrievancesTable['channel'],
): Promise<Grievance> {
  if (input.link) await checkLink(trx, person.id, input.link);
  const now = app.now();
  const row: GrievancesTable = {
    id: app.newId(),
    reference: await uniqueReference(trx),
    person_id: person.id,
    region_code: person.region_code,
    category: input.category,
    channel,
    description: input.description,
    link_kind: input.link?.kind ?? null,
    link_id: input.link?.id ?? null,
    status: 'received',
    filed_at: now.toISOString(),
    filed_by: humanOf(caller.actor),
    due_at: dueFrom(app, input.category, now),
    assigned_to: null,
    resolved_at: null,
    resolved_by: null,
    outcome: null,
    resolution_reason: null,
    appealed_at: null,
    appeal_reason: null,
    appeal_decided_at: null,
    appeal_decided_by: null,
    appeal_outcome: null,
    appeal_decision_reason: null,
  };
  await trx.insertInto('grievances').values(row).execute();
  await recordEvent(trx, app, row.id, row.filed_by, 'filed', null);
  await enqueueNotice(trx, app, person.id, 'grievance_received', {
    reference: row.reference,
    due: row.due_at.slice(0, 10),
  });
  await appendAudit(trx, app, caller, {
    operation: 'grievance.file',
    ...(caller.actor.kind === 'staff' || caller.actor.kind === 'token'
      ? { permission: 'grievance:file' as const }
      : {}),
    subjectIds: [person.id],
    details: { grievanceId: row.id, category: row.category, channel, link: row.link_kind },
  });
  return present(row, now);
}

/** Staff file a grievance on a person's behalf, at an office, with the purpose grievance. */
export async function fileGrievance(
  app: AppContext,
  caller: Caller,
  personId: string,
  input: GrievanceInput,
): Promise<Grievance> {
  requirePermission(caller.actor, 'grievance:file');
  requirePurpose(caller);
  return app.db.transaction(async (trx) => {
    const person = await loadPersonInRegion(trx, caller, personId, 'grievance:file');
    return insertGrievance(trx, app, caller, person, input, 'office');
  });
}

/** A received SMS. */
export interface IncomingSms {
  from: string;
  text: string;
  receivedAt: string;
}

const complaintCode = /\b([0-9A-Z]{5})[\s-]?([0-9A-Z]{5})\b/;

function categoryOfSms(text: string): GrievanceCategory {
  const t = text.toLowerCase();
  if (/no (me )?(recib|entreg)|not (receiv|given|served)|never got/.test(t)) return 'not_served';
  if (/cantidad|menos|falt|incomplet|quantity|less|missing|short/.test(t)) return 'wrong_quantity';
  return 'other';
}

/**
 * A complaint by SMS naming a receipt's complaint code: the redemption is found by its code and
 * the person by the phone on record (the holder's, or the nominee's who collected). Replies
 * through the outbox with the reference. A message that matches nothing is audited and
 * answers null (the gateway sends its generic reply); it never says whose receipt a code is.
 */
export async function fileGrievanceBySms(
  app: AppContext,
  sms: IncomingSms,
): Promise<Grievance | null> {
  const caller: Caller = { actor: systemActor('sms'), origin: 'sms' };
  const text = sms.text.slice(0, 1000);
  const found = complaintCode.exec(text.toUpperCase());
  let phone: string | null = null;
  try {
    phone = storedPhone(app, sms.from);
  } catch {
    phone = null;
  }
  return app.db.transaction(async (trx) => {
    const unmatched = async (why: string) => {
      await appendAudit(trx, app, caller, {
        operation: 'grievance.sms_unmatched',
        details: { why, receivedAt: sms.receivedAt },
      });
      return null;
    };
    if (!found) return unmatched('no complaint code');
    if (!phone) return unmatched('not a phone number');
    const code = `${found[1]}-${found[2]}`;
    const candidates = await trx
      .selectFrom('redemptions as r')
      .innerJoin('persons as p', 'p.id', 'r.person_id')
      .leftJoin('persons as n', 'n.id', 'r.collected_by_person_id')
      .select([
        'r.id',
        'p.id as person_id',
        'p.region_code',
        'p.phone',
        'n.phone as collector_phone',
      ])
      .where('r.receipt_code', '=', code)
      .limit(10)
      .execute();
    const match = candidates.find((c) => c.phone === phone || c.collector_phone === phone);
    if (!match) return unmatched('no receipt with this code for this phone');
    const description = text.trim().length >= 5 ? text.trim() : `SMS ${code}`;
    return insertGrievance(
      trx,
      app,
      caller,
      { id: match.person_id, region_code: match.region_code },
      {
        category: categoryOfSms(text),
        description: description.replace(new RegExp(hiddenControls.source, 'gu'), ' '),
        link: { kind: 'redemption', id: match.id },
      },
      'sms',
    );
  });
}

/** Loads a grievance for handling in the caller's regions (out of region: not found). */
async function loadForStaff(
  trx: Queryable,
  caller: Caller,
  idOrReference: string,
  permission: 'grievance:read' | 'grievance:handle' | 'grievance:file',
): Promise<GrievancesTable> {
  const reference = readReference(idOrReference);
  const row = await trx
    .selectFrom('grievances')
    .selectAll()
    .where((eb) =>
      reference
        ? eb.or([eb('id', '=', idOrReference), eb('reference', '=', reference)])
        : eb('id', '=', idOrReference),
    )
    .executeTakeFirst();
  if (!row) throw new DomainError('NOT_FOUND', 'Grievance not found.', 'id');
  const scope = regionsFor(caller.actor, permission);
  if (scope !== '*' && !scope.includes(row.region_code)) {
    if (scope.length === 0)
      throw new DomainError('FORBIDDEN', `This action needs the permission ${permission}.`);
    throw new DomainError('NOT_FOUND', 'Grievance not found.', 'id');
  }
  return row;
}

async function reload(trx: Queryable, id: string): Promise<GrievancesTable> {
  return trx.selectFrom('grievances').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

/**
 * Moves a grievance on from the state it was read in — refused as a conflict if someone moved
 * it meanwhile — records the step in its history, and returns it as it now is.
 */
async function moveOn(
  trx: Queryable,
  app: AppContext,
  row: GrievancesTable,
  change: Updateable<GrievancesTable>,
  step: { by: string; event: Parameters<typeof recordEvent>[4]; note: string | null },
): Promise<GrievancesTable> {
  const done = await trx
    .updateTable('grievances')
    .set(change)
    .where('id', '=', row.id)
    .where('status', '=', row.status)
    .executeTakeFirst();
  if (Number(done.numUpdatedRows) !== 1)
    throw new DomainError('CONFLICT', 'This grievance changed meanwhile: reload it.', 'id');
  await recordEvent(trx, app, row.id, step.by, step.event, step.note);
  return reload(trx, row.id);
}

/** The queue of the caller's regions, overdue first then by due date; audited. */
export async function listGrievances(
  app: AppContext,
  caller: Caller,
  query: QueueQuery = {},
): Promise<{ items: QueueItem[]; next: string | null }> {
  requirePermission(caller.actor, 'grievance:read');
  requirePurpose(caller);
  const scope = regionsFor(caller.actor, 'grievance:read');
  const now = app.now().toISOString();
  const limit = query.limit ?? 50;
  const me = humanOf(caller.actor);
  return app.db.transaction(async (trx) => {
    let q = trx
      .selectFrom('grievances as g')
      .innerJoin('persons as p', 'p.id', 'g.person_id')
      .selectAll('g')
      .select(['p.registry_number', 'p.given_names', 'p.surname1'])
      .orderBy('g.due_at')
      .orderBy('g.id')
      .limit(limit + 1);
    if (scope !== '*') q = q.where('g.region_code', 'in', scope.length > 0 ? scope : ['']);
    if (query.region) q = q.where('g.region_code', '=', query.region);
    if (query.status === 'open') q = q.where('g.status', 'in', [...openStatuses]);
    else if (query.status) q = q.where('g.status', '=', query.status);
    if (query.category) q = q.where('g.category', '=', query.category);
    if (query.overdue === 'true')
      q = q.where('g.status', 'in', [...openStatuses]).where('g.due_at', '<', now);
    if (query.after) {
      const last = await trx
        .selectFrom('grievances')
        .select(['id', 'due_at'])
        .where('id', '=', query.after)
        .executeTakeFirst();
      if (last)
        q = q.where((eb) =>
          eb.or([
            eb('g.due_at', '>', last.due_at),
            eb.and([eb('g.due_at', '=', last.due_at), eb('g.id', '>', last.id)]),
          ]),
        );
    }
    const rows = await q.execute();
    const page = rows.slice(0, limit);
    const items = page.map((r) => ({
      ...present(r, app.now()),
      registryNumber: r.registry_number,
      displayName: [r.given_names, r.surname1].filter(Boolean).join(' '),
      resolvedByYou: r.resolved_by === me,
    }));
    if (items.length > 0)
      await appendAudit(trx, app, caller, {
        operation: 'grievance.list',
        permission: 'grievance:read',
        subjectIds: items.map((i) => i.personId),
        details: { returned: items.length },
      });
    return { items, next: rows.length > limit ? page[page.length - 1]!.id : null };
  });
}

async function detailOf(
  trx: Queryable,
  app: AppContext,
  caller: Caller,
  row: GrievancesTable,
): Promise<GrievanceDetail> {
  const person = await trx
    .selectFrom('persons')
    .select(['registry_number', 'given_names', 'surname1', 'phone'])
    .where('id', '=', row.person_id)
    .executeTakeFirstOrThrow();
  const history = await trx
    .selectFrom('grievance_events')
    .selectAll()
    .where('grievance_id', '=', row.id)
    .orderBy('at')
    .orderBy('id')
    .limit(200)
    .execute();
  const linked =
    row.link_kind && row.link_id
      ? await describeLink(
          trx,
          row.person_id,
          row.link_kind,
          row.link_id,
          app.now().toISOString().slice(0, 10),
        )
      : null;
  return {
    ...present(row, app.now()),
    filedBy: row.filed_by,
    assignedTo: row.assigned_to,
    resolvedBy: row.resolved_by,
    appealDecidedBy: row.appeal_decided_by,
    resolvedByYou: row.resolved_by !== null && row.resolved_by === humanOf(caller.actor),
    person: {
      registryNumber: person.registry_number,
      displayName: [person.given_names, person.surname1].filter(Boolean).join(' '),
      phoneOnRecord: person.phone !== null,
    },
    linked,
    history: history.map((h) => ({ at: h.at, event: h.event, by: h.actor_id, note: h.note })),
  };
}

/** One grievance with its person, link and history (by id or reference); audited. */
export async function getGrievance(
  app: AppContext,
  caller: Caller,
  idOrReference: string,
): Promise<GrievanceDetail> {
  requirePermission(caller.actor, 'grievance:read');
  requirePurpose(caller);
  return app.db.transaction(async (trx) => {
    const row = await loadForStaff(trx, caller, idOrReference, 'grievance:read');
    await appendAudit(trx, app, caller, {
      operation: 'grievance.read',
      permission: 'grievance:read',
      subjectIds: [row.person_id],
      details: { grievanceId: row.id },
    });
    return detailOf(trx, app, caller, row);
  });
}

async function notifyStatus(trx: Queryable, app: AppContext, row: GrievancesTable): Promise<void> {
  if (row.status === 'resolved' || (row.status === 'closed' && row.appeal_outcome))
    await enqueueNotice(trx, app, row.person_id, 'grievance_resolved', {
      reference: row.reference,
      outcome: outcomeWords[(row.status === 'closed' ? row.appeal_outcome : row.outcome)!],
    });
  else
    await enqueueNotice(trx, app, row.person_id, 'grievance_updated', {
      reference: row.reference,
      status: statusWords[row.status],
    });
}

/** Takes a grievance for review (assigning it to the caller), or adds a note; notified. */
export async function reviewGrievance(
  app: AppContext,
  caller: Caller,
  id: string,
  input: z.output<typeof reviewInput>,
): Promise<GrievanceDetail> {
  requirePermission(caller.actor, 'grievance:handle');
  requirePurpose(caller);
  const me = humanOf(caller.actor);
  return app.db.transaction(async (trx) => {
    const row = await loadForStaff(trx, caller, id, 'grievance:handle');
    if (row.status === 'appealed' && row.resolved_by === me)
      throw new DomainError(
        'FORBIDDEN',
        'You resolved this grievance: its appeal goes to someone else.',
        'id',
      );
    if (row.status === 'resolved' || row.status === 'closed')
      throw new DomainError('INVALID_STATE', `This grievance is ${row.status}.`, 'id');
    const starting = row.status === 'received';
    const after = await moveOn(
      trx,
      app,
      row,
      { status: starting ? 'in_review' : row.status, assigned_to: me },
      { by: me, event: starting ? 'in_review' : 'note', note: input.note ?? null },
    );
    if (starting) await notifyStatus(trx, app, after);
    await appendAudit(trx, app, caller, {
      operation: 'grievance.review',
      permission: 'grievance:handle',
      subjectIds: [row.person_id],
      details: { grievanceId: row.id, started: starting },
    });
    return detailOf(trx, app, caller, after);
  });
}

/** Resolves a grievance with an outcome and a reason; the person is notified. */
export async function resolveGrievance(
  app: AppContext,
  caller: Caller,
  id: string,
  input: z.output<typeof resolveInput>,
): Promise<GrievanceDetail> {
  requirePermission(caller.actor, 'grievance:handle');
  requirePurpose(caller);
  const me = humanOf(caller.actor);
  return app.db.transaction(async (trx) => {
    const row = await loadForStaff(trx, caller, id, 'grievance:handle');
    if (row.status === 'appealed')
      throw new DomainError(
        'INVALID_STATE',
        'This grievance is under appeal: decide the appeal instead.',
        'id',
      );
    if (row.status !== 'received' && row.status !== 'in_review')
      throw new DomainError('INVALID_STATE', `This grievance is already ${row.status}.`, 'id');
    const after = await moveOn(
      trx,
      app,
      row,
      {
        status: 'resolved',
        resolved_at: app.now().toISOString(),
        resolved_by: me,
        outcome: input.outcome,
        resolution_reason: input.reason,
        assigned_to: row.assigned_to ?? me,
      },
      { by: me, event: 'resolved', note: `${input.outcome}: ${input.reason}` },
    );
    await notifyStatus(trx, app, after);
    await appendAudit(trx, app, caller, {
      operation: 'grievance.resolve',
      permission: 'grievance:handle',
      subjectIds: [row.person_id],
      details: { grievanceId: row.id, outcome: input.outcome },
    });
    return detailOf(trx, app, caller, after);
  });
}

/**
 * Appeals a resolution inside `trx` (no policy: the portal checks it is the person's own, staff
 * routes check grievance:file). Once, while resolved; a new target date; unassigned, so that
 * someone other than the resolver takes it.
 */
export async function insertAppeal(
  trx: Queryable,
  app: AppContext,
  caller: Caller,
  row: GrievancesTable,
  reason: string,
): Promise<GrievancesTable> {
  if (row.status !== 'resolved')
    throw new DomainError(
      'INVALID_STATE',
      row.status === 'closed'
        ? 'This grievance was already appealed and decided.'
        : 'Only a resolved grievance can be appealed.',
      'id',
    );
  const now = app.now();
  const after = await moveOn(
    trx,
    app,
    row,
    {
      status: 'appealed',
      appealed_at: now.toISOString(),
      appeal_reason: reason,
      assigned_to: null,
      due_at: dueFrom(app, row.category, now),
    },
    { by: humanOf(caller.actor), event: 'appealed', note: reason },
  );
  await notifyStatus(trx, app, after);
  await appendAudit(trx, app, caller, {
    operation: 'grievance.appeal',
    ...(caller.actor.kind === 'staff' || caller.actor.kind === 'token'
      ? { permission: 'grievance:file' as const }
      : {}),
    subjectIds: [row.person_id],
    details: { grievanceId: row.id },
  });
  return after;
}

/** Staff file an appeal on the person's behalf. */
export async function appealGrievance(
  app: AppContext,
  caller: Caller,
  id: string,
  input: z.output<typeof appealInput>,
): Promise<GrievanceDetail> {
  requirePermission(caller.actor, 'grievance:file');
  requirePurpose(caller);
  return app.db.transaction(async (trx) => {
    const row = await loadForStaff(trx, caller, id, 'grievance:file');
    const after = await insertAppeal(trx, app, caller, row, input.reason);
    return detailOf(trx, app, caller, after);
  });
}

/**
 * Decides an appeal: never by the staff member who resolved the grievance — compared by staff
 * account (humanOf), so a second session or an API token of theirs is refused alike.
 */
export async function decideAppeal(
  app: AppContext,
  caller: Caller,
  id: string,
  input: z.output<typeof resolveInput>,
): Promise<GrievanceDetail> {
  requirePermission(caller.actor, 'grievance:handle');
  requirePurpose(caller);
  const me = humanOf(caller.actor);
  return app.db.transaction(async (trx) => {
    const row = await loadForStaff(trx, caller, id, 'grievance:handle');
    if (row.status !== 'appealed')
      throw new DomainError('INVALID_STATE', 'This grievance has no appeal waiting.', 'id');
    if (row.resolved_by === me)
      throw new DomainError(
        'FORBIDDEN',
        'You resolved this grievance: its appeal must be decided by someone else.',
        'id',
      );
    const after = await moveOn(
      trx,
      app,
      row,
      {
        status: 'closed',
        appeal_decided_at: app.now().toISOString(),
        appeal_decided_by: me,
        appeal_outcome: input.outcome,
        appeal_decision_reason: input.reason,
        assigned_to: me,
      },
      { by: me, event: 'appeal_decided', note: `${input.outcome}: ${input.reason}` },
    );
    await notifyStatus(trx, app, after);
    await appendAudit(trx, app, caller, {
      operation: 'grievance.appeal_decide',
      permission: 'grievance:handle',
      subjectIds: [row.person_id],
      details: { grievanceId: row.id, outcome: input.outcome },
    });
    return detailOf(trx, app, caller, after);
  });
}

/** A person's own grievances, newest first (the portal; no staff ids). */
export async function ownGrievances(app: AppContext, personId: string): Promise<Grievance[]> {
  const rows = await app.db.kysely
    .selectFrom('grievances')
    .selectAll()
    .where('person_id', '=', personId)
    .orderBy('filed_at', 'desc')
    .orderBy('id')
    .limit(100)
    .execute();
  return rows.map((r) => present(r, app.now()));
}

/** One of a person's own grievances, with the link in words and the history (no staff ids). */
export async function ownGrievance(
  app: AppContext,
  personId: string,
  id: string,
): Promise<
  Grievance & {
    linked: LinkView | null;
    history: { at: string; event: string; note: string | null }[];
  }
> {
  const db = app.db.kysely;
  const row = await db
    .selectFrom('grievances')
    .selectAll()
    .where('id', '=', id)
    .where('person_id', '=', personId)
    .executeTakeFirst();
  if (!row) throw new DomainError('NOT_FOUND', 'Grievance not found.', 'id');
  const history = await db
    .selectFrom('grievance_events')
    .select(['at', 'event', 'note'])
    .where('grievance_id', '=', id)
    .orderBy('at')
    .orderBy('id')
    .limit(200)
    .execute();
  const linked =
    row.link_kind && row.link_id
      ? await describeLink(
          db,
          personId,
          row.link_kind,
          row.link_id,
          app.now().toISOString().slice(0, 10),
        )
      : null;
  // Staff notes stay with staff; the person sees the steps, the resolution and their own words.
  return {
    ...present(row, app.now()),
    linked,
    history: history.map((h) => ({
      ...h,
      note: h.event === 'in_review' || h.event === 'note' ? null : h.note,
    })),
  };
}

/** Appeals one of the person's own grievances (the portal). */
export async function appealOwnGrievance(
  app: AppContext,
  caller: Caller,
  personId: string,
  id: string,
  reason: string,
): Promise<Grievance> {
  return app.db.transaction(async (trx) => {
    const row = await trx
      .selectFrom('grievances')
      .selectAll()
      .where('id', '=', id)
      .where('person_id', '=', personId)
      .executeTakeFirst();
    if (!row) throw new DomainError('NOT_FOUND', 'Grievance not found.', 'id');
    return present(await insertAppeal(trx, app, caller, row, reason), app.now());
  });
}
