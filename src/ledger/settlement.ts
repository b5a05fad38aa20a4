// Settlement of a point of service, per local day: what it handed over for each programme, the
// co-payments it took (cash it keeps; wallet money already in its merchant account), and what
// the programme owes it — units handed over times the programme's reimbursement rate of that
// day. One finance officer computes it; another approves it, and only then do its transfers
// post, programme fund → the point's merchant account, in one linked chain. Each transfer id is
// derived from (point, day, programme), and a point's day has one settlement, so computing or
// approving again never pays twice.
//
// The ledger sits beneath distribution and programmes in the module list, so it imports
// neither: it reads the redemption rows (written once, never updated) and the point's
// merchant account and region as stored facts.
import { createHash } from 'node:crypto';
import { sql, type Selectable } from 'kysely';
import { z } from 'zod';
import type { Queryable } from '../db';
import { appendAudit } from '../privacy';
import {
  humanOf,
  regionsFor,
  requirePermission,
  systemActor,
  type Permission,
} from '../shared/access';
import type { AppContext, Caller } from '../shared/context';
import { DomainError } from '../shared/errors';
import { id, plainText } from '../shared/schemas';
import { amountText, amountToText, readAmount } from './amount';
import { applyTransfersIn } from './create-transfers';
import { countOf } from '../shared/counts';
import { dayRange, dayText } from '../shared/local-day';
import type { SettlementLinesTable, SettlementsTable } from './settlement-tables';
import type { TransferInput } from './types';

const ledgerCaller: Caller = { actor: systemActor('settlement') };

function digest(...parts: readonly string[]): string {
  return createHash('sha256').update(parts.join('\n')).digest('hex');
}

/** The settlement of a point's day: one per point and day. */
export function settlementId(pointId: string, day: string): string {
  return `stl-${digest('settlement', pointId, day).slice(0, 32)}`;
}

/** The reimbursement transfer of one programme at a point on a day: the same on every run. */
export function settlementTransferId(pointId: string, day: string, programmeId: string): string {
  return `stlp-${digest('settlement-pay', pointId, day, programmeId).slice(0, 40)}`;
}

/** A reimbursement rate, as a programme administrator sets it. */
export const settlementRateInput = z
  .object({
    programmeId: id,
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, 'must be a three-letter currency code')
      .default('VES'),
    perUnit: amountText,
    fundAccountId: id,
    effectiveFrom: dayText,
    reason: plainText(300).pipe(z.string().min(3)),
  })
  .strict();
/** A reimbursement rate, validated. */
export type SettlementRateInput = z.output<typeof settlementRateInput>;

/** A rate as the API shows it. */
export interface SettlementRate {
  id: string;
  programmeId: string;
  currency: string;
  perUnit: string;
  fundAccountId: string;
  effectiveFrom: string;
  reason: string;
  createdAt: string;
  createdBy: string;
}

/** Which point and day. */
export const settlementInput = z.object({ pointId: id, day: dayText }).strict();

/** One programme's line of a settlement. */
export interface SettlementLine {
  programmeId: string;
  currency: string;
  redemptions: number;
  quantity: number;
  /** Co-payments taken in cash (kept by the point) and from wallets (in its account). */
  cash: string;
  wallet: string;
  rateId: string | null;
  perUnit: string;
  /** What the programme owes the point: quantity × perUnit. */
  reimbursement: string;
  fundAccountId: string | null;
  transferId: string;
  /** The programme's current name (null when it is not found). */
  programmeName?: { es: string; en: string } | null;
}

