// The enrolment check's blocking index, in the database rather than the process heap: one
// row per person and blocking key (dedup_block_keys), with the key's two refining hashes,
// so that a registry of any size costs the screening process only the rows of one check.
//
// A new person's keys are written in the transaction that enrols them, so they commit or roll
// back with the person, and every process sees them. Persons written by other paths (the
// demo, an archive import, rows from before this table) are keyed by `tessera dedup keys`,
// in resumable batches, from a stored watermark of the newest person keyed (ids are UUIDv7,
// so this is a range scan); a check keys at most lazyKeyMax of them itself and refuses a
// larger backlog. The watermark is moved by the command, and by a check only once a window of
// keyWindowRows persons lies past it, so that enrolments do not all update one row.
//
// Candidates are fetched per key with the caps of the batch scan: a key shared by more
// persons than its cap is narrowed to those with the newcomer's first refining value, then
// its second (see refiners in blocking.ts), so that José González stays findable; only a
// part still too big after both is left out, as in the batch plan.
import { sql } from 'kysely';
import type { Database, Engine, Queryable } from '../db';
import { DomainError } from '../shared/errors';
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

/** The stored watermark: every person with an id up to it has been keyed (or seen keyless). */
async function readWatermark(db: Queryable): Promise<string> {
  const progress = await db
    .selectFrom('dedup_key_progress')
    .select('last_id')
    .where('name', '=', personsProgress)
    .executeTakeFirst();
  return progress?.last_id ?? '';
}

/**
 * Moves the watermark forward to `to` (never back). On PostgreSQL a transaction that finds the
 * row locked by another one moving it skips the move instead of queueing behind it: the other
 * is moving it as far, and an enrolment must never wait on another's commit for this.
 */
async function advanceWatermark(db: Queryable, engine: Engine, to: string): Promise<void> {
  await db
    .insertInto('dedup_key_progress')
    .values({ name: personsProgress, last_id: '' })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  if (engine === 'postgres') {
    const row = await db
      .selectFrom('dedup_key_progress')
      .select('last_id')
      .where('name', '=', personsProgress)
      .forUpdate()
      .skipLocked()
      .executeTakeFirst();
    if (row === undefined || row.last_id >= to) return;
  }
  await db
    .updateTable('dedup_key_progress')
    .set({ last_id: to })
    .where('name', '=', personsProgress)
    .where('last_id', '<', to)
    .execute();
}

/** Keys the persons with these ids (their rows read now); merged persons are left unkeyed. */
async function keyPersons(
  db: Queryable,
  ids: readonly string[],
  documentAttribute: string | null,
): Promise<void> {
  if (ids.length === 0) return;
  const rows = await candidateRows(db, ids);
  await insertKeyRows(
    db,
    rows
      .filter((row) => row.status !== 'merged')
      .flatMap((row) => keyRowsOf(row.id, prepareRecord(matchRecordOf(row, documentAttribute)))),
  );
}

/**
 * Persons past the watermark that one check reads: those an enrolment keyed itself, and any
 * written by another path. When the window fills, the watermark moves past it (once per
 * `keyWindowRows` enrolments, not at every one: a row updated by every enrolment would queue
 * PostgreSQL enrolments behind each other's commits).
 */
export const keyWindowRows = 128;

/**
 * Most unkeyed persons (written by the demo, an archive import, or before the key table) one
 * check keys itself. A larger backlog is refused: keying it in one enrolment's transaction
 * would hold that enrolment for minutes; `tessera dedup keys` keys it ahead, in batches.
 */
export const lazyKeyMax = 2000;

/** The backlog of unkeyed persons is too large for a check to key: name the command. */
export function keysBehindError(atLeast: number): DomainError {
  return new DomainError(
    'DEDUP_KEYS_BEHIND',
    `Duplicate screening is not ready: at least ${atLeast} persons written by another path ` +
      '(the demo, an archive import, or rows older than the key table) have no blocking keys yet. ' +
      'Run `tessera dedup keys` once, then enrol again. / La detección de duplicados no está lista: ' +
      `al menos ${atLeast} personas escritas por otra vía aún no tienen claves de bloqueo. ` +
      'Ejecute `tessera dedup keys` una vez y vuelva a registrar.',
    undefined,
    { atLeast, command: 'tessera dedup keys' },
  );
}

