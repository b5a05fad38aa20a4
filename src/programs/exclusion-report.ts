// The exclusion monitor: for a cycle, by region, how many were eligible, how many got an
// entitlement, how many collected, how many collected without a card, how many eligible
// people hold no card at all (and must still be served), and how many never collected. It is
// the question the system this one is modelled on never asked: who was left out. Counts only,
// each measure suppressed over the regions like every published statistic.
import { sql } from 'kysely';
import type { Queryable } from '../db';
import { appendAudit, suppressTable, type SuppressedTable } from '../privacy';
import { humanOf, requirePermission, regionsFor } from '../shared/access';
import type { AppContext, Caller } from '../shared/context';
import { DomainError } from '../shared/errors';
import { z } from 'zod';
import { readStoredJson } from '../shared/stored-json';
import { loadCycle } from './cycle-store';
import { loadProgramme } from './programmes';

import { exclusionMeasures, type ExclusionMeasure } from './exclusion-measures';

export { exclusionMeasures, type ExclusionMeasure };

/** A cycle's exclusion report: each measure by region, suppressed. */
export interface ExclusionReport {
  id: string | null;
  cycleId: string;
  generatedAt: string;
  final: boolean;
  regions: string[];
  threshold: number;
  measures: Record<ExclusionMeasure, SuppressedTable>;
}

type Counts = Record<ExclusionMeasure, Map<string, number>>;

// A stored report is read back through its schema, never cast.
const storedTable = z.object({
  dimensions: z.array(z.object({ name: z.string(), labels: z.array(z.string()) })),
  threshold: z.number(),
  cells: z.array(
    z.object({
      labels: z.array(z.string().nullable()),
      isTotal: z.boolean(),
      value: z.number().nullable(),
      suppressed: z.boolean(),
      suppression: z.enum(['primary', 'secondary']).nullable(),
    }),
  ),
});
// A report stored before a measure existed lacks it: it reads back as not counted (every
// cell empty and suppressed), never as zero.
const storedReport = z.object({
  cycleId: z.string(),
  generatedAt: z.string(),
  regions: z.array(z.string()),
  threshold: z.number(),
  measures: z.object(
    Object.fromEntries(exclusionMeasures.map((m) => [m, storedTable.optional()])) as Record<
      ExclusionMeasure,
      z.ZodOptional<typeof storedTable>
    >,
  ),
});

function notCounted(regions: readonly string[], threshold: number): SuppressedTable {
  return {
    dimensions: [{ name: 'region', labels: [...regions] }],
    threshold,
    cells: [
      ...regions.map((r) => ({
        labels: [r],
        isTotal: false,
        value: null,
        suppressed: true,
        suppression: 'primary' as const,
      })),
      { labels: [null], isTotal: true, value: null, suppressed: true, suppression: 'primary' },
    ],
  };
}

async function countByRegion(db: Queryable, cycleId: string): Promise<Counts> {
  const counts = Object.fromEntries(
    exclusionMeasures.map((m) => [m, new Map<string, number>()]),
  ) as Counts;
  const add = (
    m: ExclusionMeasure,
    rows: { region_code: string; n: number | string | bigint }[],
  ) => {
    for (const r of rows) counts[m].set(r.region_code, Number(r.n));
  };
  const members = await sql<{ region_code: string; eligible: number; without_card: number }>`
    select m.region_code, count(*) as eligible,
      sum(case when c.person_id is null then 1 else 0 end) as without_card
    from cycle_members m
    left join cards c on c.person_id = m.person_id and c.status = 'active'
    where m.cycle_id = ${cycleId}
    group by m.region_code`.execute(db);
  add(
    'eligible',
    members.rows.map((r) => ({ region_code: r.region_code, n: r.eligible })),
  );
  add(
    'eligibleWithoutCard',
    members.rows.map((r) => ({ region_code: r.region_code, n: r.without_card })),
  );
  const ents = await sql<{
    region_code: string;
    n: number;
    redeemed: number;
    without_card: number;
    paused: number;
    void: number;
    unredeemed: number;
  }>`
    select region_code, count(*) as n,
      sum(case when redeemed_quantity > 0 then 1 else 0 end) as redeemed,
      sum(case when redeemed_quantity > 0 and last_proof_kind is not null and last_proof_kind <> 'card'
               then 1 else 0 end) as without_card,
      sum(case when status = 'paused' then 1 else 0 end) as paused,
      sum(case when status = 'void' then 1 else 0 end) as void,
      sum(case when redeemed_quantity = 0 and status in ('issued', 'expired', 'paused') then 1 else 0 end)
        as unredeemed
    from entitlements where cycle_id = ${cycleId} group by region_code`.execute(db);
  for (const r of ents.rows) {
    counts.entitlements.set(r.region_code, Number(r.n));
    counts.redeemed.set(r.region_code, Number(r.redeemed));
    counts.redeemedWithoutCard.set(r.region_code, Number(r.without_card));
    counts.paused.set(r.region_code, Number(r.paused));
    counts.void.set(r.region_code, Number(r.void));
    counts.unredeemed.set(r.region_code, Number(r.unredeemed));
  }
  return counts;
}