/** A settlement as the API shows it (no personal data). */
export interface Settlement {
  id: string;
  pointId: string;
  pointCode: string | null;
  pointName: string | null;
  day: string;
  regionCode: string;
  merchantAccountId: string | null;
  status: SettlementsTable['status'];
  computedAt: string;
  computedBy: string;
  approvedAt: string | null;
  approvedBy: string | null;
  /** Usernames of who computed and approved it. */
  computedByName: string | null;
  approvedByName: string | null;
  lines: SettlementLine[];
  /** Sums by currency. */
  totals: Record<
    string,
    { redemptions: number; quantity: number; cash: string; wallet: string; reimbursement: string }
  >;
  /** True when this call found the settlement already approved: nothing was changed. */
  repeated?: boolean;
}

interface PointFacts {
  id: string;
  code: string;
  name: string;
  region_code: string;
  merchant_account_id: string | null;
}

/** A point the caller may act on for `permission`, or NOT_FOUND. */
export async function pointInReach(
  db: Queryable,
  caller: Caller,
  pointId: string,
  permission: Permission,
): Promise<PointFacts> {
  requirePermission(caller.actor, permission);
  const point = await db
    .selectFrom('points')
    .select(['id', 'code', 'name', 'region_code', 'merchant_account_id'])
    .where('id', '=', pointId)
    .executeTakeFirst();
  const regions = regionsFor(caller.actor, permission);
  if (!point || (regions !== '*' && !regions.includes(point.region_code)))
    throw new DomainError('NOT_FOUND', 'Point of service not found.', 'pointId');
  // An operator acts only at the points they operate.
  if (caller.actor.kind !== 'system' && !isFinanceLike(caller, permission)) {
    const assigned = await db
      .selectFrom('point_operators')
      .select('staff_id')
      .where('point_id', '=', pointId)
      .where('staff_id', '=', humanOf(caller.actor))
      .where('removed_at', 'is', null)
      .executeTakeFirst();
    if (!assigned) throw new DomainError('NOT_FOUND', 'Point of service not found.', 'pointId');
  }
  return point;
}

// Operators hold settlement:read and dispute:open only for their own points; every other role
// that holds them (finance, auditors) reads by region.
function isFinanceLike(caller: Caller, permission: Permission): boolean {
  return caller.actor.grants.some(
    (g) => g.role !== 'operator' && g.permissions.includes(permission),
  );
}

async function rateFor(
  db: Queryable,
  programmeId: string,
  day: string,
): Promise<Selectable<import('./settlement-tables').SettlementRatesTable> | undefined> {
  return db
    .selectFrom('settlement_rates')
    .selectAll()
    .where('programme_id', '=', programmeId)
    .where('effective_from', '<=', day)
    .orderBy('effective_from', 'desc')
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .executeTakeFirst();
}

/** What the redemptions of a point's day add up to, per programme. */
async function dayLines(
  app: AppContext,
  db: Queryable,
  point: PointFacts,
  day: string,
): Promise<Selectable<SettlementLinesTable>[]> {
  const { from, to } = dayRange(app, day);
  const rows = await db
    .selectFrom('redemptions')
    .select([
      'programme_id',
      'co_payment_method',
      sql<number>`count(*)`.as('n'),
      sql<number | bigint>`cast(coalesce(sum(quantity), 0) as bigint)`.as('q'),
      sql<number | bigint>`cast(coalesce(sum(co_payment_minor), 0) as bigint)`.as('m'),
    ])
    .where('point_id', '=', point.id)
    .where('redeemed_at', '>=', from)
    .where('redeemed_at', '<', to)
    .groupBy(['programme_id', 'co_payment_method'])
    .orderBy('programme_id')
    .execute();
  const merchantLedger = point.merchant_account_id
    ? (
        await db
          .selectFrom('ledger_accounts')
          .select('ledger')
          .where('id', '=', point.merchant_account_id)
          .executeTakeFirst()
      )?.ledger
    : undefined;
  const byProgramme = new Map<string, Selectable<SettlementLinesTable>>();
  const sid = settlementId(point.id, day);
  for (const r of rows) {
    let line = byProgramme.get(r.programme_id);
    if (!line) {
      const rate = await rateFor(db, r.programme_id, day);
      line = {
        settlement_id: sid,
        programme_id: r.programme_id,
        currency: rate?.currency ?? merchantLedger ?? 'VES',
        redemptions: 0,
        quantity: 0,
        cash_minor: 0n,
        wallet_minor: 0n,
        rate_id: rate?.id ?? null,
        per_unit_minor: rate ? readAmount(rate.per_unit_minor, 'per_unit_minor') : 0n,
        reimbursement_minor: 0n,
        fund_account_id: rate?.fund_account_id ?? null,
        transfer_id: settlementTransferId(point.id, day, r.programme_id),
      };
      byProgramme.set(r.programme_id, line);
    }
    const quantity = readAmount(r.q, 'quantity');
    const money = readAmount(r.m, 'co_payment_minor');
    line.redemptions += countOf(r.n, 'redemptions');
    line.quantity += countOf(quantity, 'quantity');
    if (r.co_payment_method === 'cash') line.cash_minor = BigInt(line.cash_minor) + money;
    if (r.co_payment_method === 'wallet') line.wallet_minor = BigInt(line.wallet_minor) + money;
  }
  for (const line of byProgramme.values())
    line.reimbursement_minor = BigInt(line.quantity) * BigInt(line.per_unit_minor);
  return [...byProgramme.values()];
}

