// A person's entitlements: what they may collect, when, and why not. Redeemability is decided
// here, in one function, so that no entitlement can be handed over before its cycle is
// approved or outside its window, whoever asks. Pauses belong to the person and programme,
// not to one row, so that generating a cycle again (or the next cycle) never undoes them.
import { sql } from 'kysely';
import { z } from 'zod';
import type { Queryable } from '../db';
import { appendAudit } from '../privacy';
import { loadPersonInRegion } from '../registry';
import { humanOf, requirePermission } from '../shared/access';
import type { AppContext, Caller, LifeEventHook } from '../shared/context';
import { DomainError } from '../shared/errors';
import { reason } from '../shared/schemas';
import type { CyclesTable, EntitlementsTable } from './tables';

/** Where an entitlement stands for the person who holds it, today. */
export type EntitlementState =
  | 'awaiting_approval'
  | 'not_yet_open'
  | 'redeemable'
  | 'paused'
  | 'void'
  | 'redeemed'
  | 'expired'
  | 'closed';

/**
 * Whether an entitlement can be handed over on `today` (YYYY-MM-DD): only when its cycle is
 * approved, its window has opened, the cycle has not closed, and something is left.
 */
export function entitlementState(
  e: Pick<EntitlementsTable, 'status' | 'opens_on' | 'quantity' | 'redeemed_quantity'>,
  cycle: Pick<CyclesTable, 'status' | 'closes_on'>,
  today: string,
): EntitlementState {
  if (e.status === 'void') return 'void';
  if (e.status === 'expired') return 'expired';
  if (e.status === 'redeemed' || e.redeemed_quantity >= e.quantity) return 'redeemed';
  if (e.status === 'paused') return 'paused';
  if (cycle.status === 'closed' || cycle.status === 'cancelled') return 'closed';
  if (cycle.status !== 'approved') return 'awaiting_approval';
  if (today < e.opens_on) return 'not_yet_open';
  if (today > cycle.closes_on) return 'closed';
  return 'redeemable';
}

/** An entitlement as the person and the point of service see it. */
export interface EntitlementView {
  id: string;
  cycleId: string;
  cycleLabel: string;
  programmeId: string;
  programmeCode: string;
  programmeName: { es: string; en: string };
  kind: string;
  quantity: number;
  remaining: number;
  amount: string;
  opensOn: string;
  closesOn: string;
  status: EntitlementsTable['status'];
  state: EntitlementState;
  statusReason: string | null;
}

/** An entitlement's id in paths and packs: its cycle and person. */
export function entitlementId(cycleId: string, personId: string): string {
  return `${cycleId}.${personId}`;
}

/** Splits an entitlement id into its cycle and person, or refuses it. */
export function parseEntitlementId(id: string): { cycleId: string; personId: string } {
  const [cycleId, personId, extra] = id.split('.');
  if (!cycleId || !personId || extra !== undefined)
    throw new DomainError('VALIDATION_FAILED', 'id: not an entitlement id (cycle.person)', 'id');
  return { cycleId, personId };
}

/** The entitlements of a person in cycles not older than `limit` cycles, newest first. */
export async function loadEntitlements(
  db: Queryable,
  personId: string,
  today: string,
): Promise<EntitlementView[]> {
  const rows = await db
    .selectFrom('entitlements as e')
    .innerJoin('cycles as c', 'c.id', 'e.cycle_id')
    .innerJoin('programmes as p', 'p.id', 'e.programme_id')
    .innerJoin('programme_versions as v', (j) =>
      j
        .onRef('v.programme_id', '=', 'c.programme_id')
        .onRef('v.version', '=', 'c.programme_version'),
    )
    .select([
      'e.cycle_id',
      'e.person_id',
      'e.programme_id',
      'e.quantity',
      'e.redeemed_quantity',
      'e.amount_minor',
      'e.status',
      'e.opens_on',
      'e.status_reason',
      'c.label',
      'c.status as cycle_status',
      'c.closes_on',
      'p.code',
      'p.kind',
      'v.name_es',
      'v.name_en',
    ])
    .where('e.person_id', '=', personId)
    .orderBy('c.opens_on', 'desc')
    .limit(100)
    .execute();
  return rows.map((r) => ({
    id: entitlementId(r.cycle_id, r.person_id),
    cycleId: r.cycle_id,
    cycleLabel: r.label,
    programmeId: r.programme_id,
    programmeCode: r.code,
    programmeName: { es: r.name_es, en: r.name_en },
    kind: r.kind,
    quantity: r.quantity,
    remaining: r.quantity - r.redeemed_quantity,
    amount: String(r.amount_minor),
    opensOn: r.opens_on,
    closesOn: r.closes_on,
    status: r.status,
    state: entitlementState(r, { status: r.cycle_status, closes_on: r.closes_on }, today),
    statusReason: r.status_reason,
  }));
}