/** Computes a cycle's exclusion report now (not stored). */
export async function computeExclusionReport(
  db: Queryable,
  app: AppContext,
  cycleId: string,
  regions: readonly string[],
): Promise<Omit<ExclusionReport, 'id' | 'final'>> {
  const counts = await countByRegion(db, cycleId);
  const labels = [...regions];
  // Complaints that someone was left out, filed from the cycle's first day to its last (or
  // now), counted by the grievances domain through its port: counts only, never who.
  const cycle = await db
    .selectFrom('cycles')
    .select(['opens_on', 'closes_on'])
    .where('id', '=', cycleId)
    .executeTakeFirstOrThrow();
  if (app.grievanceSignals) {
    const until = new Date(Date.parse(`${cycle.closes_on}T00:00:00.000Z`) + 86_400_000);
    const to = new Date(Math.min(until.getTime(), app.now().getTime() + 1)).toISOString();
    counts.exclusionComplaints = await app.grievanceSignals.exclusionComplaintsByRegion(
      db,
      labels,
      `${cycle.opens_on}T00:00:00.000Z`,
      to,
    );
  }
  const threshold = app.config.statsCellMin;
  const measures = Object.fromEntries(
    exclusionMeasures.map((m) => [
      m,
      suppressTable(
        {
          dimensions: [{ name: 'region', labels }],
          counts: labels.map((r) => counts[m].get(r) ?? 0),
        },
        { threshold },
      ),
    ]),
  ) as Record<ExclusionMeasure, SuppressedTable>;
  return { cycleId, generatedAt: app.now().toISOString(), regions: labels, threshold, measures };
}

/** Computes and stores a report (closing stores the final one). */
export async function storeExclusionReport(
  trx: Queryable,
  app: AppContext,
  caller: Caller,
  cycleId: string,
  final: boolean,
): Promise<ExclusionReport & { id: string }> {
  const cycle = await loadCycle(trx, cycleId);
  const report = await computeExclusionReport(trx, app, cycleId, cycle.regions);
  const id = app.newId();
  await trx
    .insertInto('exclusion_reports')
    .values({
      id,
      cycle_id: cycleId,
      generated_at: report.generatedAt,
      generated_by: humanOf(caller.actor),
      final: final ? 1 : 0,
      report: JSON.stringify(report),
    })
    .execute();
  await appendAudit(trx, app, caller, {
    operation: 'exclusion.report',
    details: { cycleId, reportId: id, final },
  });
  return { ...report, id, final };
}

// A regional reader sees their regions' rows and no national total: the suppression done over
// all regions still protects every hidden cell, since without the total none can be recomputed.
function narrowed(report: ExclusionReport, scope: '*' | string[]): ExclusionReport {
  if (scope === '*') return report;
  const regions = report.regions.filter((r) => scope.includes(r));
  if (regions.length === 0) throw new DomainError('NOT_FOUND', 'Cycle not found.', 'cycleId');
  const narrow = (table: SuppressedTable): SuppressedTable => ({
    ...table,
    dimensions: [{ name: 'region', labels: regions }],
    cells: table.cells.filter((c) => {
      const region = c.labels[0];
      return typeof region === 'string' && regions.includes(region);
    }),
  });
  const measures = Object.fromEntries(
    exclusionMeasures.map((m) => [m, narrow(report.measures[m])]),
  ) as Record<ExclusionMeasure, SuppressedTable>;
  return { ...report, regions, measures };
}

