// The national rehearsal's bookkeeping and end checks (bench/national.ts), apart from the
// timing so that a test can drive them: the resumable stage ledger kept in DIR/state.json,
// and the invariants read back from the database after the redemptions — no entitlement
// delivered twice (nor before its window), every acknowledged redemption and transfer stored,
// the ledger summing to zero, the registry statistics agreeing with a recount.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { sql } from 'kysely';
import type { Database } from '../src/db';
import { ledgerTotals } from '../src/ledger';
import { registryStatistics } from '../src/privacy';
import type { AppContext, Caller } from '../src/shared/context';

/** What a completed stage recorded. */
export interface StageResult {
  seconds: number;
  [figure: string]: unknown;
}

/** DIR/state.json: the run's sizes and secrets, and each completed stage's result. */
export interface RunState {
  version: 1;
  sizes: Record<string, number | boolean>;
  secrets: Record<string, string>;
  /** Whatever a stage needs to resume midway (ids it created), by stage. */
  progress: Record<string, Record<string, unknown>>;
  stages: Record<string, StageResult>;
}

/** Reads DIR/state.json, or starts one; a different size in the same folder is refused. */
export function loadState(
  file: string,
  sizes: RunState['sizes'],
  newSecrets: () => RunState['secrets'],
): RunState {
  if (!existsSync(file))
    return { version: 1, sizes, secrets: newSecrets(), progress: {}, stages: {} };
  const state = JSON.parse(readFileSync(file, 'utf8')) as RunState;
  if (state.version !== 1)
    throw new Error(`${file}: unknown state version ${String(state.version)}`);
  for (const [name, value] of Object.entries(sizes)) {
    if (state.sizes[name] !== value)
      throw new Error(
        `${file}: this folder holds a run with ${name} ${String(state.sizes[name])}, not ${String(value)}; use another --dir`,
      );
  }
  return state;
}

/** Writes the state atomically (a crash leaves the old file or the new one, never half). */
export function saveState(file: string, state: RunState): void {
  writeFileSync(`${file}.tmp`, JSON.stringify(state, null, 1));
  renameSync(`${file}.tmp`, file);
}

/**
 * Runs a stage unless the state says it completed; records its result and saves the state.
 * Returns the result, and whether it was run now (false: skipped, from an earlier run).
 */
export async function runStage(
  file: string,
  state: RunState,
  name: string,
  run: () => Promise<StageResult>,
): Promise<{ result: StageResult; ranNow: boolean }> {
  const done = state.stages[name];
  if (done) return { result: done, ranNow: false };
  const result = await run();
  state.stages[name] = result;
  delete state.progress[name];
  saveState(file, state);
  return { result, ranNow: true };
}

/** The invariants after the redemptions; each count must be 0 and each flag true. */
export interface Invariants {
  /** Entitlements whose redemptions exceed what was granted or disagree with its counter. */
  deliveredTwice: number;
  /** Redemptions of an entitlement whose window had not opened on the day of the redemption. */
  deliveredEarly: number;
  /** Acknowledged redemptions not stored. */
  acknowledgedMissing: number;
  redemptionsStored: number;
  /** Stored redemptions no client saw acknowledged (answers lost to a kill): allowed. */
  storedUnacknowledged: number;
  /** Acknowledged transfers not stored. */
  transfersMissing: number;
  /** Debits minus credits over the whole ledger, posted and pending, as text. */
  ledgerImbalance: string;
  /** Published statistics cells that disagree with a recount of the same persons. */
  statisticsMismatches: number;
  statisticsCells: number;
}