function sameLines(
  a: readonly Selectable<SettlementLinesTable>[],
  b: readonly Selectable<SettlementLinesTable>[],
): boolean {
  const key = (l: Selectable<SettlementLinesTable>) =>
    [
      l.programme_id,
      l.currency,
      l.redemptions,
      l.quantity,
      String(l.cash_minor),
      String(l.wallet_minor),
      l.rate_id ?? '',
      String(l.per_unit_minor),
      String(l.reimbursement_minor),
      l.fund_account_id ?? '',
    ].join('|');
  const x = a.map(key).sort();
  const y = b.map(key).sort();
  return x.length === y.length && x.every((k, i) => k === y[i]);
}

function presentLine(l: Selectable<SettlementLinesTable>): SettlementLine {
  return {
    programmeId: l.programme_id,
    currency: l.currency,
    redemptions: countOf(l.redemptions, 'redemptions'),
    quantity: countOf(l.quantity, 'quantity'),
    cash: amountToText(readAmount(l.cash_minor, 'cash_minor')),
    wallet: amountToText(readAmount(l.wallet_minor, 'wallet_minor')),
    rateId: l.rate_id,
    perUnit: amountToText(readAmount(l.per_unit_minor, 'per_unit_minor')),
    reimbursement: amountToText(readAmount(l.reimbursement_minor, 'reimbursement_minor')),
    fundAccountId: l.fund_account_id,
    transferId: l.transfer_id,
  };
}

/** Staff usernames by id (for the console to name who computed and approved). */
export async function staffNames(
  db: Queryable,
  ids: readonly (string | null)[],
): Promise<Map<string, string>> {
  const wanted = [...new Set(ids.filter((i): i is string => i !== null))];
  if (wanted.length === 0) return new Map();
  const rows = await db
    .selectFrom('staff')
    .select(['id', 'username'])
    .where('id', 'in', wanted)
    .execute();
  return new Map(rows.map((r) => [r.id, r.username]));
}

/** Programmes' current names by id (a settlement line names its programme). */
async function programmeNames(
  db: Queryable,
  ids: readonly string[],
): Promise<Map<string, { es: string; en: string }>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('programmes as p')
    .innerJoin('programme_versions as v', (j) =>
      j.onRef('v.programme_id', '=', 'p.id').onRef('v.version', '=', 'p.current_version'),
    )
    .select(['p.id', 'v.name_es', 'v.name_en'])
    .where('p.id', 'in', [...new Set(ids)])
    .execute();
  return new Map(rows.map((r) => [r.id, { es: r.name_es, en: r.name_en }]));
}

