import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  publishedCell,
  suppressTable,
  type CountTable,
  type PublishedCell,
  type SuppressedTable,
} from './suppression';

// ---- An attacker who knows only the published table --------------------------------

const keyOf = (labels: readonly (string | null)[]) => JSON.stringify(labels);

/** Every line equation of the published table: cells along one dimension, total last. */
function lines(result: SuppressedTable): PublishedCell[][] {
  const byKey = new Map(result.cells.map((c) => [keyOf(c.labels), c]));
  const out: PublishedCell[][] = [];
  result.dimensions.forEach((_, d) => {
    for (const start of result.cells.filter(
      (c) => c.labels[d] === result.dimensions[d]!.labels[0],
    )) {
      const along = [...result.dimensions[d]!.labels, null].map((l) =>
        byKey.get(keyOf(start.labels.map((x, e) => (e === d ? l : x)))),
      );
      out.push(along as PublishedCell[]);
    }
  });
  return out;
}

/** Floating-point rank by Gaussian elimination with partial pivoting. */
function rank(matrix: number[][]): number {
  const m = matrix.map((r) => [...r]);
  let r = 0;
  for (let c = 0; c < (m[0]?.length ?? 0) && r < m.length; c++) {
    let best = r;
    for (let i = r; i < m.length; i++) if (Math.abs(m[i]![c]!) > Math.abs(m[best]![c]!)) best = i;
    if (Math.abs(m[best]![c]!) < 1e-9) continue;
    [m[r], m[best]] = [m[best]!, m[r]!];
    for (let i = 0; i < m.length; i++) {
      if (i === r) continue;
      const f = m[i]![c]! / m[r]![c]!;
      for (let k = c; k < m[i]!.length; k++) m[i]![k]! -= f * m[r]![k]!;
    }
    r++;
  }
  return r;
}

/** Hidden cells that a linear combination of the published line equations recovers. */
function linearlyRecovered(result: SuppressedTable): PublishedCell[] {
  const hidden = result.cells.filter((c) => c.suppressed);
  const column = new Map(hidden.map((c, k) => [c, k]));
  const rows = lines(result).map((line) => {
    const row = new Array<number>(hidden.length).fill(0);
    line.forEach((c, k) => {
      const j = column.get(c);
      if (j !== undefined) row[j] = k === line.length - 1 ? -1 : 1;
    });
    return row;
  });
  const base = rank(rows);
  return hidden.filter((_, j) => {
    const unit = hidden.map((__, k) => (k === j ? 1 : 0));
    return rank([...rows, unit]) === base; // e_j is in the row space: recovered exactly
  });
}

/**
 * Integer attacker: searches non-negative integer tables consistent with everything
 * published (values up to `cap`) and returns the feasible values found for each hidden cell.
 */
function feasibleValues(result: SuppressedTable, cap: number): Map<PublishedCell, Set<number>> {
  const all = lines(result);
  const hidden = result.cells.filter((c) => c.suppressed);
  const found = new Map(hidden.map((c) => [c, new Set<number>()]));
  const enough = () => [...found.values()].every((s) => s.size >= 2);
  const search = (known: Map<PublishedCell, number>): void => {
    const values = new Map(known);
    for (let changed = true; changed;) {
      changed = false;
      for (const line of all) {
        const unknown = line.filter((c) => !values.has(c) && c.suppressed);
        const value = (c: PublishedCell) => values.get(c) ?? c.value!;
        const inner = line.slice(0, -1);
        const total = line.at(-1)!;
        if (unknown.length === 0) {
          if (inner.reduce((s, c) => s + value(c), 0) !== value(total)) return;
        } else if (unknown.length === 1) {
          const u = unknown[0]!;
          const sumOthers = inner.filter((c) => c !== u).reduce((s, c) => s + value(c), 0);
          const v = u === total ? sumOthers : value(total) - sumOthers;
          if (v < 0) return;
          values.set(u, v);
          changed = true;
        }
      }
    }
    const next = hidden.find((c) => !values.has(c));
    if (!next) {
      for (const c of hidden) found.get(c)!.add(values.get(c)!);
      return;
    }
    for (let v = 0; v <= cap && !enough(); v++) search(new Map([...values, [next, v]]));
  };
  search(new Map());
  return found;
}

// ---- Helpers ------------------------------------------------------------------------

function table2d(rows: number[][], rowNames = 'ABCDEFGH', colNames = 'xyzwvu'): CountTable {
  return {
    dimensions: [
      { name: 'region', labels: rows.map((_, i) => rowNames[i]!) },
      { name: 'age', labels: rows[0]!.map((_, j) => colNames[j]!) },
    ],
    counts: rows.flat(),
  };
}

