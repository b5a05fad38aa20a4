// Stock at points of service, for in-kind programmes: what each point received per cycle, what
// it delivered (the sum of its redemptions' quantities) and what it has left — so that a point
// that records more deliveries than it received goods for is visible at once, to the programme
// administrators of its region and nationally. Stock never gates a redemption: a person in
// front of the counter is served, and the record shows the gap (the issue's words: "people are
// served; the record shows the gap"). Receipts and adjustments are movements, never edited:
// an adjustment (a loss, spoilage, a miscount) may be negative and carries its reason.
import { sql } from 'kysely';
import { z } from 'zod';
import type { Queryable } from '../db';
import { appendAudit } from '../privacy';
import { regionsFor, requirePermission } from '../shared/access';
import type { AppContext, Caller } from '../shared/context';
import { DomainError } from '../shared/errors';
import { id, reason } from '../shared/schemas';
import { localToday } from '../shared/local-day';
import { listablePoints, requireActsAtPoint } from './point-scope';
import { loadPoint, type Point } from './points';
import { programmeTerms } from './terms';
import type { StockMovementsTable } from './tables';

/** Programme kinds whose benefit is goods a point holds (cash is paid, never stocked). */
export const inKindKinds = ['basket', 'quota', 'medicine'] as const;
/** Cycles a point's stock view shows at most. */
export const stockCyclesShown = 12;
/** Movements shown per cycle in the stock view (the newest). */
export const stockMovementsShown = 50;
/** Days after its close that a cycle stays in the list of overdrawn points. */
export const overdrawnCloseDays = 60;
/** Most lines of the overdrawn list. */
export const overdrawnLinesMax = 500;

/** Recording stock at a point: a receipt, or an adjustment with its reason. */
export const stockInput = z
  .object({
    cycleId: id,
    kind: z.enum(['received', 'adjustment']),
    /** Units of the entitlement (boxes, litres, prescriptions). */
    quantity: z.number().int().min(-1_000_000).max(1_000_000),
    /** For a receipt: the delivery note or waybill it came with. */
    reference: z.string().trim().min(1).max(120).optional(),
    /** For an adjustment: why (a loss, spoilage, a recount). */
    reason: reason.optional(),
  })
  .strict();
/** Recording stock, validated. */
export type StockInput = z.output<typeof stockInput>;

/** One movement of stock, as the API shows it. */
export interface StockMovement {
  id: string;
  kind: StockMovementsTable['kind'];
  quantity: number;
  reference: string;
  at: string;
  by: string;
}

/** A point's stock for one cycle. */
export interface StockLine {
  cycleId: string;
  cycleLabel: string;
  cycleStatus: string;
  opensOn: string;
  closesOn: string;
  programmeId: string;
  programmeCode: string;
  programmeName: { es: string; en: string };
  unit: string;
  /** Sum of receipts. */
  received: number;
  /** Sum of adjustments (negative for losses). */
  adjusted: number;
  /** Sum of the quantities of this point's redemptions in the cycle. */
  delivered: number;
  /** received + adjusted − delivered; negative when the point delivered more than it had. */
  left: number;
  /** True when the point recorded more deliveries than it had stock for. */
  overdrawn: boolean;
  movements: StockMovement[];
}

/** A point's stock view. */
export interface PointStock {
  point: Pick<Point, 'id' | 'code' | 'name' | 'regionCode' | 'kind'>;
  items: StockLine[];
}

interface CycleRow {
  id: string;
  label: string;
  status: string;
  opens_on: string;
  closes_on: string;
  programme_id: string;
  programme_version: number;
  kind: string;
}

function cycleQuery(db: Queryable) {
  return db
    .selectFrom('cycles as c')
    .innerJoin('programmes as p', 'p.id', 'c.programme_id')
    .select([
      'c.id',
      'c.label',
      'c.status',
      'c.opens_on',
      'c.closes_on',
      'c.programme_id',
      'c.programme_version',
      'p.kind',
    ]);
}

