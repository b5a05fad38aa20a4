// The duplicate screening of a bulk import, a page of rows at a time. It finds what checking
// the rows one by one finds (findCandidates in enrolment-check.ts, on the stored key table),
// with a few statements per page instead of a few per row:
//
//   - every key part of a page is looked up in one statement per level of narrowing (each part
//     its own capped lookup on the key index), and each part once however many rows share it;
//   - the persons those parts put forward are read in one statement, and prepared once;
//   - the rows of the page are then checked in order against those persons and against the
//     earlier accepted rows of the same call (kept in memory, as the key table would hold
//     them), so a duplicate inside one file is found as before;
//   - the accepted rows' keys are written with one bulk insert per page.
//
// A part's cap is applied to what the key table holds plus the earlier accepted rows of the
// page, exactly as if each row's keys had been stored before the next row was checked: a part
// that may grow past its cap inside the page has its narrower parts fetched ahead, and the
// per-row walk decides with the exact counts. Pairs are scored with the matcher's bound first
// (prefilter.ts) and those that pass are scored in full, as scorePair does.
import type { Insertable } from 'kysely';
import { sql } from 'kysely';
import type { Queryable } from '../db';
import type { Engine } from '../db/types';
import { appendAudit } from '../privacy';
import type { PersonsTable } from '../registry';
import type { AppContext, Caller } from '../shared/context';
import { blockingKeysRefined, isWeakKey } from './blocking';
import { blockRecordsMax, weakBlockRecordsMax } from './dedup-index';
import {
  describeCandidates,
  enrolmentPairsMax,
  matchRowOf,
  type Confirmed,
} from './enrolment-check';
import { defaultThresholds } from './model';
import { scorer } from './match';
import { prepareRecord, type PreparedRecord } from './normalise';
import { matchRecordOf, personMatchRows, type PersonMatchRow } from './person-record';
import type { DedupService, ScreenOptions } from './service';
import { insertPairs } from './store';
import { markKeyedThrough, sqlitePartMembers } from './stored-keys';
import type { ScoredPair } from './types';

/** Rows checked together: their lookups share statements; memory stays that of one page. */
export const screenPageRows = 1000;

/** Key parts (or person ids) per lookup statement: one bound parameter each way. */
const lookupChunk = 4000;

const capOf = (key: number) => (isWeakKey(key) ? weakBlockRecordsMax : blockRecordsMax);

/** A key part to look up: the key, narrowed to 0, 1 or 2 refining values. */
interface Part {
  key: number;
  refine1: number;
  refine2: number;
}

/** The lookup of one level: for each part, its members (at most cap + 1) in index order. */
async function lookupLevel(
  db: Queryable,
  engine: Engine,
  level: 0 | 1 | 2,
  parts: readonly Part[],
): Promise<string[][]> {
  const out: string[][] = parts.map(() => []);
  // Weak and strong keys have different caps: one statement each, the cap bound once.
  for (const weak of [false, true]) {
    const indexes = parts.map((_, i) => i).filter((i) => isWeakKey(parts[i]!.key) === weak);
    const limit = (weak ? weakBlockRecordsMax : blockRecordsMax) + 1;
    if (engine === 'sqlite') {
      const members = await sqlitePartMembers(
        db,
        level,
        indexes.map((i) => parts[i]!),
        limit,
      );
      indexes.forEach((i, k) => (out[i] = members[k]!));
      continue;
    }
    for (let from = 0; from < indexes.length; from += lookupChunk) {
      const chunk = indexes.slice(from, from + lookupChunk);
      const keys = chunk.map((i) => parts[i]!.key);
      const r1 = chunk.map((i) => parts[i]!.refine1);
      const r2 = chunk.map((i) => parts[i]!.refine2);
      const rows = await postgresLookup(db, level, keys, r1, r2, limit);
      for (const row of rows) out[chunk[Number(row.part)]!]!.push(row.person_id);
    }
  }
  return out;
}

type LookupRow = { part: number | bigint; person_id: string };

async function postgresLookup(
  db: Queryable,
  level: 0 | 1 | 2,
  keys: number[],
  r1: number[],
  r2: number[],
  limit: number,
): Promise<LookupRow[]> {
  const narrowing =
    level === 0
      ? sql``
      : level === 1
        ? sql`and k.refine1 = p.r1`
        : sql`and k.refine1 = p.r1 and k.refine2 = p.r2`;
  const { rows } = await sql<LookupRow>`select p.i - 1 as part, m.person_id
    from unnest(${keys}::bigint[], ${r1}::bigint[], ${r2}::bigint[]) with ordinality as p(key, r1, r2, i)
    cross join lateral (
      select k.person_id from dedup_block_keys k
      where k.block_key = p.key ${narrowing}
      limit ${limit}) m`.execute(db);
  return rows;
}

