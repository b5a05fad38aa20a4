// Statistics with small-cell suppression (principle 5: statistics, not lists).
//
// A table of counts over 1–3 dimensions is published with all its margins: every
// combination of labels and "total" (a 2-D table gets row totals, column totals and the
// grand total; a 3-D table also gets its three 2-D margin tables). Think of it as one
// extended table where each dimension has one more position, the total, and where each
// "line" (all positions along one dimension, others fixed) sums to its total.
//
// Primary suppression hides every cell, margin or not, with 0 < count < threshold.
// Zeros are shown by default: a zero describes no one, so nobody can be singled out from
// it, and hiding zeros makes sparse tables unreadable. A zero can still disclose something
// about a group — "all 14 people aged 80+ in this village receive insulin" shows when the
// other cells of that line are zero — so tables over a sensitive attribute (a health
// programme) should pass `zeros: 'suppress'`, which treats zeros like small cells.
//
// Secondary suppression then hides more cells until no hidden cell can be recomputed
// exactly from the published ones: first every line must hide 0 or at least 2 cells
// (one hidden cell in a line is its total minus the others); then an exact linear-algebra
// audit (the attacker's own method: any linear combination of the line equations) finds
// hidden cells still determined — in 2-D, a hidden cell on a "bridge" between two groups
// of hidden cells — and hides one more cell in a line through each, until none is left.
// Complements are chosen to lose little: positive cells before zeros (a hidden positive
// cell can move either way, so its feasible range is wider than a point), inner cells
// before totals, small counts before large.

/** One dimension of a statistics table, e.g. region with its labels. */
export interface StatisticsDimension {
  name: string;
  labels: readonly string[];
}

/** Counts over 1–3 dimensions, row-major: the last dimension varies fastest. */
export interface CountTable {
  dimensions: readonly StatisticsDimension[];
  counts: readonly number[];
}

/** Options for `suppressTable`. */
export interface SuppressionOptions {
  /** Cells with 0 < count < threshold are suppressed; default 10. */
  threshold?: number;
  /** Publish zero cells (`'show'`, default) or treat them as small (`'suppress'`). */
  zeros?: 'show' | 'suppress';
}

/** One published cell; `labels[d]` is null where the cell is the total over dimension d. */
export interface PublishedCell {
  labels: (string | null)[];
  isTotal: boolean;
  value: number | null;
  suppressed: boolean;
  /** Why it is hidden: too small itself, or to protect another hidden cell. */
  suppression: 'primary' | 'secondary' | null;
}

/** A table ready to publish: every cell of the extended table, row-major, totals last. */
export interface SuppressedTable {
  dimensions: StatisticsDimension[];
  threshold: number;
  cells: PublishedCell[];
}

/** Default small-cell threshold. */
export const suppressionThresholdDefault = 10;
/** Dimensions a table may have. */
export const statisticsDimensionsMax = 3;
/** Cells a table may have (before margins), to bound the audit's work. */
export const statisticsCellsMax = 20_000;

// The extended table: sizes include the total position (the last one) of each dimension.
interface Grid {
  sizes: number[];
  strides: number[];
  /** Each line: the positions along one dimension, the total last. */
  lines: number[][];
  /** For each position, the lines through it. */
  linesOf: number[][];
  isTotal: boolean[];
}

function coordinates(grid: Grid, position: number): number[] {
  return grid.sizes.map((_, d) => Math.floor(position / grid.strides[d]!) % grid.sizes[d]!);
}

function buildGrid(labelCounts: readonly number[]): Grid {
  const sizes = labelCounts.map((n) => n + 1);
  const strides = sizes.map((_, d) => sizes.slice(d + 1).reduce((a, b) => a * b, 1));
  const total = sizes.reduce((a, b) => a * b, 1);
  const grid: Grid = { sizes, strides, lines: [], linesOf: [], isTotal: [] };
  for (let p = 0; p < total; p++) {
    grid.linesOf.push([]);
    grid.isTotal.push(coordinates(grid, p).some((c, d) => c === labelCounts[d]));
  }
  sizes.forEach((size, d) => {
    for (let p = 0; p < total; p++) {
      if (coordinates(grid, p)[d] !== 0) continue; // each line starts at coordinate 0
      const line = Array.from({ length: size }, (_, k) => p + k * strides[d]!);
      for (const q of line) grid.linesOf[q]!.push(grid.lines.length);
      grid.lines.push(line);
    }
  });
  return grid;
}