function assertSafe(result: SuppressedTable, original: CountTable): void {
  const truth = suppressTable(original, { threshold: 1 }); // nothing hidden: the true values
  result.cells.forEach((cell, i) => {
    const real = truth.cells[i]!.value!;
    if (cell.suppressed) assert.equal(cell.value, null);
    else {
      assert.equal(cell.value, real, 'published values are the true ones');
      assert.ok(real === 0 || real >= result.threshold, `published small cell ${real}`);
    }
  });
  const recovered = linearlyRecovered(result);
  assert.deepEqual(
    recovered.map((c) => c.labels),
    [],
    'a hidden cell is recoverable',
  );
}

// ---- The specification ------------------------------------------------------------

void describe('suppressTable', () => {
  void it('publishes a table with no small cell untouched, margins included', () => {
    const result = suppressTable(
      table2d([
        [12, 30],
        [40, 15],
      ]),
    );
    assert.equal(result.cells.length, 9);
    assert.ok(result.cells.every((c) => !c.suppressed));
    assert.deepEqual(publishedCell(result, ['A', null]), {
      labels: ['A', null],
      isTotal: true,
      value: 42,
      suppressed: false,
      suppression: null,
    });
    assert.equal(publishedCell(result, [null, null])?.value, 97);
  });

  void it('1-D: hides a small cell and one complement, so the total does not reveal it', () => {
    const result = suppressTable({
      dimensions: [{ name: 'sex', labels: ['F', 'M', 'X'] }],
      counts: [30, 20, 5],
    });
    assert.deepEqual(
      result.cells.map((c) => [c.labels[0], c.value, c.suppression]),
      [
        ['F', 30, null],
        ['M', null, 'secondary'],
        ['X', null, 'primary'],
        [null, 55, null],
      ],
    );
    assertSafe(result, { dimensions: result.dimensions, counts: [30, 20, 5] });
  });

  void it('2-D: every row and column with a hidden cell hides at least two', () => {
    const original = table2d([
      [3, 25, 40, 12],
      [20, 30, 18, 50],
      [15, 4, 60, 22],
    ]);
    const result = suppressTable(original);
    assert.equal(publishedCell(result, ['A', 'x'])?.suppression, 'primary');
    assert.equal(publishedCell(result, ['C', 'y'])?.suppression, 'primary');
    for (const line of lines(result)) {
      const hidden = line.filter((c) => c.suppressed).length;
      assert.ok(hidden === 0 || hidden >= 2, `a line hides ${hidden}`);
    }
    assertSafe(result, original);
  });

  void it('hides margins that are themselves small, and protects them too', () => {
    const original = table2d([
      [3, 4, 0],
      [20, 30, 18],
      [15, 14, 60],
    ]);
    const result = suppressTable(original);
    assert.equal(publishedCell(result, ['A', null])?.suppression, 'primary'); // 7 people
    assertSafe(result, original);
  });

  void it('a one-label dimension: the cell equals its total, so both are hidden', () => {
    const result = suppressTable({
      dimensions: [{ name: 'region', labels: ['North'] }],
      counts: [4],
    });
    assert.ok(result.cells.every((c) => c.suppressed));
  });

  void it('shows zeros by default and hides them on request', () => {
    const original = table2d([
      [0, 25, 40],
      [20, 30, 18],
    ]);
    assert.equal(publishedCell(suppressTable(original), ['A', 'x'])?.value, 0);
    const strict = suppressTable(original, { zeros: 'suppress' });
    assert.equal(publishedCell(strict, ['A', 'x'])?.suppression, 'primary');
    assertSafe(strict, original);
  });

  void it('honours another threshold', () => {
    const original = table2d([
      [12, 30],
      [40, 15],
    ]);
    const result = suppressTable(original, { threshold: 13 });
    assert.equal(publishedCell(result, ['A', 'x'])?.suppression, 'primary');
    assertSafe(result, original);
  });

  void it('3-D region × age band × sex: no hidden cell follows from any margin', () => {
    const regions = ['North', 'South', 'East'];
    const ages = ['0-17', '18-64', '65+'];
    const sexes = ['F', 'M'];
    const counts = [12, 11, 40, 38, 3, 9, 20, 22, 55, 60, 14, 2, 7, 15, 33, 30, 11, 12];
    const original: CountTable = {
      dimensions: [
        { name: 'region', labels: regions },
        { name: 'age', labels: ages },
        { name: 'sex', labels: sexes },
      ],
      counts,
    };
    const result = suppressTable(original);
    assert.equal(result.cells.length, 4 * 4 * 3);
    assert.equal(publishedCell(result, ['North', '65+', 'F'])?.suppression, 'primary');
    assertSafe(result, original);
  });

  void it('refuses malformed tables', () => {
    const dims = [{ name: 'a', labels: ['x', 'y'] }];
    assert.throws(() => suppressTable({ dimensions: dims, counts: [1] }), /expected 2 counts/);
    assert.throws(() => suppressTable({ dimensions: dims, counts: [1, -1] }), /non-negative/);
    assert.throws(() => suppressTable({ dimensions: dims, counts: [1, 1.5] }), /non-negative/);
    assert.throws(() => suppressTable({ dimensions: [], counts: [] }), /dimensions/);
    assert.throws(
      () => suppressTable({ dimensions: [{ name: 'a', labels: ['x', 'x'] }], counts: [1, 2] }),
      /repeats/,
    );
    const four = [dims[0]!, dims[0]!, dims[0]!, dims[0]!];
    assert.throws(
      () => suppressTable({ dimensions: four, counts: new Array<number>(16).fill(1) }),
      /dimensions/,
    );
    assert.throws(
      () => suppressTable({ dimensions: dims, counts: [1, 2] }, { threshold: 0 }),
      /threshold/,
    );
  });
});

