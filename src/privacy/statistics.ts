// Registry statistics (principle 5: statistics, not lists). Counts of active persons by up to
// three of region, age band and sex, with small cells and their complements suppressed so
// that no hidden count can be worked back out of the totals. Nothing here ever returns a
// person: the database hands back counts per group, and only counts leave this file.
import { sql } from 'kysely';
import { z } from 'zod';
import { regionsFor } from '../shared/access';
import { staleReads, type AppContext, type Caller } from '../shared/context';
import { DomainError } from '../shared/errors';
import { appendAudit } from './append-audit';
import { suppressTable, type SuppressedTable } from './suppression';

/** The dimensions a registry table may be grouped by. */
export const registryDimensions = ['region', 'ageBand', 'sex'] as const;
/** A registry statistics dimension. */
export type RegistryDimension = (typeof registryDimensions)[number];

/** Age bands by the youngest age in each, youngest first. */
export const ageBands = [
  { label: '0-4', minYears: 0 },
  { label: '5-17', minYears: 5 },
  { label: '18-29', minYears: 18 },
  { label: '30-44', minYears: 30 },
  { label: '45-59', minYears: 45 },
  { label: '60-74', minYears: 60 },
  { label: '75+', minYears: 75 },
] as const;

/** Sex labels: the recorded values, and `unknown` where none is recorded. */
export const sexLabels = ['F', 'M', 'X', 'unknown'] as const;

/** What to count by: 1–3 different dimensions. */
export const registryStatisticsInput = z
  .object({
    by: z
      .array(z.enum(registryDimensions))
      .min(1)
      .max(3)
      .refine((by) => new Set(by).size === by.length, 'name each dimension once'),
  })
  .strict();

/** A request for registry statistics: dimension names, checked against `registryDimensions`. */
export type RegistryStatisticsQuery = z.output<typeof registryStatisticsInput>;

/** A published table: counts with suppression applied, and what it covers. */
export type RegistryStatistics = SuppressedTable & {
  /** The instant ages were computed at. */
  asOf: string;
  /** Regions counted: all of them, or the caller's. */
  regions: string[];
};

const columnOf: Record<RegistryDimension, string> = {
  region: 'region_code',
  ageBand: 'age_band',
  sex: 'sex',
};

// The latest birth date (as ISO text) of someone aged `years` on `today`. Birth dates are
// stored as YYYY, YYYY-MM or YYYY-MM-DD text; comparing text counts a partial date from its
// first day, and a 29 February cut-off in a common year still sorts where it should.
function bornOnOrBefore(today: Date, years: number): string {
  const year = String(today.getUTCFullYear() - years).padStart(4, '0');
  return `${year}-${today.toISOString().slice(5, 10)}`;
}

/** The age band of `birth_date` (or of `column`) on `today`, as SQL. */
export function ageBandSql(today: Date, column = 'birth_date') {
  const older = [...ageBands].reverse().filter((b) => b.minYears > 0);
  const whens = older.map(
    (b) => sql`when ${sql.ref(column)} <= ${bornOnOrBefore(today, b.minYears)} then ${b.label}`,
  );
  return sql<string>`case ${sql.join(whens, sql` `)} else ${ageBands[0].label} end`;
}

function regionLabels(app: AppContext, caller: Caller): string[] {
  const known = Object.keys(app.config.regions).sort();
  const scope = regionsFor(caller.actor, 'stats:read');
  if (scope === '*') return known;
  if (scope.length === 0)
    throw new DomainError('FORBIDDEN', 'This action needs the permission stats:read.');
  const mine = known.filter((r) => scope.includes(r));
  if (mine.length === 0)
    throw new DomainError('FORBIDDEN', 'None of your regions is served by this deployment.');
  return mine;
}

/**
 * Counts active persons grouped by `by`, suppressed at `app.config.statsCellMin`; needs
 * stats:read, and a regional analyst sees their regions only. The request is audited.
 */
export async function registryStatistics(
  app: AppContext,
  caller: Caller,
  query: RegistryStatisticsQuery,
): Promise<RegistryStatistics> {
  const regions = regionLabels(app, caller);
  const { by } = query;
  const today = app.now();
  const labels: Record<RegistryDimension, readonly string[]> = {
    region: regions,
    ageBand: ageBands.map((b) => b.label),
    sex: sexLabels,
  };
  const groups = sql.join(by.map((d) => sql.ref(columnOf[d])));
  // Counts may be a moment old: they come from the read replica when one is configured. The
  // audit entry is written on the primary, and the table is returned only once it is.
  const { rows } = await sql<Record<string, unknown>>`
    select ${groups}, count(*) as n from (
      select region_code, coalesce(sex, 'unknown') as sex, ${ageBandSql(today)} as age_band
      from persons where status = 'active' and region_code in (${sql.join(regions)})
    ) p group by ${groups}`.execute(staleReads(app));
  return app.db.transaction(async (trx) => {
    const dimensions = by.map((d) => ({ name: d, labels: labels[d] }));
    const counts = new Array<number>(dimensions.reduce((n, d) => n * d.labels.length, 1)).fill(0);
    for (const row of rows) {
      let index = 0;
      for (const d of dimensions) {
        const position = d.labels.indexOf(String(row[columnOf[d.name]]));
        if (position < 0) throw new Error(`invariant violated: unexpected ${d.name} in statistics`);
        index = index * d.labels.length + position;
      }
      counts[index] = Number(row.n);
    }
    const table = suppressTable({ dimensions, counts }, { threshold: app.config.statsCellMin });
    await appendAudit(trx, app, caller, {
      operation: 'statistics.registry',
      permission: 'stats:read',
      details: { by },
    });
    return { ...table, asOf: today.toISOString(), regions };
  });
}
