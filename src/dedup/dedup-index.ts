// An in-memory blocking index over a set of records, for the batch run (`tessera dedup run`)
// and the benchmarks; the enrolment check reads the stored one (stored-keys.ts). Postings
// hold small integers (slots). A key that outgrows its cap is split by its refining values
// (see refiners in blocking.ts), as the batch plan and the stored index do.
import { blockingKeysRefined, isWeakKey, refinedKey } from './blocking';
import { prepareRecord } from './normalise';
import type { PreparedRecord } from './normalise';
import type { MatchRecord } from './types';

/**
 * A key shared by more records than this (a very common name in a very common year) is
 * split by a further field, and a part still too big by a second one; only a part too big
 * after both stops being a block, and its records stay reachable through their other keys.
 */
export const blockRecordsMax = 100;

/**
 * The cap for weak keys (a name with a town or a year, see blocking.ts): they rescue
 * badly garbled duplicates in small sets, and would flood a large registry with siblings
 * and namesakes to compare.
 */
export const weakBlockRecordsMax = 6;

/** Mutable index of prepared records by blocking key. */
export interface DedupIndex {
  /** Number of live (not removed) records. */
  readonly size: number;
  /** Add a record, replacing any earlier record with the same id. */
  add(record: MatchRecord): PreparedRecord;
  /** Add a record already prepared. */
  addPrepared(record: PreparedRecord): void;
  /** Remove a record (after a merge, for instance); false when the id is unknown. */
  remove(id: string): boolean;
  /** The prepared record with this id, if present. */
  get(id: string): PreparedRecord | undefined;
  /**
   * Every live record that shares a (split) block with `record`, itself excluded, each once;
   * `stats.withoutBlock` is set when every block of the record is too big even split.
   */
  candidates(record: PreparedRecord, stats?: { withoutBlock: boolean }): PreparedRecord[];
}

/** Postings of one level of keys: a posting is a single slot or a list; most keys hold one. */
type Postings = Map<number, number | number[]>;

/** Create an empty index. */
export function createDedupIndex(): DedupIndex {
  const records: (PreparedRecord | undefined)[] = [];
  const slotById = new Map<string, number>();
  // Level 0: the keys; levels 1 and 2: the parts of keys split once and twice.
  const levels: [Postings, Postings, Postings] = [new Map(), new Map(), new Map()];
  const split: [Set<number>, Set<number>, Set<number>] = [new Set(), new Set(), new Set()];
  let stamp = new Int32Array(1024);
  let query = 0;
  let live = 0;

  function remove(id: string): boolean {
    const slot = slotById.get(id);
    if (slot === undefined) return false;
    records[slot] = undefined;
    slotById.delete(id);
    live--;
    return true;
  }

  /** The key a record's k-th key has at `level`, given its refining hashes. */
  function keyAt(key: number, refinements: readonly number[], k: number, level: number): number {
    if (level === 0) return key;
    const once = refinedKey(key, refinements[2 * k] ?? 0);
    return level === 1 ? once : refinedKey(once, refinements[2 * k + 1] ?? 0);
  }

  /** The level-`level` key of `slot`'s record under its base key `key` (to move it down a level). */
  function keyOfSlot(slot: number, key: number, level: number): number | undefined {
    const r = records[slot];
    if (r === undefined) return undefined;
    const { keys, refinements } = blockingKeysRefined(r);
    const k = keys.indexOf(key);
    return k < 0 ? undefined : keyAt(key, refinements, k, level);
  }

  function post(level: 0 | 1 | 2, key: number, base: number, slot: number): void {
    const postings = levels[level];
    const p = postings.get(key);
    if (p === undefined) {
      postings.set(key, slot);
      return;
    }
    const list = typeof p === 'number' ? [p] : p;
    list.push(slot);
    if (list.length <= (isWeakKey(key) ? weakBlockRecordsMax : blockRecordsMax)) {
      if (typeof p === 'number') postings.set(key, list);
      return;
    }
    // Too big: split it one level down (or, at the last level, stop using it).
    postings.delete(key);
    split[level].add(key);
    if (level === 2) return;
    const next = level === 0 ? 1 : 2;
    for (const member of list) {
      const lower = keyOfSlot(member, base, next);
      if (lower !== undefined) place(next, lower, base, member);
    }
  }

  function place(level: 0 | 1 | 2, key: number, base: number, slot: number): void {
    if (!split[level].has(key)) post(level, key, base, slot);
    else if (level < 2) {
      const next = level === 0 ? 1 : 2;
      const lower = keyOfSlot(slot, base, next);
      if (lower !== undefined) place(next, lower, base, slot);
    }
  }

  function addPrepared(record: PreparedRecord): void {
    remove(record.id);
    const slot = records.length;
    records.push(record);
    slotById.set(record.id, slot);
    live++;
    for (const key of blockingKeysRefined(record).keys) place(0, key, key, slot);
  }

  function candidates(record: PreparedRecord, stats?: { withoutBlock: boolean }): PreparedRecord[] {
    if (stamp.length < records.length) {
      const grown = new Int32Array(Math.max(records.length, stamp.length * 2));
      grown.set(stamp);
      stamp = grown;
    }
    query++;
    const self = slotById.get(record.id);
    const out: PreparedRecord[] = [];
    const visit = (slot: number): void => {
      if (stamp[slot] === query || slot === self) return;
      stamp[slot] = query;
      const r = records[slot];
      if (r !== undefined) out.push(r);
    };
    const { keys, refinements } = blockingKeysRefined(record);
    let inBlock = false;
    keys.forEach((key, k) => {
      for (const level of [0, 1, 2] as const) {
        const at = keyAt(key, refinements, k, level);
        if (split[level].has(at)) continue;
        inBlock = true;
        const p = levels[level].get(at);
        if (typeof p === 'number') visit(p);
        else if (p !== undefined) for (const slot of p) visit(slot);
        return;
      }
    });
    if (stats !== undefined) stats.withoutBlock = keys.length > 0 && !inBlock;
    return out;
  }

  return {
    get size() {
      return live;
    },
    add(record) {
      const prepared = prepareRecord(record);
      addPrepared(prepared);
      return prepared;
    },
    addPrepared,
    remove,
    get: (id) => {
      const slot = slotById.get(id);
      return slot === undefined ? undefined : records[slot];
    },
    candidates,
  };
}