async function sums(
  db: Queryable,
  pointId: string,
  cycleIds: readonly string[],
): Promise<Map<string, { received: number; adjusted: number; delivered: number }>> {
  const out = new Map<string, { received: number; adjusted: number; delivered: number }>();
  for (const c of cycleIds) out.set(c, { received: 0, adjusted: 0, delivered: 0 });
  if (cycleIds.length === 0) return out;
  const moved = await db
    .selectFrom('stock_movements')
    .select(['cycle_id', 'kind', (eb) => eb.fn.sum<number | string>('quantity').as('total')])
    .where('point_id', '=', pointId)
    .where('cycle_id', 'in', cycleIds)
    .groupBy(['cycle_id', 'kind'])
    .execute();
  for (const m of moved) {
    const line = out.get(m.cycle_id)!;
    if (m.kind === 'received') line.received += Number(m.total);
    else line.adjusted += Number(m.total);
  }
  const delivered = await db
    .selectFrom('redemptions')
    .select(['cycle_id', (eb) => eb.fn.sum<number | string>('quantity').as('total')])
    .where('point_id', '=', pointId)
    .where('cycle_id', 'in', cycleIds)
    .groupBy('cycle_id')
    .execute();
  for (const d of delivered) out.get(d.cycle_id)!.delivered = Number(d.total);
  return out;
}

async function stockLines(
  db: Queryable,
  pointId: string,
  cycles: readonly CycleRow[],
): Promise<StockLine[]> {
  const totals = await sums(
    db,
    pointId,
    cycles.map((c) => c.id),
  );
  const lines: StockLine[] = [];
  for (const c of cycles) {
    const terms = await programmeTerms(db, c.programme_id, c.programme_version);
    const t = totals.get(c.id)!;
    const movements = await db
      .selectFrom('stock_movements')
      .selectAll()
      .where('point_id', '=', pointId)
      .where('cycle_id', '=', c.id)
      .orderBy('at', 'desc')
      .orderBy('id', 'desc')
      .limit(stockMovementsShown)
      .execute();
    const left = t.received + t.adjusted - t.delivered;
    lines.push({
      cycleId: c.id,
      cycleLabel: c.label,
      cycleStatus: c.status,
      opensOn: c.opens_on,
      closesOn: c.closes_on,
      programmeId: c.programme_id,
      programmeCode: terms.code,
      programmeName: terms.name,
      unit: terms.unit,
      received: t.received,
      adjusted: t.adjusted,
      delivered: t.delivered,
      left,
      overdrawn: left < 0,
      movements: movements.map((m) => ({
        id: m.id,
        kind: m.kind,
        quantity: Number(m.quantity),
        reference: m.reference,
        at: m.at,
        by: m.by,
      })),
    });
  }
  return lines;
}

function pointSummary(p: Point): PointStock['point'] {
  return { id: p.id, code: p.code, name: p.name, regionCode: p.regionCode, kind: p.kind };
}

/**
 * A point's stock, per cycle: the cycles of the in-kind programmes it serves (and any other it
 * holds stock or deliveries of), newest first; one cycle when `cycleId` is given.
 */
export async function pointStock(
  app: AppContext,
  caller: Caller,
  pointId: string,
  cycleId?: string,
): Promise<PointStock> {
  requirePermission(caller.actor, 'stock:read');
  const db = app.db.kysely;
  const point = await loadPoint(db, caller, pointId, 'stock:read');
  await requireActsAtPoint(db, caller, point, 'stock:read');
  let cycles: CycleRow[];
  if (cycleId) {
    const row = await cycleQuery(db).where('c.id', '=', cycleId).executeTakeFirst();
    if (!row) throw new DomainError('NOT_FOUND', 'Cycle not found.', 'cycleId');
    cycles = [row];
  } else {
    const held = db
      .selectFrom('stock_movements')
      .select('cycle_id')
      .where('point_id', '=', pointId);
    cycles = await cycleQuery(db)
      .where('p.kind', 'in', inKindKinds)
      .where('c.status', 'in', ['frozen', 'generated', 'approved', 'closed'])
      .where((eb) =>
        eb.or([
          ...(point.programmeIds.length > 0
            ? [eb('c.programme_id', 'in', point.programmeIds)]
            : []),
          eb('c.id', 'in', held),
        ]),
      )
      .orderBy('c.opens_on', 'desc')
      .orderBy('c.id')
      .limit(stockCyclesShown)
      .execute();
  }
  return { point: pointSummary(point), items: await stockLines(db, pointId, cycles) };
}