async function present(db: Queryable, row: Selectable<SettlementsTable>): Promise<Settlement> {
  const lines = await db
    .selectFrom('settlement_lines')
    .selectAll()
    .where('settlement_id', '=', row.id)
    .orderBy('programme_id')
    .execute();
  const point = await db
    .selectFrom('points')
    .select(['code', 'name'])
    .where('id', '=', row.point_id)
    .executeTakeFirst();
  const names = await programmeNames(
    db,
    lines.map((l) => l.programme_id),
  );
  const people = await staffNames(db, [row.computed_by, row.approved_by]);
  const totals: Settlement['totals'] = {};
  const sums = new Map<string, { r: number; q: number; c: bigint; w: bigint; m: bigint }>();
  for (const l of lines) {
    const s = sums.get(l.currency) ?? { r: 0, q: 0, c: 0n, w: 0n, m: 0n };
    s.r += countOf(l.redemptions, 'redemptions');
    s.q += countOf(l.quantity, 'quantity');
    s.c += readAmount(l.cash_minor, 'cash_minor');
    s.w += readAmount(l.wallet_minor, 'wallet_minor');
    s.m += readAmount(l.reimbursement_minor, 'reimbursement_minor');
    sums.set(l.currency, s);
  }
  for (const [currency, s] of sums)
    totals[currency] = {
      redemptions: s.r,
      quantity: s.q,
      cash: amountToText(s.c),
      wallet: amountToText(s.w),
      reimbursement: amountToText(s.m),
    };
  return {
    id: row.id,
    pointId: row.point_id,
    pointCode: point?.code ?? null,
    pointName: point?.name ?? null,
    day: row.day,
    regionCode: row.region_code,
    merchantAccountId: row.merchant_account_id,
    status: row.status,
    computedAt: row.computed_at,
    computedBy: row.computed_by,
    approvedAt: row.approved_at,
    approvedBy: row.approved_by,
    computedByName: people.get(row.computed_by) ?? null,
    approvedByName: row.approved_by ? (people.get(row.approved_by) ?? null) : null,
    lines: lines.map((l) => ({
      ...presentLine(l),
      programmeName: names.get(l.programme_id) ?? null,
    })),
    totals,
  };
}

async function lockSettlement(
  trx: Queryable,
  app: AppContext,
  sid: string,
): Promise<Selectable<SettlementsTable> | undefined> {
  let q = trx.selectFrom('settlements').selectAll().where('id', '=', sid);
  if (app.db.engine === 'postgres') q = q.forUpdate();
  return q.executeTakeFirst();
}

/**
 * Computes (or computes again, while not approved) a point's settlement of a day. An approved
 * settlement is returned as it was approved, with `repeated`: nothing is paid twice.
 */