/**
 * The cycle's exclusion report: the stored final one for a closed cycle, otherwise computed
 * now (and stored, so every report anyone saw of a cycle can be found again).
 */
export async function exclusionReport(
  app: AppContext,
  caller: Caller,
  cycleId: string,
): Promise<ExclusionReport> {
  requirePermission(caller.actor, 'exclusion:read');
  return reportOf(app, caller, cycleId, true);
}

// The report of one cycle as the caller may see it: the stored final one of a closed cycle,
// otherwise computed now — and stored when `store` says so (a cycle's own report is; the
// trend, which reads every cycle of a programme at once, only computes).
async function reportOf(
  app: AppContext,
  caller: Caller,
  cycleId: string,
  store: boolean,
): Promise<ExclusionReport> {
  const scope = regionsFor(caller.actor, 'exclusion:read');
  const cycle = await loadCycle(app.db.kysely, cycleId);
  if (scope !== '*' && !cycle.regions.some((r) => scope.includes(r)))
    throw new DomainError('NOT_FOUND', 'Cycle not found.', 'cycleId');
  if (cycle.row.status === 'closed') {
    const stored = await app.db.kysely
      .selectFrom('exclusion_reports')
      .selectAll()
      .where('cycle_id', '=', cycleId)
      .where('final', '=', 1)
      .orderBy('generated_at', 'desc')
      .executeTakeFirst();
    if (!stored)
      throw new Error(`invariant violated: closed cycle ${cycleId} has no final exclusion report`);
    const body = readStoredJson(
      storedReport,
      stored.report,
      `exclusion_reports ${stored.id} report`,
    );
    const measures = Object.fromEntries(
      exclusionMeasures.map((m) => [
        m,
        body.measures[m] ?? notCounted(body.regions, body.threshold),
      ]),
    ) as Record<ExclusionMeasure, SuppressedTable>;
    return narrowed({ ...body, measures, id: stored.id, final: true }, scope);
  }
  const report = store
    ? await app.db.transaction((trx) => storeExclusionReport(trx, app, caller, cycleId, false))
    : {
        ...(await computeExclusionReport(app.db.kysely, app, cycleId, cycle.regions)),
        id: null,
        final: false,
      };
  return narrowed(report, scope);
}

/** Exclusion reports of every cycle of a programme, for the dashboard's trend. */
export async function programmeExclusionTrend(
  app: AppContext,
  caller: Caller,
  programmeId: string,
): Promise<
  {
    cycleId: string;
    label: string;
    status: string;
    eligible: number | null;
    redeemed: number | null;
    unredeemed: number | null;
    eligibleWithoutCard: number | null;
  }[]
> {
  requirePermission(caller.actor, 'exclusion:read');
  const programme = await loadProgramme(app.db.kysely, programmeId);
  const scope = regionsFor(caller.actor, 'exclusion:read');
  if (scope !== '*' && !programme.current.serviceAreas.some((a) => scope.includes(a.regionCode)))
    throw new DomainError('NOT_FOUND', 'Programme not found.', 'programmeId');
  const cycles = await app.db.kysely
    .selectFrom('cycles')
    .select(['id', 'label', 'status'])
    .where('programme_id', '=', programmeId)
    .where('status', 'in', ['generated', 'approved', 'closed'])
    .orderBy('opens_on')
    .limit(36)
    .execute();
  const out = [];
  for (const c of cycles) {
    const r = await reportOf(app, caller, c.id, false);
    const total = (m: ExclusionMeasure) =>
      r.measures[m].cells.find((x) => x.isTotal)?.value ?? null;
    out.push({
      cycleId: c.id,
      label: c.label,
      status: c.status,
      eligible: total('eligible'),
      redeemed: total('redeemed'),
      unredeemed: total('unredeemed'),
      eligibleWithoutCard: total('eligibleWithoutCard'),
    });
  }
  return out;
}