/**
 * The check's catch-up: keys the persons past the watermark that have no keys yet, at most
 * `max` of them (refusing with DEDUP_KEYS_BEHIND beyond that), in the caller's transaction.
 * Returns how many were keyed.
 */
export async function keyNewerPersons(
  db: Queryable,
  engine: Engine,
  documentAttribute: string | null,
  max = lazyKeyMax,
): Promise<number> {
  let after = await readWatermark(db);
  let keyed = 0;
  for (;;) {
    const window = await db
      .selectFrom('persons as p')
      .select((eb) => [
        'p.id',
        'p.status',
        eb
          .exists(
            eb
              .selectFrom('dedup_block_keys as k')
              .select('k.person_id')
              .whereRef('k.person_id', '=', 'p.id'),
          )
          .as('keyed'),
      ])
      .where('p.id', '>', after)
      .orderBy('p.id')
      .limit(keyWindowRows)
      .execute();
    const todo = window.filter((r) => !Number(r.keyed) && r.status !== 'merged').map((r) => r.id);
    if (keyed === 0 && todo.length === keyWindowRows) {
      // A full window of unkeyed persons: a bulk write. Count before writing anything.
      const backlog = await db
        .selectFrom(
          db
            .selectFrom('persons as p')
            .select('p.id')
            .where('p.id', '>', after)
            .where('p.status', '!=', 'merged')
            .where((eb) =>
              eb.not(
                eb.exists(
                  eb
                    .selectFrom('dedup_block_keys as k')
                    .select('k.person_id')
                    .whereRef('k.person_id', '=', 'p.id'),
                ),
              ),
            )
            .limit(max + 1)
            .as('backlog'),
        )
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      if (Number(backlog.n) > max) throw keysBehindError(max + 1);
    }
    if (keyed + todo.length > max) throw keysBehindError(keyed + todo.length);
    await keyPersons(db, todo, documentAttribute);
    keyed += todo.length;
    const last = window.at(-1);
    if (last === undefined || window.length < keyWindowRows) return keyed;
    await advanceWatermark(db, engine, last.id);
    after = last.id;
  }
}

/** What `tessera dedup keys` did. */
export interface KeyRegistryReport {
  /** Persons past the watermark when the command started. */
  readonly total: number;
  /** Persons read this session (keyed, or found keyed already). */
  readonly done: number;
  /** Persons that had no keys and were keyed. */
  readonly keyed: number;
  /** Every person is covered: the watermark reached the newest one. */
  readonly finished: boolean;
}

/**
 * Keys the whole registry ahead of the checks (`tessera dedup keys`): persons past the
 * watermark, in id order, one transaction per page that also moves the watermark, so a run
 * that stops resumes where it stopped and a rerun of a finished one reads nothing.
 */