/** Records a receipt or an adjustment of stock at a point; returns the cycle's stock line. */
export async function recordStock(
  app: AppContext,
  caller: Caller,
  pointId: string,
  input: StockInput,
): Promise<StockLine & { movementId: string }> {
  requirePermission(caller.actor, 'stock:write');
  if (input.kind === 'received' && input.quantity <= 0)
    throw new DomainError(
      'VALIDATION_FAILED',
      'quantity: a receipt is a positive number of units (record a loss as an adjustment).',
      'quantity',
    );
  if (input.kind === 'adjustment' && input.quantity === 0)
    throw new DomainError('VALIDATION_FAILED', 'quantity: an adjustment is not 0.', 'quantity');
  if (input.kind === 'adjustment' && !input.reason)
    throw new DomainError(
      'VALIDATION_FAILED',
      'reason: an adjustment needs its reason (a loss, spoilage, a recount).',
      'reason',
    );
  const movementId = app.newId();
  const line = await app.db.transaction(async (trx) => {
    const point = await loadPoint(trx, caller, pointId, 'stock:write');
    await requireActsAtPoint(trx, caller, point, 'stock:write');
    if (point.status !== 'active')
      throw new DomainError('INVALID_STATE', 'That point of service is closed.', 'pointId');
    const cycle = await cycleQuery(trx).where('c.id', '=', input.cycleId).executeTakeFirst();
    if (!cycle) throw new DomainError('NOT_FOUND', 'Cycle not found.', 'cycleId');
    if (!(inKindKinds as readonly string[]).includes(cycle.kind))
      throw new DomainError(
        'VALIDATION_FAILED',
        'cycleId: that programme pays money; only goods are stocked.',
        'cycleId',
      );
    if (!point.programmeIds.includes(cycle.programme_id))
      throw new DomainError(
        'VALIDATION_FAILED',
        'cycleId: this point does not serve that programme.',
        'cycleId',
      );
    if (cycle.status === 'draft' || cycle.status === 'cancelled')
      throw new DomainError(
        'INVALID_STATE',
        `That cycle is ${cycle.status}: stock is recorded for a frozen, approved or closed cycle.`,
        'cycleId',
      );
    await trx
      .insertInto('stock_movements')
      .values({
        id: movementId,
        point_id: pointId,
        cycle_id: input.cycleId,
        kind: input.kind,
        quantity: input.quantity,
        reference:
          input.kind === 'adjustment'
            ? (input.reason ?? '')
            : (input.reference ?? input.reason ?? ''),
        at: app.now().toISOString(),
        by: caller.actor.id,
      })
      .execute();
    await appendAudit(trx, app, caller, {
      operation: 'stock.record',
      permission: 'stock:write',
      details: {
        pointId,
        cycleId: input.cycleId,
        movementId,
        kind: input.kind,
        quantity: input.quantity,
      },
    });
    const [made] = await stockLines(trx, pointId, [cycle]);
    return made!;
  });
  return { ...line, movementId };
}

/** A point that delivered more than it had in a cycle. */
export interface OverdrawnLine {
  pointId: string;
  pointCode: string;
  pointName: string;
  regionCode: string;
  cycleId: string;
  cycleLabel: string;
  programmeId: string;
  received: number;
  delivered: number;
  /** How many units more were delivered than received (and adjusted). */
  gap: number;
}

/** Which points are overdrawn: of one cycle, one region, or every recent cycle. */
export const overdrawnQuery = z
  .object({
    cycleId: id.optional(),
    regionCode: z
      .string()
      .regex(/^[A-Z]{2}-[A-Z0-9]{1,3}$/, 'must be a region code like VE-A')
      .optional(),
  })
  .strict();