function extendedValues(grid: Grid, table: CountTable): number[] {
  const values: number[] = new Array<number>(grid.isTotal.length).fill(0);
  table.counts.forEach((count, i) => {
    // Row-major base index → extended position (same coordinates, larger strides).
    let rest = i;
    let position = 0;
    for (let d = grid.sizes.length - 1; d >= 0; d--) {
      const n = grid.sizes[d]! - 1;
      position += (rest % n) * grid.strides[d]!;
      rest = Math.floor(rest / n);
    }
    // Add the count to its cell and to every margin that contains it.
    const coords = coordinates(grid, position);
    for (let mask = 0; mask < 1 << coords.length; mask++) {
      let q = 0;
      coords.forEach(
        (c, d) => (q += (mask & (1 << d) ? grid.sizes[d]! - 1 : c) * grid.strides[d]!),
      );
      values[q]! += count;
    }
  });
  return values;
}

function validate(table: CountTable, threshold: number): void {
  const dims = table.dimensions;
  if (dims.length < 1 || dims.length > statisticsDimensionsMax) {
    throw new Error(`a statistics table has 1 to ${statisticsDimensionsMax} dimensions`);
  }
  for (const dim of dims) {
    if (dim.labels.length < 1) throw new Error(`dimension ${dim.name} has no labels`);
    if (new Set(dim.labels).size !== dim.labels.length) {
      throw new Error(`dimension ${dim.name} repeats a label`);
    }
  }
  const cells = dims.reduce((n, d) => n * d.labels.length, 1);
  if (cells > statisticsCellsMax) throw new Error(`more than ${statisticsCellsMax} cells`);
  if (table.counts.length !== cells) throw new Error(`expected ${cells} counts`);
  if (!table.counts.every((c) => Number.isSafeInteger(c) && c >= 0)) {
    throw new Error('counts must be non-negative integers');
  }
  if (!Number.isSafeInteger(threshold) || threshold < 1) throw new Error('bad threshold');
}

function gcd(a: number, b: number): number {
  a = Math.abs(a);
  b = Math.abs(b);
  while (b) [a, b] = [b, a % b];
  return a;
}

// row := row·a − pivotRow·b, divided by the gcd of its entries: exact integer elimination
// that keeps numbers small (the rows start as 0/±1).
function eliminate(row: number[], pivotRow: number[], a: number, b: number): void {
  let g = 0;
  for (let k = 0; k < row.length; k++) {
    const v = row[k]! * a - pivotRow[k]! * b;
    if (!Number.isSafeInteger(v)) throw new Error('suppression audit overflow: table too complex');
    row[k] = v;
    g = gcd(g, v);
  }
  if (g > 1) for (let k = 0; k < row.length; k++) row[k] = row[k]! / g;
}

// Hidden positions that the published cells determine exactly: e_c lies in the row space
// of the line equations restricted to hidden cells. Exact reduced row echelon form.
function determinedCells(grid: Grid, hidden: readonly boolean[]): number[] {
  const columns = hidden.flatMap((h, p) => (h ? [p] : []));
  const columnOf = new Map(columns.map((p, k) => [p, k]));
  const rows: number[][] = [];
  for (const line of grid.lines) {
    if (!line.some((p) => hidden[p])) continue;
    const row = new Array<number>(columns.length).fill(0);
    line.forEach((p, k) => {
      const c = columnOf.get(p);
      if (c !== undefined) row[c] = k === line.length - 1 ? -1 : 1;
    });
    rows.push(row);
  }
  const pivotRowOf = new Map<number, number[]>();
  let rank = 0;
  for (let c = 0; c < columns.length && rank < rows.length; c++) {
    const i = rows.findIndex((row, index) => index >= rank && row[c] !== 0);
    if (i < 0) continue;
    [rows[rank], rows[i]] = [rows[i]!, rows[rank]!];
    const pivot = rows[rank]!;
    for (const row of rows)
      if (row !== pivot && row[c] !== 0) eliminate(row, pivot, pivot[c]!, row[c]!);
    pivotRowOf.set(c, pivot);
    rank++;
  }
  // In reduced form a pivot row is zero in every other pivot column, so the cell is
  // determined exactly when its row is zero everywhere else (it touches no free column).
  return columns.filter((_, c) => {
    const row = pivotRowOf.get(c);
    return row !== undefined && row.every((v, k) => k === c || v === 0);
  });
}