/** Reads a person's entitlements, with a purpose, inside the caller's regions; audited. */
export async function personEntitlements(
  app: AppContext,
  caller: Caller,
  personId: string,
): Promise<EntitlementView[]> {
  requirePermission(caller.actor, 'entitlement:read');
  if (!caller.purpose)
    throw new DomainError(
      'PURPOSE_REQUIRED',
      'Reading entitlements needs a declared purpose (header X-Purpose).',
      'purpose',
    );
  return app.db.transaction(async (trx) => {
    await loadPersonInRegion(trx, caller, personId, 'entitlement:read');
    await appendAudit(trx, app, caller, {
      operation: 'entitlement.read',
      permission: 'entitlement:read',
      subjectIds: [personId],
    });
    return loadEntitlements(trx, personId, app.now().toISOString().slice(0, 10));
  });
}

/** A pause or resumption, for a programme, with its reason. */
export const pauseInput = z.object({ programmeId: z.string().min(1).max(64), reason }).strict();
/** A pause or resumption, validated. */
export type PauseInput = z.output<typeof pauseInput>;

/**
 * Pauses a person's entitlements in a programme: their open entitlements stop being
 * redeemable, and every cycle generated while the pause lasts creates theirs paused.
 */
export async function pauseEntitlements(
  app: AppContext,
  caller: Caller,
  personId: string,
  input: PauseInput,
): Promise<{ paused: number }> {
  requirePermission(caller.actor, 'entitlement:pause');
  return app.db.transaction(async (trx) => {
    await loadPersonInRegion(trx, caller, personId, 'entitlement:pause');
    const programme = await trx
      .selectFrom('programmes')
      .select('id')
      .where('id', '=', input.programmeId)
      .executeTakeFirst();
    if (!programme) throw new DomainError('NOT_FOUND', 'Programme not found.', 'programmeId');
    const open = await trx
      .selectFrom('programme_pauses')
      .select('id')
      .where('programme_id', '=', input.programmeId)
      .where('person_id', '=', personId)
      .where('lifted_at', 'is', null)
      .executeTakeFirst();
    if (open)
      throw new DomainError(
        'INVALID_STATE',
        'These entitlements are already paused.',
        'programmeId',
      );
    const at = app.now().toISOString();
    const me = humanOf(caller.actor);
    await trx
      .insertInto('programme_pauses')
      .values({
        id: app.newId(),
        programme_id: input.programmeId,
        person_id: personId,
        reason: input.reason,
        paused_at: at,
        paused_by: me,
        lifted_at: null,
        lifted_by: null,
        lift_reason: null,
      })
      .execute();
    const updated = await trx
      .updateTable('entitlements')
      .set({
        status: 'paused',
        status_reason: input.reason,
        status_changed_at: at,
        status_changed_by: me,
      })
      .where('person_id', '=', personId)
      .where('programme_id', '=', input.programmeId)
      .where('status', '=', 'issued')
      .executeTakeFirst();
    const paused = Number(updated.numUpdatedRows);
    await appendAudit(trx, app, caller, {
      operation: 'entitlement.pause',
      permission: 'entitlement:pause',
      subjectIds: [personId],
      details: { programmeId: input.programmeId, paused },
    });
    return { paused };
  });
}

