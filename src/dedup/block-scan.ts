// The registry-wide scan read block by block from the key table (dedup_block_keys), in key
// order, so that its memory is one page of key rows and the records of that page's blocks,
// whatever the size of the registry: no index of the whole registry is built in memory.
//
// A block follows the batch plan's rules (block-plan.ts): a key held by more persons than its
// cap is split by its first refining value, a part still too big by the second, and only a
// part too big after both is left out. A pair that shares several blocks is compared in each,
// but put forward only from the first of them in key order: what the scan remembers for that
// is the list of blocks found too big so far (OversizedBlocks), not the pairs compared.
import type { Queryable } from '../db';
import { blockingKeysRefined, isWeakKey, refinedKey } from './blocking';
import { blockRecordsMax, weakBlockRecordsMax } from './dedup-index';
import type { PreparedRecord } from './normalise';

/** One stored key row. */
export interface KeyRow {
  readonly key: number;
  readonly refine1: number;
  readonly refine2: number;
  readonly personId: string;
}

/** A part of a block to compare: its key, how often it was split, and its members. */
export interface BlockPart {
  readonly key: number;
  readonly level: 0 | 1 | 2;
  readonly ids: readonly string[];
}

/** What splitting did, over a scan (the plan's figures, see BlockSplitStats). */
export interface ScanBlockStats {
  blocksSplit: number;
  blocksDropped: number;
  /** Key rows in the parts left out. */
  keyRowsLeftOut: number;
}

function capOf(key: number): number {
  return isWeakKey(key) ? weakBlockRecordsMax : blockRecordsMax;
}

/**
 * The blocks found too big so far, at each level: the keys (in the increasing order the scan
 * meets them, searched by bisection), the parts split once, the parts left out. A part is
 * named by its refined key (refinedKey in blocking.ts); two parts whose names collide only
 * make a pair look not yet put forward, and the review queue keeps a pair once anyway.
 */
export class OversizedBlocks {
  private keys = new Int32Array(1024);
  private keyCount = 0;
  private readonly splitParts = new Set<number>();
  private readonly droppedParts = new Set<number>();

  /** How many entries are held (for a memory estimate). */
  get size(): number {
    return this.keyCount + this.splitParts.size + this.droppedParts.size;
  }

  addKey(key: number): void {
    const lastKey = this.keys[this.keyCount - 1];
    if (this.keyCount > 0 && lastKey !== undefined && lastKey >= key) {
      if (lastKey === key) return;
      throw new Error(`unreachable: oversized keys out of order (${key} after ${lastKey})`);
    }
    if (this.keyCount === this.keys.length) {
      const grown = new Int32Array(this.keys.length * 2);
      grown.set(this.keys);
      this.keys = grown;
    }
    this.keys[this.keyCount++] = key;
  }

  hasKey(key: number): boolean {
    let lo = 0;
    let hi = this.keyCount;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const v = this.keys[mid] ?? 0;
      if (v === key) return true;
      if (v < key) lo = mid + 1;
      else hi = mid;
    }
    return false;
  }

  addSplitPart(key: number, refine1: number): void {
    this.splitParts.add(refinedKey(key, refine1));
  }

  addDroppedPart(key: number, refine1: number, refine2: number): void {
    this.droppedParts.add(refinedKey(refinedKey(key, refine1), refine2));
  }

  /** Two persons holding `key` with these refining values were in one kept part of it. */
  sharedKept(key: number, a1: number, a2: number, b1: number, b2: number): boolean {
    if (!this.hasKey(key)) return true;
    if (a1 !== b1) return false;
    const once = refinedKey(key, a1);
    if (!this.splitParts.has(once)) return true;
    if (a2 !== b2) return false;
    return !this.droppedParts.has(refinedKey(once, a2));
  }
}

/** Runs of equal `value` in `rows`: the groups, in first-seen order. */
function groupBy(rows: readonly KeyRow[], value: (r: KeyRow) => number): KeyRow[][] {
  const groups = new Map<number, KeyRow[]>();
  for (const r of rows) {
    const v = value(r);
    const g = groups.get(v);
    if (g === undefined) groups.set(v, [r]);
    else g.push(r);
  }
  return [...groups.values()];
}