/** One row of a page, with its keys and the names of its parts at each level. */
interface PageRow {
  row: Insertable<PersonsTable>;
  matchRow: PersonMatchRow;
  prepared: PreparedRecord;
  keys: number[];
  refinements: number[];
  /** names[level][k]: the part of key k at that level. */
  names: [string[], string[], string[]];
}

function partName(level: number, key: number, r1: number, r2: number): string {
  return level === 0 ? `${key}` : level === 1 ? `${key}:${r1}` : `${key}:${r1}:${r2}`;
}

function pageRowOf(row: Insertable<PersonsTable>, documentAttribute: string | null): PageRow {
  const matchRow = matchRowOf(row);
  const prepared = prepareRecord(matchRecordOf(matchRow, documentAttribute));
  const { keys, refinements } = blockingKeysRefined(prepared);
  const names: [string[], string[], string[]] = [[], [], []];
  keys.forEach((key, k) => {
    const r1 = refinements[2 * k] ?? 0;
    const r2 = refinements[2 * k + 1] ?? 0;
    for (const level of [0, 1, 2] as const) names[level].push(partName(level, key, r1, r2));
  });
  return { row, matchRow, prepared, keys, refinements, names };
}

/**
 * What the key table holds for the parts a page may use: level 0 for every key, and a
 * narrower level wherever the table and the page together could pass the cap.
 */
async function storedParts(
  db: Queryable,
  engine: Engine,
  page: readonly PageRow[],
): Promise<Map<string, string[]>> {
  const stored = new Map<string, string[]>();
  // How many rows of the page hold each part: at most that many minus one precede a row.
  const inPage = new Map<string, number>();
  for (const r of page)
    for (const level of r.names) for (const n of level) inPage.set(n, (inPage.get(n) ?? 0) + 1);
  for (const level of [0, 1, 2] as const) {
    const wanted = new Map<string, Part>();
    for (const r of page)
      r.keys.forEach((key, k) => {
        const name = r.names[level][k]!;
        if (wanted.has(name) || stored.has(name)) return;
        if (level > 0) {
          const wider = r.names[level - 1]![k]!;
          const before = stored.get(wider);
          if (before === undefined || before.length + (inPage.get(wider) ?? 1) - 1 <= capOf(key))
            return;
        }
        wanted.set(name, {
          key,
          refine1: r.refinements[2 * k] ?? 0,
          refine2: r.refinements[2 * k + 1] ?? 0,
        });
      });
    if (wanted.size === 0) break;
    const parts = [...wanted.values()];
    const members = await lookupLevel(db, engine, level, parts);
    [...wanted.keys()].forEach((name, i) => stored.set(name, members[i]!));
  }
  return stored;
}

/** Scores pairs as scorePair does, skipping by the matcher's bound those that cannot pass. */
function pairScorer(service: Pick<DedupService, 'matchOptions'>) {
  const options = service.matchOptions;
  const thresholds = options.thresholds ?? defaultThresholds;
  // The bound is taken a hair below the bar, so that no rounding can skip a pair the full
  // score would keep.
  const bound = scorer({
    ...options,
    thresholds: {
      ...thresholds,
      possibleDuplicateWeightMin: thresholds.possibleDuplicateWeightMin - 1e-6,
    },
    includeDistinct: false,
    explain: false,
  });
  const full = scorer({ ...options, includeDistinct: true });
  return (a: PreparedRecord, b: PreparedRecord): ScoredPair | undefined => {
    if (bound(a, b) === undefined) return undefined;
    const pair = full(a, b);
    return pair === undefined || pair.outcome === 'distinct' ? undefined : pair;
  };
}

/**
 * Checks a batch of imported rows, each against the registry and the accepted rows before it.
 * Returns the rows refused (by id, with the reason); in flag mode none is, and the pairs are
 * stored. The accepted rows' keys are written, and the key watermark moved past them.
 * `pageRows` is for tests (pages of a few rows exercise every page boundary).
 */
