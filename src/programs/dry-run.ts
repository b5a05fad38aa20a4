// A rule's dry run: what the rule would select today, as counts by region, age band and sex
// with small cells suppressed — the rule editor calls it as the administrator types. A few
// sample persons are added only for a caller who may read persons in those regions, with a
// declared purpose, and the read is audited like any other.
import { sql } from 'kysely';
import { z } from 'zod';
import { ageBands, ageBandSql, appendAudit, suppressTable, type SuppressedTable } from '../privacy';
import { regionsFor, requirePermission } from '../shared/access';
import type { AppContext, Caller } from '../shared/context';
import { DomainError } from '../shared/errors';
import { programmeKinds } from './programme-input';
import { dropHealthValues, openHealthValues } from './health-values';
import { checkedRule } from './rule-environment';
import { ruleSelect, type RuleUses } from './rules';

/** A dry-run request: a rule (not yet saved) for a programme kind and target. */
export const dryRunInput = z
  .object({
    rule: z.string().min(1).max(4000),
    kind: z.enum(programmeKinds),
    target: z.enum(['person', 'household']).default('person'),
    regions: z.array(z.string().min(2).max(10)).min(1).max(100).optional(),
    referenceDate: z.iso.date().optional(),
    samples: z.number().int().min(0).max(10).default(0),
  })
  .strict();
/** A dry-run request, validated. */
export type DryRunInput = z.output<typeof dryRunInput>;

/** A sample person of a dry run: enough to recognise a record, no more. */
export interface DryRunSample {
  personId: string;
  registryNumber: string;
  givenNames: string;
  surname1: string | null;
  birthDate: string;
  regionCode: string;
}

/** What a dry run found. */
export interface DryRunResult {
  total: number | null;
  counts: SuppressedTable;
  uses: RuleUses;
  referenceDate: string;
  regions: string[];
  milliseconds: number;
  samples: DryRunSample[];
}

const sexLabels = ['F', 'M', 'X', 'unknown'];

/** Runs a rule over the registry without storing anything; counts are suppressed. */
export async function dryRunRule(
  app: AppContext,
  caller: Caller,
  input: DryRunInput,
): Promise<DryRunResult> {
  requirePermission(caller.actor, 'cycle:manage');
  const scope = regionsFor(caller.actor, 'cycle:manage');
  const known = Object.keys(app.config.regions).sort();
  const asked = input.regions ?? (scope === '*' ? known : scope.filter((r) => known.includes(r)));
  asked.forEach((r, i) => {
    if (!known.includes(r))
      throw new DomainError(
        'VALIDATION_FAILED',
        `regions.${i}: "${r}" is not a region this deployment serves`,
        `regions.${i}`,
      );
    if (scope !== '*' && !scope.includes(r))
      throw new DomainError(
        'FORBIDDEN',
        `regions.${i}: ${r} is not one of your regions`,
        `regions.${i}`,
      );
  });
  const regions = [...new Set(asked)].sort();
  const referenceDate = input.referenceDate ?? app.now().toISOString().slice(0, 10);
  const started = performance.now();
  return app.db.transaction(async (trx) => {
    const { rule, uses } = await checkedRule(trx, app, input.kind, input.rule);
    const health = uses.health.length > 0;
    if (health) await openHealthValues(trx, app, caller, app.db.engine, regions, { dryRun: true });
    const selected = ruleSelect(rule, {
      engine: app.db.engine,
      referenceDate,
      regions,
      target: input.target,
      healthTable: health,
    });
    const { rows } = await sql<{
      region_code: string;
      age_band: string;
      sex: string;
      n: number | string;
    }>`
      select region_code, age_band, sex, count(*) as n from (
        select r.region_code, coalesce(r.sex, 'unknown') as sex,
          ${ageBandSql(new Date(`${referenceDate}T00:00:00Z`), 'r.birth_date')} as age_band
        from (${selected}) r
      ) x group by region_code, age_band, sex`.execute(trx);
    const bands = ageBands.map((b) => b.label as string);
    const counts = new Array<number>(regions.length * bands.length * sexLabels.length).fill(0);
    for (const r of rows) {
      const i = regions.indexOf(r.region_code);
      const j = bands.indexOf(r.age_band);
      const k = sexLabels.indexOf(r.sex);
      if (i < 0 || j < 0 || k < 0)
        throw new Error('invariant violated: unexpected group in a dry run');
      counts[(i * bands.length + j) * sexLabels.length + k] = Number(r.n);
    }
    const table = suppressTable(
      {
        dimensions: [
          { name: 'region', labels: regions },
          { name: 'ageBand', labels: bands },
          { name: 'sex', labels: sexLabels },
        ],
        counts,
      },
      { threshold: app.config.statsCellMin },
    );
    let samples: DryRunSample[] = [];
    if (input.samples > 0) {
      if (!caller.purpose)
        throw new DomainError(
          'PURPOSE_REQUIRED',
          'Sample persons are personal data: declare a purpose.',
          'purpose',
        );
      const readable = regionsFor(caller.actor, 'person:read');
      const sampleRegions =
        readable === '*' ? regions : regions.filter((r) => readable.includes(r));
      if (sampleRegions.length === 0)
        throw new DomainError(
          'FORBIDDEN',
          'Sample persons need the permission person:read in these regions.',
          'samples',
        );
      const sampled = await sql<{ person_id: string }>`
        select r.person_id from (${selected}) r where r.region_code in (${sql.join(sampleRegions)})
        order by r.person_id limit ${input.samples}`.execute(trx);
      const ids = sampled.rows.map((r) => r.person_id);
      if (ids.length > 0) {
        const people = await trx
          .selectFrom('persons')
          .select(['id', 'registry_number', 'given_names', 'surname1', 'birth_date', 'region_code'])
          .where('id', 'in', ids)
          .orderBy('id')
          .execute();
        samples = people.map((p) => ({
          personId: p.id,
          registryNumber: p.registry_number,
          givenNames: p.given_names,
          surname1: p.surname1,
          birthDate: p.birth_date,
          regionCode: p.region_code,
        }));
        await appendAudit(trx, app, caller, {
          operation: 'rule.dry_run',
          permission: 'person:read',
          subjectIds: ids,
          details: { samples: ids.length },
        });
      }
    }
    if (health) await dropHealthValues(trx);
    const total = table.cells.find((c) => c.labels.every((l) => l === null));
    return {
      total: total?.value ?? null,
      counts: table,
      uses,
      referenceDate,
      regions,
      milliseconds: Math.round(performance.now() - started),
      samples,
    };
  });
}