/**
 * The parts of one key's block (all its rows) with two members or more, split as the batch
 * plan splits; the block's oversized levels are recorded in `oversized`.
 */
export function partsOfKey(
  key: number,
  rows: readonly KeyRow[],
  oversized: OversizedBlocks,
  stats: ScanBlockStats,
): BlockPart[] {
  const cap = capOf(key);
  const ids = (group: readonly KeyRow[]): string[] => group.map((r) => r.personId);
  if (rows.length <= cap) return rows.length >= 2 ? [{ key, level: 0, ids: ids(rows) }] : [];
  oversized.addKey(key);
  stats.blocksSplit++;
  const parts: BlockPart[] = [];
  for (const first of groupBy(rows, (r) => r.refine1)) {
    if (first.length <= cap) {
      if (first.length >= 2) parts.push({ key, level: 1, ids: ids(first) });
      continue;
    }
    const refine1 = first[0]?.refine1 ?? 0;
    oversized.addSplitPart(key, refine1);
    for (const second of groupBy(first, (r) => r.refine2)) {
      if (second.length <= cap) {
        if (second.length >= 2) parts.push({ key, level: 2, ids: ids(second) });
        continue;
      }
      oversized.addDroppedPart(key, refine1, second[0]?.refine2 ?? 0);
      stats.blocksDropped++;
      stats.keyRowsLeftOut += second.length;
    }
  }
  return parts;
}

/** A page of whole blocks, in key order; `lastKey` is the cursor after it. */
export interface KeyPage {
  readonly blocks: { key: number; rows: KeyRow[] }[];
  readonly lastKey: number;
  /** No key row lies beyond this page (up to `through`, when given). */
  readonly isLast: boolean;
  readonly rowCount: number;
}

/**
 * The next page of whole blocks after key `after` (-1 for the start): about `pageRows` key
 * rows, a block never cut in two. A block larger than a page is read whole, alone.
 */
export async function readKeyPage(
  db: Queryable,
  after: number,
  pageRows: number,
  through?: number,
): Promise<KeyPage | undefined> {
  const select = () =>
    db.selectFrom('dedup_block_keys').select(['block_key', 'refine1', 'refine2', 'person_id']);
  let q = select().where('block_key', '>', after);
  if (through !== undefined) q = q.where('block_key', '<=', through);
  let raw = await q.orderBy('block_key').limit(pageRows).execute();
  if (raw.length === 0) return undefined;
  const isLast = raw.length < pageRows;
  if (!isLast) {
    const lastKey = Number(raw[raw.length - 1]?.block_key);
    if (Number(raw[0]?.block_key) === lastKey)
      raw = await select().where('block_key', '=', lastKey).execute();
    else {
      // The last block may go on past the page: leave it for the next one.
      let end = raw.length;
      while (end > 0 && Number(raw[end - 1]?.block_key) === lastKey) end--;
      raw = raw.slice(0, end);
    }
  }
  const blocks: { key: number; rows: KeyRow[] }[] = [];
  for (const r of raw) {
    const key = Number(r.block_key);
    const row: KeyRow = {
      key,
      refine1: Number(r.refine1),
      refine2: Number(r.refine2),
      personId: r.person_id,
    };
    const last = blocks[blocks.length - 1];
    if (last !== undefined && last.key === key) last.rows.push(row);
    else blocks.push({ key, rows: [row] });
  }
  return {
    blocks,
    lastKey: blocks[blocks.length - 1]?.key ?? after,
    isLast,
    rowCount: raw.length,
  };
}

/** A person's keys with their refining values, for the first-shared-block test. */
export type KeyRefinements = Map<number, readonly [number, number]>;

/** The keys of a prepared record with both refining values of each. */
export function keyRefinementsOf(record: PreparedRecord): KeyRefinements {
  const { keys, refinements } = blockingKeysRefined(record);
  const out: KeyRefinements = new Map();
  keys.forEach((key, k) => out.set(key, [refinements[2 * k] ?? 0, refinements[2 * k + 1] ?? 0]));
  return out;
}