// The cell to hide next among `candidates`: positive before zero, inner before total,
// small before large, then the first position (so the result is deterministic).
function bestComplement(candidates: number[], values: number[], grid: Grid): number | undefined {
  const rank = (p: number) => [values[p] === 0 ? 1 : 0, grid.isTotal[p] ? 1 : 0, values[p]!, p];
  return candidates.sort((a, b) => {
    const [ra, rb] = [rank(a), rank(b)];
    const k = ra.findIndex((v, i) => v !== rb[i]);
    return k < 0 ? 0 : ra[k]! - rb[k]!;
  })[0];
}

// Hides one more cell in every line that hides exactly one, until no such line remains.
function applyLineRule(grid: Grid, values: number[], hidden: boolean[]): void {
  for (let changed = true; changed;) {
    changed = false;
    for (const line of grid.lines) {
      if (line.filter((p) => hidden[p]).length !== 1) continue;
      const pick = bestComplement(
        line.filter((p) => !hidden[p]),
        values,
        grid,
      );
      if (pick === undefined) continue; // unreachable: a line has at least two positions
      hidden[pick] = true;
      changed = true;
    }
  }
}

// Hides one more cell in a line through `cell`; false when every such cell is hidden.
function protect(cell: number, grid: Grid, values: number[], hidden: boolean[]): boolean {
  const candidates = grid.linesOf[cell]!.flatMap((l) => grid.lines[l]!.filter((p) => !hidden[p]));
  const pick = bestComplement([...new Set(candidates)], values, grid);
  if (pick === undefined) return false;
  hidden[pick] = true;
  return true;
}

function hideUntilSafe(grid: Grid, values: number[], hidden: boolean[]): void {
  for (;;) {
    applyLineRule(grid, values, hidden);
    const exposed = determinedCells(grid, hidden);
    if (exposed.length === 0) return;
    const progressed = exposed.map((cell) => protect(cell, grid, values, hidden)).some(Boolean);
    // With nothing left to hide near an exposed cell, hide everything: when no cell is
    // published, the true table times any factor is also a solution, so no positive cell
    // is determined.
    if (!progressed) {
      hidden.fill(true);
      return;
    }
  }
}

/** Suppresses small cells and their complements, so no hidden cell can be recomputed. */
export function suppressTable(
  table: CountTable,
  options: SuppressionOptions = {},
): SuppressedTable {
  const threshold = options.threshold ?? suppressionThresholdDefault;
  validate(table, threshold);
  const grid = buildGrid(table.dimensions.map((d) => d.labels.length));
  const values = extendedValues(grid, table);
  const small = (v: number) =>
    (v > 0 && v < threshold) || (v === 0 && options.zeros === 'suppress');
  const primary = values.map(small);
  const hidden = [...primary];
  if (hidden.some(Boolean)) hideUntilSafe(grid, values, hidden);
  const cells = values.map((value, p): PublishedCell => {
    const labels = coordinates(grid, p).map((c, d) => table.dimensions[d]!.labels[c] ?? null);
    const suppression = primary[p] ? 'primary' : hidden[p] ? 'secondary' : null;
    const isTotal = grid.isTotal[p]!;
    return {
      labels,
      isTotal,
      value: hidden[p] ? null : value,
      suppressed: hidden[p]!,
      suppression,
    };
  });
  const dimensions = table.dimensions.map((d) => ({ name: d.name, labels: [...d.labels] }));
  return { dimensions, threshold, cells };
}

/** The published cell at `labels` (null for a total over that dimension), or undefined. */
export function publishedCell(
  result: SuppressedTable,
  labels: readonly (string | null)[],
): PublishedCell | undefined {
  return result.cells.find((c) => c.labels.every((l, d) => l === labels[d]));
}
