// The enrolment check's blocking index, in the database rather than the process heap: one
// row per person and blocking key (dedup_block_keys), with the key's two refining hashes,
// so that a registry of any size costs the screening process only the rows of one check.
//
// A new person's keys are written in the transaction that enrols them, so they commit or roll
// back with the person, and every process sees them. Persons written by other paths (the
// demo, an archive import, rows from before this table) are keyed on the next check from a
// stored watermark of the newest person keyed (ids are UUIDv7, so this is a range scan);
// two processes keying the same person write the same rows, and the second write is skipped.
//
// Candidates are fetched per key with the caps of the batch scan: a key shared by more
// persons than its cap is narrowed to those with the newcomer's first refining value, then
// its second (see refiners in blocking.ts), so that José González stays findable; only a
// part still too big after both is left out, as in the batch plan.
import { sql } from 'kysely';
import type { Queryable } from '../db';
import { blockingKeysRefined, isWeakKey } from './blocking';
import { blockRecordsMax, weakBlockRecordsMax } from './dedup-index';
import { prepareRecord } from './normalise';
import type { PreparedRecord } from './normalise';
import { matchColumns, matchRecordOf, type PersonMatchRow } from './person-record';
import type { MatchRecord } from './types';

/** Persons keyed per page when the table is brought up to date. */
export const keyPageRows = 2000;

/** Rows per insert statement (four parameters each, well inside both engines' limits). */
const insertRowsMax = 500;

/** The name of the persons watermark in dedup_key_progress. */
const personsProgress = 'persons';

/** A person's rows in dedup_block_keys. */
export function keyRowsOf(personId: string, record: PreparedRecord) {
  const { keys, refinements } = blockingKeysRefined(record);
  return keys.map((key, k) => ({
    block_key: key,
    refine1: refinements[2 * k] ?? 0,
    refine2: refinements[2 * k + 1] ?? 0,
    person_id: personId,
  }));
}

async function insertKeyRows(db: Queryable, rows: ReturnType<typeof keyRowsOf>): Promise<void> {
  for (let from = 0; from < rows.length; from += insertRowsMax)
    await db
      .insertInto('dedup_block_keys')
      .values(rows.slice(from, from + insertRowsMax))
      .onConflict((oc) => oc.columns(['person_id', 'block_key']).doNothing())
      .execute();
}

/** Writes (or rewrites, after a correction) one person's keys. */
export async function storeKeys(db: Queryable, record: MatchRecord): Promise<void> {
  await db.deleteFrom('dedup_block_keys').where('person_id', '=', record.id).execute();
  await insertKeyRows(db, keyRowsOf(record.id, prepareRecord(record)));
}

/** Keys every person newer than the stored watermark; returns how many were keyed. */
export async function keyNewerPersons(
  db: Queryable,
  documentAttribute: string | null,
  pageRows = keyPageRows,
): Promise<number> {
  const progress = await db
    .selectFrom('dedup_key_progress')
    .select('last_id')
    .where('name', '=', personsProgress)
    .executeTakeFirst();
  let after = progress?.last_id ?? '';
  let keyed = 0;
  for (;;) {
    const page = await db
      .selectFrom('persons')
      .select(matchColumns)
      .where('id', '>', after)
      .orderBy('id')
      .limit(pageRows)
      .execute();
    const last = page.at(-1);
    if (!last) break;
    const rows = page
      .filter((row) => row.status !== 'merged')
      .flatMap((row) => keyRowsOf(row.id, prepareRecord(matchRecordOf(row, documentAttribute))));
    await insertKeyRows(db, rows);
    keyed += page.length;
    after = last.id;
    if (page.length < pageRows) break;
  }
  if (keyed === 0) return 0;
  if (progress === undefined)
    await db
      .insertInto('dedup_key_progress')
      .values({ name: personsProgress, last_id: after })
      .onConflict((oc) => oc.column('name').doUpdateSet({ last_id: after }))
      .execute();
  else
    await db
      .updateTable('dedup_key_progress')
      .set({ last_id: after })
      .where('name', '=', personsProgress)
      .where('last_id', '<', after)
      .execute();
  return keyed;
}

