// Counts of grievances by category, region and outcome, with small cells suppressed like every
// published statistic — what the exclusion monitor and the programme dashboards read. Never a
// list: a count of one is a person.
import { z } from 'zod';
import type { Queryable } from '../db';
import { appendAudit, suppressTable, type SuppressedTable } from '../privacy';
import { regionsFor, requirePermission } from '../shared/access';
import type { AppContext, Caller } from '../shared/context';
import { DomainError } from '../shared/errors';
import { grievanceCategories } from './settings';

/** The outcome dimension: still open, or how it ended (the appeal's decision when appealed). */
export const outcomeLabels = ['open', 'upheld', 'partly_upheld', 'not_upheld'] as const;

/** The period asked for (filed in [from, to)); the last 365 days by default. */
export const aggregatesQuery = z
  .object({ from: z.iso.date().optional(), to: z.iso.date().optional() })
  .strict();

/** Grievance counts, suppressed. */
export interface GrievanceAggregates {
  from: string;
  to: string;
  regions: string[];
  byCategory: SuppressedTable;
  byOutcome: SuppressedTable;
}

interface Row {
  region_code: string;
  category: string;
  status: string;
  outcome: string | null;
  appeal_outcome: string | null;
  n: number | string | bigint;
}

async function countRows(
  db: Queryable,
  regions: readonly string[],
  from: string,
  to: string,
): Promise<Row[]> {
  if (regions.length === 0) return [];
  return db
    .selectFrom('grievances')
    .select(['region_code', 'category', 'status', 'outcome', 'appeal_outcome'])
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('region_code', 'in', [...regions])
    .where('filed_at', '>=', from)
    .where('filed_at', '<', to)
    .groupBy(['region_code', 'category', 'status', 'outcome', 'appeal_outcome'])
    .execute();
}

/** Counts by region of complaints of exclusion: the exclusion monitor's port. */
export async function exclusionComplaintsByRegion(
  db: Queryable,
  regions: readonly string[],
  from: string,
  to: string,
): Promise<Map<string, number>> {
  const out = new Map<string, number>(regions.map((r) => [r, 0]));
  for (const r of await countRows(db, regions, from, to))
    if (r.category === 'excluded')
      out.set(r.region_code, (out.get(r.region_code) ?? 0) + Number(r.n));
  return out;
}

/** Grievance counts in the caller's regions by category × region and outcome × region. */
export async function grievanceAggregates(
  app: AppContext,
  caller: Caller,
  query: z.output<typeof aggregatesQuery> = {},
): Promise<GrievanceAggregates> {
  requirePermission(caller.actor, 'grievance:stats');
  const scope = regionsFor(caller.actor, 'grievance:stats');
  const known = Object.keys(app.config.regions).sort();
  const regions = scope === '*' ? known : known.filter((r) => scope.includes(r));
  const to = query.to ?? new Date(app.now().getTime() + 86_400_000).toISOString().slice(0, 10);
  const from = query.from ?? new Date(Date.parse(to) - 365 * 86_400_000).toISOString().slice(0, 10);
  if (from >= to) throw new DomainError('VALIDATION_FAILED', 'from: must be before to', 'from');
  const rows = await countRows(app.db.kysely, regions, from, `${to}T00:00:00.000Z`);
  const categories = [...grievanceCategories] as string[];
  const outcomesList = [...outcomeLabels] as string[];
  const byCategory = new Array<number>(categories.length * regions.length).fill(0);
  const byOutcome = new Array<number>(outcomesList.length * regions.length).fill(0);
  for (const r of rows) {
    const ri = regions.indexOf(r.region_code);
    if (ri < 0) continue;
    const n = Number(r.n);
    byCategory[categories.indexOf(r.category) * regions.length + ri]! += n;
    const ended =
      r.status === 'closed' ? r.appeal_outcome : r.status === 'resolved' ? r.outcome : null;
    byOutcome[outcomesList.indexOf(ended ?? 'open') * regions.length + ri]! += n;
  }
  const threshold = app.config.statsCellMin;
  const result = {
    from,
    to,
    regions,
    byCategory: suppressTable(
      {
        dimensions: [
          { name: 'category', labels: categories },
          { name: 'region', labels: regions },
        ],
        counts: byCategory,
      },
      { threshold },
    ),
    byOutcome: suppressTable(
      {
        dimensions: [
          { name: 'outcome', labels: outcomesList },
          { name: 'region', labels: regions },
        ],
        counts: byOutcome,
      },
      { threshold },
    ),
  };
  await app.db.transaction((trx) =>
    appendAudit(trx, app, caller, {
      operation: 'grievance.stats',
      permission: 'grievance:stats',
      details: { from, to },
    }),
  );
  return result;
}
