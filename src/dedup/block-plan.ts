// Static blocking for a batch scan. Every record's keys are packed with its slot into one
// sorted array, so a block is a run of equal keys and needs no per-key object; a key held
// by more than blockRecordsMax records is skipped as a whole, whatever the order of the
// input. Each record then lists, per useful key, where its block starts and where it sits
// in it: the records before it in the run are its earlier candidates.
import { blockingKeys, isWeakKey } from './blocking';
import type { PreparedRecord } from './normalise';

/** The blocks of a whole set of records, in typed arrays. */
export interface BlockPlan {
  readonly recordCount: number;
  /** slotAt[p]: the record at position p of the sorted key array. */
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

/** Block-size caps: blocks larger than their cap are skipped. */
export interface BlockCaps {
  readonly blockRecordsMax: number;
  /** The cap of weak keys (see blocking.ts). */
  readonly weakBlockRecordsMax: number;
}

/** Build the block plan of a set of prepared records. */
export function planBlocks(prepared: readonly PreparedRecord[], caps: BlockCaps): BlockPlan {
  const n = prepared.length;
  const slotBits = slotBitsFor(n);
  const slotScale = 2 ** slotBits;
  const packed = packKeys(prepared, slotBits);
  const slotAt = new Int32Array(packed.length);
  const runsFrom = new Int32Array(n + 1);
  // First pass: slots, and how many useful runs each record is in (as the later member).
  const runStart = new Int32Array(packed.length);
  let start = 0;
  for (let p = 0; p < packed.length; p++) {
    const v = packed[p] ?? 0;
    const key = Math.floor(v / slotScale);
    slotAt[p] = v - key * slotScale;
    if (p > 0 && Math.floor((packed[p - 1] ?? 0) / slotScale) !== key) start = p;
    runStart[p] = start;
  }
  const useful = new Uint8Array(packed.length);
  for (let p = 0; p < packed.length;) {
    const s = p;
    while (p < packed.length && runStart[p] === s) p++;
    const isWeak = isWeakPacked(Math.floor((packed[s] ?? 0) / slotScale), slotBits);
    const cap = isWeak ? caps.weakBlockRecordsMax : caps.blockRecordsMax;
    if (p - s >= 2 && p - s <= cap)
      for (let q = s + 1; q < p; q++) {
        useful[q] = 1;
        const slot = slotAt[q] ?? 0;
        runsFrom[slot + 1] = (runsFrom[slot + 1] ?? 0) + 1;
      }
  }
  for (let i = 0; i < n; i++) runsFrom[i + 1] = (runsFrom[i + 1] ?? 0) + (runsFrom[i] ?? 0);
  const runs = new Int32Array(2 * (runsFrom[n] ?? 0));
  const fill = runsFrom.slice(0, n);
  for (let p = 0; p < packed.length; p++) {
    if (useful[p] === 0) continue;
    const slot = slotAt[p] ?? 0;
    const k = fill[slot] ?? 0;
    fill[slot] = k + 1;
    runs[2 * k] = runStart[p] ?? 0;
    runs[2 * k + 1] = p;
  }
  return { recordCount: n, slotAt, runsFrom, runs };
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