/** Lifts a pause: the person's paused entitlements in open cycles are issued again. */
export async function resumeEntitlements(
  app: AppContext,
  caller: Caller,
  personId: string,
  input: PauseInput,
): Promise<{ resumed: number }> {
  requirePermission(caller.actor, 'entitlement:pause');
  return app.db.transaction(async (trx) => {
    await loadPersonInRegion(trx, caller, personId, 'entitlement:pause');
    const at = app.now().toISOString();
    const me = humanOf(caller.actor);
    const lifted = await trx
      .updateTable('programme_pauses')
      .set({ lifted_at: at, lifted_by: me, lift_reason: input.reason })
      .where('programme_id', '=', input.programmeId)
      .where('person_id', '=', personId)
      .where('lifted_at', 'is', null)
      .executeTakeFirst();
    if (Number(lifted.numUpdatedRows) === 0)
      throw new DomainError('INVALID_STATE', 'These entitlements are not paused.', 'programmeId');
    const updated = await trx
      .updateTable('entitlements')
      .set({ status: 'issued', status_reason: null, status_changed_at: at, status_changed_by: me })
      .where('person_id', '=', personId)
      .where('programme_id', '=', input.programmeId)
      .where('status', '=', 'paused')
      .where('cycle_id', 'in', (q) =>
        q.selectFrom('cycles').select('id').where('status', 'not in', ['closed', 'cancelled']),
      )
      .executeTakeFirst();
    const resumed = Number(updated.numUpdatedRows);
    await appendAudit(trx, app, caller, {
      operation: 'entitlement.resume',
      permission: 'entitlement:pause',
      subjectIds: [personId],
      details: { programmeId: input.programmeId, resumed },
    });
    return { resumed };
  });
}

/** Registry events that end a person's claim to what they have not yet collected. */
export const voidingLifeEvents: ReadonlySet<string> = new Set(['death', 'deactivation', 'merge']);

/**
 * A death, merge or deactivation voids the person's uncollected entitlements (a quota partly
 * used keeps what was handed over), with the event as the reason, in the event's transaction.
 * A household's entitlement held by its head is not the head's alone: while another member of
 * the household is active it stays, marked `holder_<event>`, so that the household is still
 * served (by another member, or whoever becomes head) instead of losing the month's box.
 */
export const voidEntitlementsOnLifeEvent: LifeEventHook = async (trx, event, app, caller) => {
  if (!voidingLifeEvents.has(event.kind)) return;
  const at = app.now().toISOString();
  const by = humanOf(caller.actor);
  const open = (q: Queryable) =>
    q
      .updateTable('entitlements')
      .where('person_id', '=', event.personId)
      .where('status', 'in', ['issued', 'paused'])
      .where('cycle_id', 'in', (c) =>
        c.selectFrom('cycles').select('id').where('status', 'not in', ['closed', 'cancelled']),
      );
  const householdKept = sql<boolean>`(entitlements.household_id is not null
    and exists (select 1 from programmes g where g.id = entitlements.programme_id and g.target = 'household')
    and exists (select 1 from persons m where m.household_id = entitlements.household_id
                and m.status = 'active' and m.id <> entitlements.person_id))`;
  const kept = await open(trx)
    .set({ status_reason: `holder_${event.kind}`, status_changed_at: at, status_changed_by: by })
    .where(householdKept)
    .executeTakeFirst();
  const updated = await open(trx)
    .set({
      status: 'void',
      status_reason: event.kind,
      status_changed_at: at,
      status_changed_by: by,
    })
    .where(sql<boolean>`not ${householdKept}`)
    .executeTakeFirst();
  const voided = Number(updated.numUpdatedRows);
  const keptForHousehold = Number(kept.numUpdatedRows);
  if (voided + keptForHousehold > 0)
    await appendAudit(trx, app, caller, {
      operation: 'entitlement.void',
      subjectIds: [event.personId],
      details: { reason: event.kind, voided, keptForHousehold },
    });
};