/**
 * Moves the persons watermark to `lastId` (never back), for a caller that has just written the
 * keys of every person up to it in the same transaction — the import's screening — so that
 * the next check does not key them again.
 */
export async function markKeyedThrough(db: Queryable, lastId: string): Promise<void> {
  await db
    .insertInto('dedup_key_progress')
    .values({ name: personsProgress, last_id: lastId })
    .onConflict((oc) =>
      oc
        .column('name')
        .doUpdateSet({ last_id: lastId })
        .where('dedup_key_progress.last_id', '<', lastId),
    )
    .execute();
}

/** One key's part to fetch: the key, and the refining values it is narrowed to (0 levels to 2). */
interface KeyPart {
  readonly key: number;
  readonly level: 0 | 1 | 2;
  readonly refine1: number;
  readonly refine2: number;
}

async function fetchParts(
  db: Queryable,
  parts: readonly KeyPart[],
): Promise<Map<number, string[]>> {
  const found = new Map<number, string[]>();
  if (parts.length === 0) return found;
  // One statement for every key: each part is its own limited subquery on the key index.
  const subqueries = parts.map((part) => {
    const cap = isWeakKey(part.key) ? weakBlockRecordsMax : blockRecordsMax;
    let q = db
      .selectFrom('dedup_block_keys')
      .select(['block_key', 'person_id'])
      .where('block_key', '=', part.key);
    if (part.level >= 1) q = q.where('refine1', '=', part.refine1);
    if (part.level >= 2) q = q.where('refine2', '=', part.refine2);
    return sql`select * from (${q.limit(cap + 1)}) as part`;
  });
  const { rows } = await sql<{
    block_key: number | bigint;
    person_id: string;
  }>`${sql.join(subqueries, sql` union all `)}`.execute(db);
  for (const row of rows) {
    const key = Number(row.block_key);
    const list = found.get(key);
    if (list === undefined) found.set(key, [row.person_id]);
    else list.push(row.person_id);
  }
  return found;
}

/** What the key table puts forward for one record. */
export interface StoredCandidates {
  /** Ids of the persons sharing a (narrowed) block with the record, itself excluded, each once. */
  readonly ids: string[];
  /** Every one of the record's blocks was too big even after both splits. */
  readonly withoutBlock: boolean;
}

/** The persons that share a block with `record`, each key narrowed until it fits its cap. */
export async function storedCandidates(
  db: Queryable,
  record: PreparedRecord,
): Promise<StoredCandidates> {
  const { keys, refinements } = blockingKeysRefined(record);
  let pending: KeyPart[] = keys.map((key, k) => ({
    key,
    level: 0,
    refine1: refinements[2 * k] ?? 0,
    refine2: refinements[2 * k + 1] ?? 0,
  }));
  const ids = new Set<string>();
  let kept = 0;
  while (pending.length > 0) {
    const found = await fetchParts(db, pending);
    const narrower: KeyPart[] = [];
    for (const part of pending) {
      const members = found.get(part.key) ?? [];
      const cap = isWeakKey(part.key) ? weakBlockRecordsMax : blockRecordsMax;
      if (members.length <= cap) {
        kept++;
        for (const id of members) if (id !== record.id) ids.add(id);
      } else if (part.level < 2) narrower.push({ ...part, level: part.level === 0 ? 1 : 2 });
    }
    pending = narrower;
  }
  return { ids: [...ids], withoutBlock: keys.length > 0 && kept === 0 };
}

/** The stored rows of candidate ids, in pages of ids. */
export async function candidateRows(
  db: Queryable,
  ids: readonly string[],
): Promise<PersonMatchRow[]> {
  const out: PersonMatchRow[] = [];
  for (let from = 0; from < ids.length; from += insertRowsMax) {
    const page = ids.slice(from, from + insertRowsMax);
    out.push(
      ...(await db.selectFrom('persons').select(matchColumns).where('id', 'in', page).execute()),
    );
  }
  return out;
}