void describe('an attacker cannot recover a suppressed cell', () => {
  void it('the integer attacker finds at least two feasible values for every hidden cell', () => {
    const cases = [
      [
        [3, 25, 40],
        [20, 30, 18],
      ],
      [
        [3, 4, 0],
        [20, 30, 18],
        [15, 14, 60],
      ],
      [
        [1, 12, 11],
        [12, 1, 13],
        [11, 13, 2],
      ],
      [
        [5, 50],
        [50, 50],
      ],
      [
        [2, 0, 0],
        [0, 30, 20],
      ],
    ];
    for (const rows of cases) {
      const result = suppressTable(table2d(rows));
      const grand = rows.flat().reduce((a, b) => a + b, 0);
      for (const [cell, values] of feasibleValues(result, grand)) {
        assert.ok(values.size >= 2, `${keyOf(cell.labels)} can only be ${[...values].join()}`);
      }
    }
  });

  // Found by search: with only the "two hidden per line" rule, the attacker recovers
  // (3, 0) in the first table and (3, 1, 2) in the second by combining several lines.
  void it('tables where two hidden cells per line are not enough stay safe', () => {
    const labels = (n: number, d: number) => Array.from({ length: n }, (_, i) => `${d}:${i}`);
    const cases: [number[], number[]][] = [
      [
        [5, 6],
        [
          6, 27, 17, 1, 47, 37, 25, 27, 14, 7, 5, 37, 3, 39, 58, 8, 9, 29, 1, 51, 7, 58, 37, 2, 35,
          27, 3, 42, 55, 6,
        ],
      ],
      [
        [4, 3, 3],
        [
          45, 3, 14, 56, 16, 3, 3, 49, 4, 6, 4, 1, 53, 6, 19, 22, 29, 2, 29, 24, 14, 52, 19, 0, 41,
          4, 5, 9, 0, 4, 1, 1, 4, 5, 11, 2,
        ],
      ],
    ];
    for (const [sizes, counts] of cases) {
      const original: CountTable = {
        dimensions: sizes.map((n, d) => ({ name: `d${d}`, labels: labels(n, d) })),
        counts,
      };
      assertSafe(suppressTable(original), original);
    }
  });

  const smallCount = fc.oneof(fc.integer({ min: 0, max: 12 }), fc.integer({ min: 0, max: 80 }));

  void it('property: 2-D tables are safe against linear combinations and integer search', () => {
    const shape = fc.record({
      rows: fc.integer({ min: 1, max: 4 }),
      cols: fc.integer({ min: 1, max: 4 }),
    });
    const arbitrary = shape.chain(({ rows, cols }) =>
      fc.array(fc.array(smallCount, { minLength: cols, maxLength: cols }), {
        minLength: rows,
        maxLength: rows,
      }),
    );
    fc.assert(
      fc.property(
        arbitrary,
        fc.constantFrom<'show' | 'suppress'>('show', 'suppress'),
        (rows, zeros) => {
          const original = table2d(rows);
          const result = suppressTable(original, { zeros });
          assertSafe(result, original);
          if (zeros === 'show') {
            const grand = rows.flat().reduce((a, b) => a + b, 0);
            for (const [cell, values] of feasibleValues(result, grand + 1)) {
              assert.ok(
                values.size >= 2,
                `${keyOf(cell.labels)} can only be ${[...values].join()}`,
              );
            }
          }
        },
      ),
      { numRuns: 150, seed: 20250101 },
    );
  });

  void it('property: 3-D tables are safe against linear combinations', () => {
    const size = fc.integer({ min: 1, max: 3 });
    const arbitrary = fc
      .tuple(size, size, size)
      .chain(([a, b, c]) =>
        fc.tuple(
          fc.constant([a, b, c] as const),
          fc.array(smallCount, { minLength: a * b * c, maxLength: a * b * c }),
        ),
      );
    fc.assert(
      fc.property(arbitrary, ([[a, b, c], counts]) => {
        const labels = (n: number, p: string) => Array.from({ length: n }, (_, i) => `${p}${i}`);
        const original: CountTable = {
          dimensions: [
            { name: 'region', labels: labels(a, 'r') },
            { name: 'age', labels: labels(b, 'a') },
            { name: 'sex', labels: labels(c, 's') },
          ],
          counts,
        };
        assertSafe(suppressTable(original), original);
      }),
      { numRuns: 150, seed: 20250102 },
    );
  });
});