export async function computeSettlement(
  app: AppContext,
  caller: Caller,
  input: z.output<typeof settlementInput>,
): Promise<Settlement> {
  const db = app.db.kysely;
  const point = await pointInReach(db, caller, input.pointId, 'settlement:compute');
  const today = new Date(app.now().getTime());
  if (dayRange(app, input.day).from > today.toISOString())
    throw new DomainError('VALIDATION_FAILED', 'day: a day that has not begun yet.', 'day');
  const sid = settlementId(point.id, input.day);
  const by = humanOf(caller.actor);
  const at = app.now().toISOString();
  const result = await app.db.transaction(async (trx) => {
    const existing = await lockSettlement(trx, app, sid);
    if (existing?.status === 'approved') return { row: existing, repeated: true };
    const lines = await dayLines(app, trx, point, input.day);
    if (existing) {
      await trx
        .updateTable('settlements')
        .set({ computed_at: at, computed_by: by, merchant_account_id: point.merchant_account_id })
        .where('id', '=', sid)
        .where('status', '=', 'computed')
        .execute();
      const before = await trx
        .selectFrom('settlement_lines')
        .select('programme_id')
        .where('settlement_id', '=', sid)
        .execute();
      const kept = new Set(before.map((b) => b.programme_id));
      for (const l of lines) {
        if (kept.has(l.programme_id)) {
          const { settlement_id: _s, programme_id: _p, ...rest } = l;
          await trx
            .updateTable('settlement_lines')
            .set(rest)
            .where('settlement_id', '=', sid)
            .where('programme_id', '=', l.programme_id)
            .execute();
        } else await trx.insertInto('settlement_lines').values(l).execute();
      }
    } else {
      await trx
        .insertInto('settlements')
        .values({
          id: sid,
          point_id: point.id,
          day: input.day,
          region_code: point.region_code,
          merchant_account_id: point.merchant_account_id,
          status: 'computed',
          computed_at: at,
          computed_by: by,
          approved_at: null,
          approved_by: null,
        })
        .execute();
      await app.db.insertMany(trx, 'settlement_lines', lines);
    }
    await appendAudit(trx, app, caller, {
      operation: 'settlement.compute',
      permission: 'settlement:compute',
      details: {
        settlementId: sid,
        pointId: point.id,
        day: input.day,
        programmes: lines.length,
        reimbursement: lines.reduce((s, l) => s + BigInt(l.reimbursement_minor), 0n).toString(),
      },
    });
    return { row: (await lockSettlement(trx, app, sid))!, repeated: false };
  });
  const view = await present(db, result.row);
  return result.repeated ? { ...view, repeated: true } : view;
}

/**
 * Approves a computed settlement — by someone other than who computed it — and posts its
 * reimbursements in one linked chain, in the same transaction. Refused, with nothing written,
 * when the day's redemptions changed since it was computed, or a fund cannot pay.
 */
export async function approveSettlement(
  app: AppContext,
  caller: Caller,
  sid: string,
): Promise<Settlement> {
  const db = app.db.kysely;
  const found = await db
    .selectFrom('settlements')
    .select('point_id')
    .where('id', '=', sid)
    .executeTakeFirst();
  if (!found) throw new DomainError('NOT_FOUND', 'Settlement not found.', 'id');
  const point = await pointInReach(db, caller, found.point_id, 'settlement:approve');
  const by = humanOf(caller.actor);
  const row = await app.db.transaction(async (trx) => {
    const s = (await lockSettlement(trx, app, sid))!;
    if (s.status !== 'computed')
      throw new DomainError('INVALID_STATE', `The settlement is ${s.status}, not computed.`, 'id');
    if (caller.actor.kind === 'system')
      throw new DomainError(
        'FORBIDDEN',
        'A settlement is approved by a second person, signed in; never by the system.',
        'id',
      );
    if (s.computed_by === by)
      throw new DomainError(
        'FORBIDDEN',
        'A settlement is approved by someone other than who computed it.',
        'id',
      );
    const stored = await trx
      .selectFrom('settlement_lines')
      .selectAll()
      .where('settlement_id', '=', sid)
      .execute();
    const now = await dayLines(app, trx, point, s.day);
    if (!sameLines(stored, now))
      throw new DomainError(
        'INVALID_STATE',
        'The day’s redemptions or rates changed since the settlement was computed: compute it again.',
        'id',
      );
    const owed = stored.filter((l) => readAmount(l.reimbursement_minor, 'reimbursement') > 0n);
    if (owed.length > 0 && !s.merchant_account_id)
      throw new DomainError(
        'INVALID_STATE',
        'This point has no merchant account to be paid into.',
        'merchantAccountId',
      );
    const transfers: TransferInput[] = owed.map((l, i) => ({
      id: l.transfer_id,
      debitAccountId: l.fund_account_id!,
      creditAccountId: s.merchant_account_id!,
      amount: readAmount(l.reimbursement_minor, 'reimbursement'),
      ledger: l.currency,
      code: 'settlement',
      flags: { linked: i < owed.length - 1 },
    }));
    if (transfers.length > 0) {
      const { results } = await applyTransfersIn(trx, app, ledgerCaller, transfers);
      const bad = results.find((r) => r.result !== 'created' && r.result !== 'linked_event_failed');
      if (bad || results.some((r) => r.result !== 'created')) {
        const line = owed[bad?.index ?? 0]!;
        throw new DomainError(
          'INVALID_STATE',
          bad?.result === 'exceeds_credits'
            ? `The fund ${line.fund_account_id} does not hold the ${line.reimbursement_minor} owed for programme ${line.programme_id}.`
            : `The ledger refused the reimbursement of programme ${line.programme_id}: ${bad?.result ?? 'linked_event_failed'}.`,
          'id',
          { result: bad?.result ?? 'linked_event_failed', programmeId: line.programme_id },
        );
      }
    }
    const at = app.now().toISOString();
    await trx
      .updateTable('settlements')
      .set({ status: 'approved', approved_at: at, approved_by: by })
      .where('id', '=', sid)
      .where('status', '=', 'computed')
      .execute();
    await appendAudit(trx, app, caller, {
      operation: 'settlement.approve',
      permission: 'settlement:approve',
      details: {
        settlementId: sid,
        pointId: s.point_id,
        day: s.day,
        transfers: transfers.length,
        reimbursement: transfers.reduce((sum, t) => sum + t.amount!, 0n).toString(),
      },
    });
    return (await lockSettlement(trx, app, sid))!;
  });
  return present(db, row);
}

