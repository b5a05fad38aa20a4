import assert from 'node:assert/strict';
import { it } from 'node:test';
import { forEachEngine } from '../../test/support/engines';
import { validPerson, staff, testApp } from '../../test/support/app';
import type { Database } from '../db';
import { enrolPerson } from '../registry';
import type { AppContext } from '../shared/context';
import { DomainError } from '../shared/errors';
import { parseInput } from '../shared/validate';
import { registryStatistics, registryStatisticsInput, type RegistryStatistics } from './statistics';
import { publishedCell } from './suppression';

const refusedWith = (code: string) => (e: unknown) => {
  assert.ok(e instanceof DomainError, `expected a DomainError, got ${String(e)}`);
  assert.equal(e.code, code, e.message);
  return true;
};

// VE-A: 12 F, 11 M, 3 X (small) · VE-B: 14 F, 13 M · VE-C: 2 F (small)
const population: [region: string, sex: string, count: number][] = [
  ['VE-A', 'F', 12],
  ['VE-A', 'M', 11],
  ['VE-A', 'X', 3],
  ['VE-B', 'F', 14],
  ['VE-B', 'M', 13],
  ['VE-C', 'F', 2],
];

const seeded = new WeakMap<Database, Promise<void>>();

function seed(app: AppContext): Promise<void> {
  let done = seeded.get(app.db);
  if (!done) {
    done = (async () => {
      const registrar = staff('registrar');
      for (const [regionCode, sex, count] of population) {
        for (let i = 0; i < count; i++) {
          await enrolPerson(
            app,
            registrar,
            validPerson({ sex, address: { regionCode }, birthDate: `${1950 + i}-06-15` }),
          );
        }
      }
    })();
    seeded.set(app.db, done);
  }
  return done;
}

/** Every published value is hidden, zero, or at least the threshold. */
function assertNoSmallCell(table: RegistryStatistics): void {
  for (const cell of table.cells) {
    if (cell.value === null) assert.equal(cell.suppressed, true);
    else
      assert.ok(
        cell.value === 0 || cell.value >= table.threshold,
        `cell ${JSON.stringify(cell.labels)} = ${cell.value}`,
      );
  }
}

/** Rank of a matrix (Gaussian elimination; the entries here are small integers). */
function rank(matrix: number[][]): number {
  const m = matrix.map((r) => [...r]);
  let r = 0;
  for (let c = 0; c < (m[0]?.length ?? 0) && r < m.length; c++) {
    const p = m.findIndex((row, i) => i >= r && Math.abs(row[c]!) > 1e-9);
    if (p < 0) continue;
    [m[r], m[p]] = [m[p]!, m[r]!];
    for (let i = 0; i < m.length; i++) {
      if (i === r) continue;
      const f = m[i]![c]! / m[r]![c]!;
      for (let k = 0; k < m[i]!.length; k++) m[i]![k]! -= f * m[r]![k]!;
    }
    r++;
  }
  return r;
}

/**
 * The attacker: every row and column equation of a 2-D table (cells sum to their total),
 * with the published values moved to the right-hand side. A hidden cell is recovered
 * exactly when its unit vector lies in the span of the equations over hidden cells.
 */
function recoverableCells(table: RegistryStatistics): string[] {
  const [rowsDim, colsDim] = table.dimensions;
  const rowLabels = [...rowsDim!.labels, null];
  const colLabels = [...colsDim!.labels, null];
  const hidden = table.cells.filter((c) => c.suppressed);
  const column = new Map(hidden.map((c, k) => [JSON.stringify(c.labels), k]));
  const equations: number[][] = [];
  const line = (cells: (string | null)[][]) => {
    const eq = new Array<number>(hidden.length).fill(0);
    cells.forEach((labels, k) => {
      const j = column.get(JSON.stringify(labels));
      if (j !== undefined) eq[j] = k === cells.length - 1 ? -1 : 1;
    });
    equations.push(eq);
  };
  for (const r of rowLabels) line(colLabels.map((c) => [r, c]));
  for (const c of colLabels) line(rowLabels.map((r) => [r, c]));
  const base = rank(equations);
  return hidden
    .filter((_, j) => rank([...equations, hidden.map((__, k) => (k === j ? 1 : 0))]) === base)
    .map((c) => JSON.stringify(c.labels));
}

