// An in-memory blocking index over the registry. The registry adds each committed person
// and removes merged ones; an enrolment check asks it for the few records that share a
// blocking key with the newcomer. Postings hold small integers (slots), so a million
// people fit in a few hundred megabytes.
import { blockingKeys, isWeakKey } from './blocking';
import { prepareRecord } from './normalise';
import type { PreparedRecord } from './normalise';
import type { MatchRecord } from './types';

/**
 * A key shared by more records than this stops being a useful block (a very common name
 * in a very common year); it is no longer extended nor queried, and the records in it are
 * still reachable through their other keys.
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
  /** Every live record that shares a blocking key with `record`, itself excluded, each once. */
  candidates(record: PreparedRecord): PreparedRecord[];
}

/** Create an empty index. */
export function createDedupIndex(): DedupIndex {
  const records: (PreparedRecord | undefined)[] = [];
  const slotById = new Map<string, number>();
  // A posting is a single slot (number) or a list; most keys hold one record.
  const postings = new Map<number, number | number[]>();
  const saturated = new Set<number>();
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

  function addPrepared(record: PreparedRecord): void {
    remove(record.id);
    const slot = records.length;
    records.push(record);
    slotById.set(record.id, slot);
    live++;
    for (const key of blockingKeys(record)) {
      if (saturated.has(key)) continue;
      const p = postings.get(key);
      if (p === undefined) postings.set(key, slot);
      else if (typeof p === 'number') postings.set(key, [p, slot]);
      else if (p.length >= (isWeakKey(key) ? weakBlockRecordsMax : blockRecordsMax)) {
        saturated.add(key);
        postings.delete(key);
      } else p.push(slot);
    }
  }

  function candidates(record: PreparedRecord): PreparedRecord[] {
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
    for (const key of blockingKeys(record)) {
      const p = postings.get(key);
      if (p === undefined) continue;
      if (typeof p === 'number') visit(p);
      else for (const slot of p) visit(slot);
    }
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