/** A settlement, by id. */
export async function getSettlement(
  app: AppContext,
  caller: Caller,
  sid: string,
): Promise<Settlement> {
  const db = app.db.kysely;
  const row = await db
    .selectFrom('settlements')
    .selectAll()
    .where('id', '=', sid)
    .executeTakeFirst();
  if (!row) throw new DomainError('NOT_FOUND', 'Settlement not found.', 'id');
  await pointInReach(db, caller, row.point_id, 'settlement:read');
  return present(db, row);
}

/** One point on a day, as the settlement screen lists it. */
export interface SettlementDayEntry {
  pointId: string;
  pointCode: string;
  pointName: string;
  regionCode: string;
  redemptions: number;
  settlementId: string;
  status: 'not_computed' | SettlementsTable['status'];
  computedBy: string | null;
  approvedBy: string | null;
}

/** The points of the caller's regions that handed something over on a day, and their state. */
export async function settlementDay(
  app: AppContext,
  caller: Caller,
  day: string,
): Promise<SettlementDayEntry[]> {
  requirePermission(caller.actor, 'settlement:read');
  const db = app.db.kysely;
  const { from, to } = dayRange(app, day);
  const regions = regionsFor(caller.actor, 'settlement:read');
  let q = db
    .selectFrom('redemptions as r')
    .innerJoin('points as p', 'p.id', 'r.point_id')
    .select(['p.id', 'p.code', 'p.name', 'p.region_code', sql<number>`count(*)`.as('n')])
    .where('r.redeemed_at', '>=', from)
    .where('r.redeemed_at', '<', to)
    .groupBy(['p.id', 'p.code', 'p.name', 'p.region_code'])
    .orderBy('p.code')
    .limit(500);
  if (regions !== '*') q = q.where('p.region_code', 'in', regions.length > 0 ? regions : ['']);
  if (
    !caller.actor.grants.some(
      (g) => g.role !== 'operator' && g.permissions.includes('settlement:read'),
    ) &&
    caller.actor.kind !== 'system'
  )
    q = q.where('p.id', 'in', (s) =>
      s
        .selectFrom('point_operators')
        .select('point_id')
        .where('staff_id', '=', humanOf(caller.actor))
        .where('removed_at', 'is', null),
    );
  const rows = await q.execute();
  const ids = rows.map((r) => settlementId(r.id, day));
  const settled = new Map(
    (
      await db
        .selectFrom('settlements')
        .selectAll()
        .where('id', 'in', ids.length > 0 ? ids : [''])
        .execute()
    ).map((s) => [s.id, s]),
  );
  return rows.map((r) => {
    const sid = settlementId(r.id, day);
    const s = settled.get(sid);
    return {
      pointId: r.id,
      pointCode: r.code,
      pointName: r.name,
      regionCode: r.region_code,
      redemptions: countOf(r.n, 'redemptions'),
      settlementId: sid,
      status: s?.status ?? 'not_computed',
      computedBy: s?.computed_by ?? null,
      approvedBy: s?.approved_by ?? null,
    };
  });
}