/**
 * The points in the caller's regions that recorded more deliveries than they received in a
 * cycle: of `cycleId`, or of every in-kind cycle open for collection or closed within the last
 * `overdrawnCloseDays` days. Worst gap first.
 */
export async function overdrawnPoints(
  app: AppContext,
  caller: Caller,
  query: z.output<typeof overdrawnQuery> = {},
): Promise<{ items: OverdrawnLine[] }> {
  requirePermission(caller.actor, 'stock:read');
  const db = app.db.kysely;
  const filter = await listablePoints(db, caller.actor, 'stock:read');
  if (filter.regions !== '*' && filter.regions.length === 0 && filter.pointIds.length === 0)
    return { items: [] };
  if (
    query.regionCode &&
    regionsFor(caller.actor, 'stock:read') !== '*' &&
    !(regionsFor(caller.actor, 'stock:read') as string[]).includes(query.regionCode)
  )
    return { items: [] };
  const since = new Date(`${localToday(app)}T00:00:00Z`);
  since.setUTCDate(since.getUTCDate() - overdrawnCloseDays);
  const cycles = cycleQuery(db)
    .clearSelect()
    .select('c.id')
    .where('p.kind', 'in', inKindKinds)
    .$if(query.cycleId !== undefined, (q) => q.where('c.id', '=', query.cycleId!))
    .$if(query.cycleId === undefined, (q) =>
      q
        .where('c.status', 'in', ['approved', 'closed'])
        .where('c.closes_on', '>=', since.toISOString().slice(0, 10)),
    );
  const moves = db
    .selectFrom('stock_movements')
    .select(['point_id', 'cycle_id', 'quantity as received', sql<number>`0`.as('delivered')])
    .where('cycle_id', 'in', cycles)
    .unionAll(
      db
        .selectFrom('redemptions')
        .select(['point_id', 'cycle_id', sql<number>`0`.as('received'), 'quantity as delivered'])
        .where('cycle_id', 'in', cycles),
    )
    .as('x');
  const rows = await db
    .selectFrom(moves)
    .innerJoin('points as pt', 'pt.id', 'x.point_id')
    .innerJoin('cycles as c', 'c.id', 'x.cycle_id')
    .select([
      'pt.id as point_id',
      'pt.code',
      'pt.name',
      'pt.region_code',
      'c.id as cycle_id',
      'c.label',
      'c.programme_id',
      (eb) => eb.fn.sum<number | string>('x.received').as('received'),
      (eb) => eb.fn.sum<number | string>('x.delivered').as('delivered'),
    ])
    .$if(query.regionCode !== undefined, (q) => q.where('pt.region_code', '=', query.regionCode!))
    .$if(filter.regions !== '*', (q) =>
      q.where((eb) =>
        eb.or([
          ...((filter.regions as string[]).length > 0
            ? [eb('pt.region_code', 'in', filter.regions as string[])]
            : []),
          ...(filter.pointIds.length > 0 ? [eb('pt.id', 'in', filter.pointIds)] : []),
        ]),
      ),
    )
    .groupBy(['pt.id', 'pt.code', 'pt.name', 'pt.region_code', 'c.id', 'c.label', 'c.programme_id'])
    .having((eb) => eb(eb.fn.sum('x.delivered'), '>', eb.fn.sum('x.received')))
    .orderBy(sql`sum(x.delivered) - sum(x.received)`, 'desc')
    .orderBy('pt.code')
    .limit(overdrawnLinesMax)
    .execute();
  return {
    items: rows.map((r) => ({
      pointId: r.point_id,
      pointCode: r.code,
      pointName: r.name,
      regionCode: r.region_code,
      cycleId: r.cycle_id,
      cycleLabel: r.label,
      programmeId: r.programme_id,
      received: Number(r.received),
      delivered: Number(r.delivered),
      gap: Number(r.delivered) - Number(r.received),
    })),
  };
}