forEachEngine('registry statistics', ({ db }) => {
  it('counts by region and sex, and returns no cell below the threshold', async () => {
    const app = testApp(db());
    await seed(app);
    const table = await registryStatistics(app, staff('analyst'), { by: ['region', 'sex'] });
    assert.equal(table.threshold, 10);
    assert.deepEqual(
      table.dimensions.map((d) => d.name),
      ['region', 'sex'],
    );
    assert.equal(publishedCell(table, ['VE-B', 'F'])?.value, 14);
    assert.equal(publishedCell(table, ['VE-B', null])?.value, 27);
    assert.equal(publishedCell(table, ['VE-D', 'F'])?.value, 0);
    assert.equal(publishedCell(table, ['VE-A', 'X'])?.suppression, 'primary');
    assert.equal(publishedCell(table, ['VE-C', 'F'])?.suppression, 'primary');
    assertNoSmallCell(table);
    // Only counts: no cell carries anything but labels and numbers.
    for (const cell of table.cells)
      assert.deepEqual(Object.keys(cell).sort(), [
        'isTotal',
        'labels',
        'suppressed',
        'suppression',
        'value',
      ]);
  });

  it('hides enough that a suppressed cell cannot be recovered from row and column totals', async () => {
    const app = testApp(db());
    await seed(app);
    const table = await registryStatistics(app, staff('analyst'), { by: ['region', 'sex'] });
    // The naive attack: the VE-A row total minus its published cells. It does not give the
    // 3 people of sex X, because a second cell of that row is hidden with it.
    const row = table.cells.filter((c) => c.labels[0] === 'VE-A');
    const total = row.find((c) => c.labels[1] === null)!;
    const hiddenInRow = row.filter((c) => c.suppressed);
    assert.ok(
      total.suppressed || hiddenInRow.length >= 2,
      'one hidden cell in a line would be its total minus the rest',
    );
    // The full attack: any linear combination of every row and column equation.
    assert.deepEqual(recoverableCells(table), []);
    assert.ok(table.cells.some((c) => c.suppression === 'secondary'));
  });

  it('bands ages at the exact birthday, from the application clock', async () => {
    const app = testApp(db(), new Date('2026-11-29T10:00:00Z'));
    app.config.statsCellMin = 1;
    const registrar = staff('registrar', ['VE-E']);
    const born = [
      '2021-11-30',
      '2021-11-29',
      '2008-11-30',
      '2008-11-29',
      '1951-11-29',
      '1951',
      '1997-11',
    ];
    for (const birthDate of born)
      await enrolPerson(
        app,
        registrar,
        validPerson({ birthDate, address: { regionCode: 'VE-E' } }),
      );
    const table = await registryStatistics(app, staff('analyst', ['VE-E']), { by: ['ageBand'] });
    const value = (band: string) => publishedCell(table, [band])?.value;
    // 4 years 364 days; 5 today; 17; 18 today; 75 today; 75 (a year alone counts from 1 Jan); 29.
    assert.deepEqual(
      ['0-4', '5-17', '18-29', '30-44', '45-59', '60-74', '75+'].map(value),
      [1, 2, 2, 0, 0, 0, 2],
    );
    assert.deepEqual(table.regions, ['VE-E']);
    assert.equal(table.asOf, '2026-11-29T10:00:00.000Z');
  });

  it('counts only active persons, and only in a regional analyst’s regions', async () => {
    const app = testApp(db());
    app.config.statsCellMin = 1;
    const registrar = staff('registrar', ['VE-F']);
    const people = [];
    for (let i = 0; i < 3; i++)
      people.push(
        await enrolPerson(app, registrar, validPerson({ address: { regionCode: 'VE-F' } })),
      );
    await db()
      .kysely.updateTable('persons')
      .set({ status: 'deceased' })
      .where('id', '=', people[0]!.id)
      .execute();
    const table = await registryStatistics(app, staff('analyst', ['VE-F']), {
      by: ['region', 'sex', 'ageBand'],
    });
    assert.deepEqual(table.dimensions[0]?.labels, ['VE-F']);
    assert.equal(publishedCell(table, [null, null, null])?.value, 2);
  });

  it('refuses callers without stats:read and malformed groupings', async () => {
    const app = testApp(db());
    await assert.rejects(
      registryStatistics(app, staff('registrar'), { by: ['region'] }),
      refusedWith('FORBIDDEN'),
    );
    assert.throws(
      () => parseInput(registryStatisticsInput, { by: [] }),
      refusedWith('VALIDATION_FAILED'),
    );
    assert.throws(
      () => parseInput(registryStatisticsInput, { by: ['sex', 'sex'] }),
      refusedWith('VALIDATION_FAILED'),
    );
    assert.throws(
      () => parseInput(registryStatisticsInput, { by: ['party'] }),
      refusedWith('VALIDATION_FAILED'),
    );
  });
});
