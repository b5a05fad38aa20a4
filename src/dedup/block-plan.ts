// Static blocking for a batch scan. Every record's keys are packed with its slot into one
// sorted array, so a block is a run of equal keys and needs no per-key object. A key held
// by more records than its cap, whatever the order of the input, is split by a further
// field, then by a second one (see refiners in blocking.ts); only a part still too big after
// both is left out, and the plan counts the records that this leaves with no block at all.
// Each record then lists, per useful block, where the block starts and where it sits in it:
// the records before it in the block are its earlier candidates.
import { blockingKeysRefined, blockingKeys, isWeakKey } from './blocking';
import type { PreparedRecord } from './normalise';

/** What splitting did to the blocks of a plan, for a run's report. */
export interface BlockSplitStats {
  /** Blocks larger than their cap, split by a further field instead of being dropped. */
  readonly blocksSplit: number;
  /** Parts of split blocks still larger than their cap after the second split, left out. */
  readonly blocksDropped: number;
  /** Records with blocking keys whose every block was left out: they have no candidate block. */
  readonly recordsWithoutBlock: number;
}

/** The blocks of a whole set of records, in typed arrays. */
export interface BlockPlan extends BlockSplitStats {
  readonly recordCount: number;
  /** slotAt[p]: the record at position p (the sorted key array, then the parts of split blocks). */
  readonly slotAt: Int32Array;
  /** Record i's runs are runs[2k], runs[2k + 1] (block start, own position) for k in runsFrom[i]..runsFrom[i + 1]. */
  readonly runsFrom: Int32Array;
  readonly runs: Int32Array;
}

/** Slot bits in a packed entry; the key gets the rest of a double's 53-bit integer range. */
function slotBitsFor(recordCount: number): number {
  return Math.max(16, Math.ceil(Math.log2(recordCount + 1)));
}

/** The bits a key keeps next to `slotBits` of slot: the weak-kind flag and the top hash bits. */
function packedKey(key: number, slotBits: number): number {
  const keyBits = Math.min(30, 53 - slotBits);
  const hashMask = 2 ** (keyBits - 1) - 1;
  return (key & hashMask) + (isWeakKey(key) ? 2 ** (keyBits - 1) : 0);
}

function isWeakPacked(packedKeyValue: number, slotBits: number): boolean {
  return packedKeyValue >= 2 ** (Math.min(30, 53 - slotBits) - 1);
}

function packKeys(prepared: readonly PreparedRecord[], slotBits: number): Float64Array {
  const slotScale = 2 ** slotBits;
  let packed = new Float64Array(prepared.length * 16);
  let used = 0;
  for (let slot = 0; slot < prepared.length; slot++) {
    const record = prepared[slot];
    if (record === undefined) continue;
    for (const key of blockingKeys(record)) {
      if (used === packed.length) {
        const grown = new Float64Array(packed.length * 2);
        grown.set(packed);
        packed = grown;
      }
      packed[used++] = packedKey(key, slotBits) * slotScale + slot;
    }
  }
  return packed.subarray(0, used).sort();
}

/** Block-size caps: a block larger than its cap is split (see planBlocks). */
export interface BlockCaps {
  readonly blockRecordsMax: number;
  /** The cap of weak keys (see blocking.ts). */
  readonly weakBlockRecordsMax: number;
}

/** Blocks kept so far, as [start, end) ranges of positions, and the positions of split parts. */
interface Kept {
  readonly starts: number[];
  readonly ends: number[];
  /** Slots of the parts of split blocks, at positions from the end of the sorted key array. */
  readonly extra: number[];
}

/** Both refining hashes of the key of record `slot` whose packed form is `runKey`. */
function refinementsOf(
  record: PreparedRecord,
  runKey: number,
  slotBits: number,
): readonly [number, number] {
  const { keys, refinements } = blockingKeysRefined(record);
  const k = keys.findIndex((key) => packedKey(key, slotBits) === runKey);
  return [refinements[2 * k] ?? 0, refinements[2 * k + 1] ?? 0];
}

/** Runs of equal `value` over `members` (sorted by value, then slot): [from, to) pairs. */
function groupsBy(members: number[], value: Int32Array | Float64Array): number[] {
  members.sort((x, y) => (value[x] ?? 0) - (value[y] ?? 0) || x - y);
  const bounds: number[] = [];
  for (let a = 0; a < members.length;) {
    let b = a + 1;
    while (b < members.length && value[members[b] ?? 0] === value[members[a] ?? 0]) b++;
    bounds.push(a, b);
    a = b;
  }
  return bounds;
}

