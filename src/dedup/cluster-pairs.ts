// The second pass of a batch scan: records that positive pairs link into one group, directly
// or through others, are compared with each other too. Blocking misses a pair whose fields
// are each garbled differently, but such a pair is often linked through a third record of
// the same person; the model still judges every pair on its own fields.
import type { PreparedRecord } from './normalise';
import type { ScoredPair } from './types';

/**
 * Groups larger than this are not completed: a big group is more likely a chain of
 * namesakes than one person, and completing it costs its size squared.
 */
export const clusterRecordsMax = 32;

/** A scored pair with the slots of its records (left is the later one). */
export interface SlotPair {
  readonly left: number;
  readonly right: number;
  readonly pair: ScoredPair;
}

function groupsOf(links: readonly number[]): Map<number, number[]> {
  const parent = new Map<number, number>();
  const find = (x: number): number => {
    let root = x;
    for (let p = parent.get(root); p !== undefined && p !== root; p = parent.get(root)) root = p;
    for (let y = x; y !== root;) {
      const next = parent.get(y) ?? root;
      parent.set(y, root);
      y = next;
    }
    return root;
  };
  for (let k = 0; k + 1 < links.length; k += 2) {
    const a = links[k] ?? 0;
    const b = links[k + 1] ?? 0;
    if (!parent.has(a)) parent.set(a, a);
    if (!parent.has(b)) parent.set(b, b);
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent.set(ra, rb);
  }
  const groups = new Map<number, number[]>();
  for (const x of parent.keys()) {
    const root = find(x);
    const members = groups.get(root);
    if (members === undefined) groups.set(root, [x]);
    else members.push(x);
  }
  return groups;
}

/**
 * Pairs inside the groups that `links` (flat slot pairs) form and that `isCompared` says
 * were not compared yet, scored; groups of two or of more than clusterRecordsMax are skipped.
 */
export function* clusterPairs(
  links: readonly number[],
  isCompared: (left: number, right: number) => boolean,
  preparedAt: (slot: number) => PreparedRecord,
  score: (a: PreparedRecord, b: PreparedRecord) => ScoredPair | undefined,
): Generator<SlotPair> {
  for (const members of groupsOf(links).values()) {
    if (members.length < 3 || members.length > clusterRecordsMax) continue;
    members.sort((x, y) => x - y);
    for (let b = 1; b < members.length; b++) {
      const left = members[b] ?? 0;
      for (let a = 0; a < b; a++) {
        const right = members[a] ?? 0;
        if (isCompared(left, right)) continue;
        const pair = score(preparedAt(left), preparedAt(right));
        if (pair !== undefined) yield { left, right, pair };
      }
    }
  }
}