export async function keyRegistry(
  db: Database,
  documentAttribute: string | null,
  options: {
    pageRows?: number;
    onProgress?: (done: number, total: number) => void;
    /** Stop after about this many persons (whole pages); the next run resumes. */
    stopAfter?: number;
  } = {},
): Promise<KeyRegistryReport> {
  const pageRows = options.pageRows ?? keyPageRows;
  let after = await readWatermark(db.kysely);
  const { n } = await db.kysely
    .selectFrom('persons')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('id', '>', after)
    .executeTakeFirstOrThrow();
  const total = Number(n);
  let done = 0;
  let keyed = 0;
  for (;;) {
    if (options.stopAfter !== undefined && done >= options.stopAfter)
      return { total, done, keyed, finished: false };
    const page = await db.kysely
      .selectFrom('persons')
      .select(matchColumns)
      .where('id', '>', after)
      .orderBy('id')
      .limit(pageRows)
      .execute();
    const last = page.at(-1);
    if (last === undefined) break;
    await db.transaction(async (trx) => {
      const known = await db.existingValues(
        trx,
        'dedup_block_keys',
        'person_id',
        page.map((row) => row.id),
      );
      await insertKeyRows(
        trx,
        page
          .filter((row) => row.status !== 'merged' && !known.has(row.id))
          .flatMap((row) => {
            keyed++;
            return keyRowsOf(row.id, prepareRecord(matchRecordOf(row, documentAttribute)));
          }),
      );
      await advanceWatermark(trx, db.engine, last.id);
    });
    done += page.length;
    after = last.id;
    options.onProgress?.(Math.min(done, total), total);
    if (page.length < pageRows) break;
  }
  return { total, done, keyed, finished: true };
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

/** Parts per SQLite lookup statement (each an element of one JSON parameter). */
const sqlitePartsMax = 4000;

/**
 * On SQLite, the members of each part (at most `limit`, in the key index's order), one
 * statement for up to 4,000 parts of one level: each part is a capped scalar subquery on the
 * scan index that gathers its members into a JSON array, so a part costs one index seek and
 * one row whatever its size: about 11 µs a part on a registry of a million. (The import's
 * lookup before it joined each member back to the table and sorted by rowid: 250–560 µs.)
 */
export async function sqlitePartMembers(
  db: Queryable,
  level: 0 | 1 | 2,
  parts: readonly { readonly key: number; readonly refine1: number; readonly refine2: number }[],
  limit: number,
): Promise<string[][]> {
  const narrowing =
    level === 0
      ? sql``
      : level === 1
        ? sql`and refine1 = j.value ->> 1`
        : sql`and refine1 = j.value ->> 1 and refine2 = j.value ->> 2`;
  const out: string[][] = [];
  for (let from = 0; from < parts.length; from += sqlitePartsMax) {
    const chunk = parts.slice(from, from + sqlitePartsMax);
    const list = JSON.stringify(chunk.map((p) => [p.key, p.refine1, p.refine2]));
    const { rows } = await sql<{ ids: string }>`select (
        select json_group_array(person_id) from (
          select person_id from dedup_block_keys
          where block_key = j.value ->> 0 ${narrowing}
          limit ${limit})) as ids
      from json_each(${list}) j
      order by j.key`.execute(db);
    if (rows.length !== chunk.length)
      throw new Error(`key lookup: ${rows.length} answers to ${chunk.length} parts`);
    for (const row of rows) out.push(JSON.parse(row.ids) as string[]);
  }
  return out;
}

async function fetchParts(
  db: Queryable,
  parts: readonly KeyPart[],
  engine: Engine,
): Promise<Map<number, string[]>> {
  // A record's parts being fetched at once are of distinct keys: its members by key.
  const found = new Map<number, string[]>();
  if (parts.length === 0) return found;
  if (engine === 'sqlite') {
    // One statement for the parts of each level and cap (a check's parts are of one level).
    for (const level of [0, 1, 2] as const)
      for (const weak of [false, true]) {
        const group = parts.filter((p) => p.level === level && isWeakKey(p.key) === weak);
        if (group.length === 0) continue;
        const cap = weak ? weakBlockRecordsMax : blockRecordsMax;
        const members = await sqlitePartMembers(db, level, group, cap + 1);
        group.forEach((part, i) => found.set(part.key, members[i]!));
      }
    return found;
  }
  // Over the network, one statement for every key: each part is its own limited subquery.
  const partQuery = (part: KeyPart) => {
    const cap = isWeakKey(part.key) ? weakBlockRecordsMax : blockRecordsMax;
    let q = db
      .selectFrom('dedup_block_keys')
      .select(['block_key', 'person_id'])
      .where('block_key', '=', part.key);
    if (part.level >= 1) q = q.where('refine1', '=', part.refine1);
    if (part.level >= 2) q = q.where('refine2', '=', part.refine2);
    return q.limit(cap + 1);
  };
  const subqueries = parts.map((part) => sql`select * from (${partQuery(part)}) as part`);
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
  engine: Engine,
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
    const found = await fetchParts(db, pending, engine);
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