export async function screenRows(
  app: AppContext,
  service: DedupService,
  trx: Queryable,
  caller: Caller,
  rows: readonly Insertable<PersonsTable>[],
  options: ScreenOptions,
  pageRows = screenPageRows,
): Promise<Map<string, string>> {
  await service.keyNewer(trx);
  const engine = app.db.engine;
  const refuse = (options.onDuplicate ?? service.onDuplicate) === 'refuse';
  const score = pairScorer(service);
  // The accepted rows of this call, not yet in persons: candidates are read from here.
  const batch = new Map<string, { row: PersonMatchRow; prepared: PreparedRecord }>();
  const refused = new Map<string, string>();
  const flagged: ScoredPair[] = [];
  let lastId = '';
  for (let from = 0; from < rows.length; from += pageRows) {
    const page = rows
      .slice(from, from + pageRows)
      .map((row) => pageRowOf(row, service.documentAttribute));
    const stored = await storedParts(trx, engine, page);
    // Every person a usable part may put forward, read once for the page.
    const wanted = new Set<string>();
    for (const [name, members] of stored) {
      const key = Number(name.split(':', 1)[0]);
      if (members.length > capOf(key)) continue;
      for (const id of members) if (!batch.has(id)) wanted.add(id);
    }
    const fetched = await personMatchRows(trx, engine, [...wanted]);
    const preparedOf = new Map<string, PreparedRecord>();
    // Parts of the accepted rows of this page, as the key table would hold them.
    const accepted = new Map<string, string[]>();
    const keyRows: Record<string, unknown>[] = [];
    for (const r of page) {
      const id = r.row.id;
      const ids = new Set<string>();
      let pending = r.keys.map((_, k) => k);
      for (let level = 0; level <= 2 && pending.length > 0; level++) {
        const narrower: number[] = [];
        for (const k of pending) {
          const name = r.names[level as 0 | 1 | 2][k]!;
          const members = stored.get(name);
          if (members === undefined)
            throw new Error(`invariant violated: key part ${name} was not fetched`);
          const here = accepted.get(name) ?? [];
          if (members.length + here.length <= capOf(r.keys[k]!)) {
            for (const m of members) if (m !== id) ids.add(m);
            for (const m of here) if (m !== id) ids.add(m);
          } else if (level < 2) narrower.push(k);
        }
        pending = narrower;
      }
      const found: Confirmed[] = [];
      for (const candidate of ids) {
        const inBatch = batch.get(candidate);
        const row = inBatch?.row ?? fetched.get(candidate);
        if (!row || row.status === 'merged') continue;
        let prepared = inBatch?.prepared ?? preparedOf.get(candidate);
        if (!prepared) {
          prepared = prepareRecord(matchRecordOf(row, service.documentAttribute));
          preparedOf.set(candidate, prepared);
        }
        const pair = score(r.prepared, prepared);
        if (pair) found.push({ pair, row, inBatch: inBatch !== undefined });
      }
      found.sort((x, y) => y.pair.matchWeight - x.pair.matchWeight);
      found.length = Math.min(found.length, enrolmentPairsMax);
      if (found.length > 0 && refuse) {
        refused.set(id, `possible duplicate of ${describeCandidates(caller, found).text}`);
        continue;
      }
      for (const c of found) flagged.push(c.pair);
      batch.set(id, { row: r.matchRow, prepared: r.prepared });
      for (const level of r.names)
        for (const name of level) {
          const list = accepted.get(name);
          if (list) list.push(id);
          else accepted.set(name, [id]);
        }
      r.keys.forEach((key, k) =>
        keyRows.push({
          block_key: key,
          refine1: r.refinements[2 * k] ?? 0,
          refine2: r.refinements[2 * k + 1] ?? 0,
          person_id: id,
        }),
      );
      if (id > lastId) lastId = id;
    }
    // In the import's transaction: the keys commit or roll back with the persons.
    await app.db.insertMany(trx, 'dedup_block_keys', keyRows);
  }
  // These rows are keyed already: the next check need not key them again.
  if (lastId !== '') await markKeyedThrough(trx, lastId);
  const pairs = await insertPairs(
    trx,
    app,
    flagged,
    options.source ?? 'import',
    options.sourceId ?? null,
  );
  if (pairs.length > 0) {
    await appendAudit(trx, app, caller, {
      operation: 'dedup.flag',
      permission: 'registry:import',
      subjectIds: pairs.flatMap((p) => [p.left_id, p.right_id]),
      details: {
        pairIds: pairs.map((p) => p.id),
        source: options.source ?? 'import',
        runId: options.sourceId ?? null,
      },
    });
  }
  return refused;
}
