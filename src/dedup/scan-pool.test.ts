// The scan's worker threads score a page as the main thread would, and send each match back
// with the smaller keys its pair shares; the main thread puts it forward from a later block
// only when the earlier blocks the two share were split apart.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { keyRefinementsOf, OversizedBlocks, type BlockPart } from './block-scan';
import { scorer } from './match';
import { prepareRecord } from './normalise';
import { matchColumns, type PersonMatchRow } from './person-record';
import { ScanPool } from './scan-pool';
import { preparedRecordsOf, putForward, scorePage } from './scan-scoring';
import { personRowOf } from './stored-record';
import type { MatchRecord } from './types';

const older: MatchRecord = {
  id: 'p-0001',
  givenNames: 'María José',
  surname1: 'González',
  surname2: 'Rondón',
  birthDate: '1961-04-12',
  sex: 'F',
  regionCode: 'VE-A',
  locality: 'Caracas',
};
const later: MatchRecord = { ...older, id: 'p-0002', givenNames: 'Maria Jose' };

function rowOf(r: MatchRecord, n: number): PersonMatchRow {
  const row = personRowOf(r, `T${n}`, new Date(0).toISOString(), 'test');
  return Object.fromEntries(matchColumns.map((c) => [c, row[c] ?? null])) as PersonMatchRow;
}

const rows = [rowOf(older, 1), rowOf(later, 2)];
const a = keyRefinementsOf(prepareRecord(older));
const b = keyRefinementsOf(prepareRecord(later));
const shared = [...a.keys()].filter((k) => b.has(k)).sort((x, y) => x - y);
/** The last key the two share: the page scored holds its block. */
const lastShared = shared.at(-1)!;
const page: BlockPart[] = [{ key: lastShared, level: 0, ids: [older.id, later.id] }];

/** Marks every earlier shared block too big, and the two's part of it left out. */
function splitEarlierBlocks(oversized: OversizedBlocks): void {
  for (const key of shared.slice(0, -1)) {
    const [a1, a2] = a.get(key)!;
    oversized.addKey(key);
    oversized.addSplitPart(key, a1);
    oversized.addDroppedPart(key, a1, a2);
  }
}

describe('dedup: the scan on worker threads', () => {
  it('a match is put forward from a later block only when the earlier shared ones were split apart', () => {
    assert.ok(shared.length >= 2, `the two share ${shared.length} keys`);
    const { candidates, compared } = scorePage(page, preparedRecordsOf(rows, null), scorer({}));
    assert.equal(compared, 1);
    assert.equal(candidates.length, 1);
    // Every smaller shared key, with both refining values.
    assert.equal(candidates[0]!.earlierKeys.length, 5 * (shared.length - 1));
    // Not split: the pair was put forward from its first shared block already.
    assert.equal(putForward(candidates, new OversizedBlocks()).length, 0);
    const split = new OversizedBlocks();
    splitEarlierBlocks(split);
    assert.equal(putForward(candidates, split).length, 1);
  });

  it('a worker scores a page as the main thread does, reading its rows or given them', async (t) => {
    const expected = scorePage(page, preparedRecordsOf(rows, null), scorer({}));
    const pool = ScanPool.start(2, {}, null);
    t.after(() => pool.close());
    assert.equal(pool.readsRows, false, 'no database named: the rows come with each page');
    const answers = await Promise.all([pool.score(page, rows), pool.score(page, rows)]);
    for (const answer of answers) {
      assert.deepEqual(answer, expected);
      assert.equal(answer.candidates[0]!.pair.leftId, later.id, 'the later record on the left');
    }
    const split = new OversizedBlocks();
    splitEarlierBlocks(split);
    assert.equal(putForward(answers[0]!.candidates, split).length, 1);
    await pool.close();
    await pool.close();
  });

  it('an error in a worker fails the page, with the worker’s message', async (t) => {
    const pool = ScanPool.start(1, {}, null);
    t.after(() => pool.close());
    const broken = [{ ...rows[0]!, given_names: null as unknown as string }, rows[1]!];
    await assert.rejects(pool.score(page, broken), /dedup scan worker: /);
  });
});