/** Build the block plan of a set of prepared records. */
export function planBlocks(prepared: readonly PreparedRecord[], caps: BlockCaps): BlockPlan {
  const n = prepared.length;
  const slotBits = slotBitsFor(n);
  const slotScale = 2 ** slotBits;
  const packed = packKeys(prepared, slotBits);
  const base = packed.length;
  const slots = new Int32Array(base);
  for (let p = 0; p < base; p++) {
    const v = packed[p] ?? 0;
    slots[p] = v - Math.floor(v / slotScale) * slotScale;
  }
  const kept: Kept = { starts: [], ends: [], extra: [] };
  const inBlock = new Uint8Array(n);
  const leftOut = new Uint8Array(n);
  const sub1 = new Float64Array(n);
  const sub2 = new Float64Array(n);
  let blocksSplit = 0;
  let blocksDropped = 0;
  const keep = (members: readonly number[], from: number, to: number): void => {
    const start = base + kept.extra.length;
    for (let a = from; a < to; a++) {
      const slot = members[a] ?? 0;
      kept.extra.push(slot);
      inBlock[slot] = 1;
    }
    if (to - from >= 2) {
      kept.starts.push(start);
      kept.ends.push(start + to - from);
    }
  };
  for (let p = 0; p < base;) {
    const s = p;
    const key = Math.floor((packed[s] ?? 0) / slotScale);
    while (p < base && Math.floor((packed[p] ?? 0) / slotScale) === key) p++;
    const cap = isWeakPacked(key, slotBits) ? caps.weakBlockRecordsMax : caps.blockRecordsMax;
    if (p - s <= cap) {
      for (let q = s; q < p; q++) inBlock[slots[q] ?? 0] = 1;
      if (p - s >= 2) {
        kept.starts.push(s);
        kept.ends.push(p);
      }
      continue;
    }
    // Too big: split by the first refining field, and a part still too big by the second.
    blocksSplit++;
    const members = Array.from(slots.subarray(s, p));
    for (const slot of members) {
      const record = prepared[slot];
      if (record === undefined) continue;
      const [first, second] = refinementsOf(record, key, slotBits);
      sub1[slot] = first;
      sub2[slot] = second;
    }
    const parts = groupsBy(members, sub1);
    for (let g = 0; g < parts.length; g += 2) {
      const from = parts[g] ?? 0;
      const to = parts[g + 1] ?? 0;
      if (to - from <= cap) {
        keep(members, from, to);
        continue;
      }
      const part = members.slice(from, to);
      const subparts = groupsBy(part, sub2);
      for (let h = 0; h < subparts.length; h += 2) {
        const a = subparts[h] ?? 0;
        const b = subparts[h + 1] ?? 0;
        if (b - a <= cap) keep(part, a, b);
        else {
          blocksDropped++;
          for (let x = a; x < b; x++) leftOut[part[x] ?? 0] = 1;
        }
      }
    }
  }
  const slotAt = new Int32Array(base + kept.extra.length);
  slotAt.set(slots);
  slotAt.set(kept.extra, base);
  // Each record's useful runs (as a later member), counted, then filled in.
  const runsFrom = new Int32Array(n + 1);
  for (let b = 0; b < kept.starts.length; b++)
    for (let q = (kept.starts[b] ?? 0) + 1; q < (kept.ends[b] ?? 0); q++) {
      const slot = slotAt[q] ?? 0;
      runsFrom[slot + 1] = (runsFrom[slot + 1] ?? 0) + 1;
    }
  for (let i = 0; i < n; i++) runsFrom[i + 1] = (runsFrom[i + 1] ?? 0) + (runsFrom[i] ?? 0);
  const runs = new Int32Array(2 * (runsFrom[n] ?? 0));
  const fill = runsFrom.slice(0, n);
  for (let b = 0; b < kept.starts.length; b++) {
    const start = kept.starts[b] ?? 0;
    for (let q = start + 1; q < (kept.ends[b] ?? 0); q++) {
      const slot = slotAt[q] ?? 0;
      const k = fill[slot] ?? 0;
      fill[slot] = k + 1;
      runs[2 * k] = start;
      runs[2 * k + 1] = q;
    }
  }
  let recordsWithoutBlock = 0;
  for (let i = 0; i < n; i++) if (leftOut[i] === 1 && inBlock[i] === 0) recordsWithoutBlock++;
  return {
    recordCount: n,
    slotAt,
    runsFrom,
    runs,
    blocksSplit,
    blocksDropped,
    recordsWithoutBlock,
  };
}

/**
 * The earlier records (slot < i) that share a useful block with record i, each once, written
 * into `out`; returns how many. `stamp` has one entry per record and must start at zero.
 */
export function earlierCandidates(
  plan: BlockPlan,
  i: number,
  stamp: Int32Array,
  out: Int32Array,
): number {
  let count = 0;
  const mark = i + 1;
  const to = plan.runsFrom[i + 1] ?? 0;
  for (let k = plan.runsFrom[i] ?? 0; k < to; k++) {
    const own = plan.runs[2 * k + 1] ?? 0;
    for (let q = plan.runs[2 * k] ?? 0; q < own; q++) {
      const j = plan.slotAt[q] ?? 0;
      if (stamp[j] === mark) continue;
      stamp[j] = mark;
      out[count++] = j;
    }
  }
  return count;
}

/**
 * True when record `later` and the earlier record `earlier` (earlier < later) share a useful
 * block, so the scan compared them. Asking the plan costs a walk of the later record's
 * blocks, and saves remembering every compared pair: a million records compare tens of
 * millions of pairs, more than a JavaScript Set can hold.
 */
export function sharesBlock(plan: BlockPlan, later: number, earlier: number): boolean {
  const to = plan.runsFrom[later + 1] ?? 0;
  for (let k = plan.runsFrom[later] ?? 0; k < to; k++) {
    const own = plan.runs[2 * k + 1] ?? 0;
    for (let q = plan.runs[2 * k] ?? 0; q < own; q++) if (plan.slotAt[q] === earlier) return true;
  }
  return false;
}