function presentRate(
  r: Selectable<import('./settlement-tables').SettlementRatesTable>,
): SettlementRate {
  return {
    id: r.id,
    programmeId: r.programme_id,
    currency: r.currency,
    perUnit: amountToText(readAmount(r.per_unit_minor, 'per_unit_minor')),
    fundAccountId: r.fund_account_id,
    effectiveFrom: r.effective_from,
    reason: r.reason,
    createdAt: r.created_at,
    createdBy: r.created_by,
  };
}

/** Records a programme's reimbursement rate from a day on (a new row; earlier ones stay). */
export async function setSettlementRate(
  app: AppContext,
  caller: Caller,
  input: SettlementRateInput,
): Promise<SettlementRate> {
  requirePermission(caller.actor, 'settlement:rate');
  if (regionsFor(caller.actor, 'settlement:rate') !== '*')
    throw new DomainError(
      'FORBIDDEN',
      'A reimbursement rate spends a national fund: settlement:rate must be held nationally.',
    );
  const db = app.db.kysely;
  const programme = await db
    .selectFrom('programmes')
    .select('id')
    .where('id', '=', input.programmeId)
    .executeTakeFirst();
  if (!programme) throw new DomainError('NOT_FOUND', 'Programme not found.', 'programmeId');
  const fund = await db
    .selectFrom('ledger_accounts')
    .select(['code', 'ledger'])
    .where('id', '=', input.fundAccountId)
    .executeTakeFirst();
  if (!fund || fund.code !== 'programme_fund')
    throw new DomainError(
      'VALIDATION_FAILED',
      'fundAccountId: not a programme fund.',
      'fundAccountId',
    );
  if (fund.ledger !== input.currency)
    throw new DomainError(
      'VALIDATION_FAILED',
      `currency: the fund holds ${fund.ledger}, not ${input.currency}.`,
      'currency',
    );
  const row = {
    id: app.newId(),
    programme_id: input.programmeId,
    currency: input.currency,
    per_unit_minor: input.perUnit,
    fund_account_id: input.fundAccountId,
    effective_from: input.effectiveFrom,
    reason: input.reason,
    created_at: app.now().toISOString(),
    created_by: humanOf(caller.actor),
  };
  await app.db.transaction(async (trx) => {
    await trx.insertInto('settlement_rates').values(row).execute();
    await appendAudit(trx, app, caller, {
      operation: 'settlement.rate',
      permission: 'settlement:rate',
      details: {
        rateId: row.id,
        programmeId: row.programme_id,
        perUnit: input.perUnit.toString(),
        effectiveFrom: row.effective_from,
      },
    });
  });
  return presentRate(row);
}

/** Every reimbursement rate (of one programme), newest first. */
export async function listSettlementRates(
  app: AppContext,
  caller: Caller,
  programmeId?: string,
): Promise<SettlementRate[]> {
  requirePermission(caller.actor, 'settlement:read');
  let q = app.db.kysely.selectFrom('settlement_rates').selectAll();
  if (programmeId) q = q.where('programme_id', '=', programmeId);
  const rows = await q
    .orderBy('programme_id')
    .orderBy('effective_from', 'desc')
    .orderBy('created_at', 'desc')
    .limit(500)
    .execute();
  return rows.map(presentRate);
}