/** Reads the invariants of a cycle's redemptions and the ledger back from the database. */
export async function checkInvariants(
  app: AppContext,
  caller: Caller,
  input: {
    cycleId: string;
    acknowledgedPersons: ReadonlySet<string>;
    acknowledgedTransfers: readonly string[];
  },
): Promise<Invariants> {
  const db: Database = app.db;
  const { cycleId } = input;
  const twice = await sql<{ n: number | string }>`select count(*) as n from (
      select r.person_id, sum(r.quantity) as s, count(*) as c from redemptions r
      where r.cycle_id = ${cycleId} group by r.person_id) x
    join entitlements e on e.cycle_id = ${cycleId} and e.person_id = x.person_id
    where x.s > e.quantity or x.s <> e.redeemed_quantity or x.c > 1`.execute(db.kysely);
  const early = await sql<{ n: number | string }>`select count(*) as n from redemptions r
    join entitlements e on e.cycle_id = r.cycle_id and e.person_id = r.person_id
    where r.cycle_id = ${cycleId} and substr(r.redeemed_at, 1, 10) < e.opens_on`.execute(db.kysely);
  const stored = new Set<string>();
  // In pages by person id: at a country's size the redemptions do not fit in one answer.
  for (let after = ''; ;) {
    const page = await db.kysely
      .selectFrom('redemptions')
      .select('person_id')
      .where('cycle_id', '=', cycleId)
      .where('person_id', '>', after)
      .orderBy('person_id')
      .limit(50_000)
      .execute();
    for (const r of page) stored.add(r.person_id);
    if (page.length < 50_000) break;
    after = page[page.length - 1]!.person_id;
  }
  let missing = 0;
  for (const p of input.acknowledgedPersons) if (!stored.has(p)) missing++;
  let unacknowledged = 0;
  for (const p of stored) if (!input.acknowledgedPersons.has(p)) unacknowledged++;

  const found = new Set<string>();
  const ids = input.acknowledgedTransfers;
  for (let k = 0; k < ids.length; k += 500) {
    const got = await db.kysely
      .selectFrom('ledger_transfers')
      .select('id')
      .where('id', 'in', ids.slice(k, k + 500))
      .execute();
    for (const g of got) found.add(g.id);
  }
  const totals = await ledgerTotals(db.kysely);
  const imbalance = totals.reduce(
    (s, x) => s + (x.debitsPosted - x.creditsPosted) + (x.debitsPending - x.creditsPending),
    0n,
  );

  const published = await registryStatistics(app, caller, { by: ['region', 'sex'] });
  const recount = await sql<{ region_code: string; sex: string; n: number | string }>`
    select region_code, coalesce(sex, 'unknown') as sex, count(*) as n from persons
    where status = 'active' group by region_code, coalesce(sex, 'unknown')`.execute(db.kysely);
  const groups = recount.rows.map((r) => ({ labels: [r.region_code, r.sex], n: Number(r.n) }));
  let mismatches = 0;
  const cells = published.cells;
  for (const cell of cells) {
    // A margin's label is null: it counts every group along that dimension.
    const truth = groups
      .filter((g) => cell.labels.every((label, i) => label === null || label === g.labels[i]))
      .reduce((s, g) => s + g.n, 0);
    // A cell hidden for being small must be small; one hidden to protect it cannot be checked.
    const agrees = cell.suppressed
      ? cell.suppression !== 'primary' || truth < app.config.statsCellMin
      : cell.value === truth;
    if (!agrees) mismatches++;
  }
  return {
    deliveredTwice: Number(twice.rows[0]!.n),
    deliveredEarly: Number(early.rows[0]!.n),
    acknowledgedMissing: missing,
    redemptionsStored: stored.size,
    storedUnacknowledged: unacknowledged,
    transfersMissing: ids.length - found.size,
    ledgerImbalance: imbalance.toString(),
    statisticsMismatches: mismatches,
    statisticsCells: cells.length,
  };
}

/** The invariant breaks in a check: empty when every one holds. */
export function invariantBreaks(v: Invariants): string[] {
  const breaks: string[] = [];
  if (v.deliveredTwice > 0) breaks.push(`${v.deliveredTwice} entitlements delivered twice`);
  if (v.deliveredEarly > 0) breaks.push(`${v.deliveredEarly} delivered before their window`);
  if (v.acknowledgedMissing > 0)
    breaks.push(`${v.acknowledgedMissing} acknowledged redemptions missing`);
  if (v.transfersMissing > 0) breaks.push(`${v.transfersMissing} acknowledged transfers missing`);
  if (v.ledgerImbalance !== '0') breaks.push(`ledger off by ${v.ledgerImbalance}`);
  if (v.statisticsMismatches > 0)
    breaks.push(`${v.statisticsMismatches} statistics cells disagree with a recount`);
  return breaks;
}
