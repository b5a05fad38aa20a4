// The scan's worker threads score a page as the main thread would: they learn each block the
// main thread found too big before a later page reaches them, and so put a pair forward from
// a later block when the earlier block they share was split apart.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { keyRefinementsOf, OversizedBlocks, type BlockPart } from './block-scan';
import { scorer } from './match';
import { prepareRecord } from './normalise';
import { matchColumns, type PersonMatchRow } from './person-record';
import { ScanPool } from './scan-pool';
import { preparedRecordsOf, scorePage } from './scan-scoring';
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
  it('the page under test has earlier shared blocks that decide it', () => {
    assert.ok(shared.length >= 2, `the two share ${shared.length} keys`);
    const score = scorer({});
    const records = preparedRecordsOf(rows, null);
    // Not split: the pair was put forward from its first shared block already.
    assert.equal(scorePage(page, records, score, new OversizedBlocks()).pairs.length, 0);
    const split = new OversizedBlocks();
    splitEarlierBlocks(split);
    assert.equal(scorePage(page, records, score, split).pairs.length, 1);
  });

  it('a worker learns of blocks found too big before and after it started', async (t) => {
    for (const when of ['before start', 'after start'] as const) {
      const oversized = new OversizedBlocks();
      if (when === 'before start') splitEarlierBlocks(oversized);
      const pool = ScanPool.start(2, {}, null, oversized);
      t.after(() => pool.close());
      // The first page goes to one worker before the blocks are known: nothing put forward.
      if (when === 'after start') {
        assert.equal((await pool.score(page, rows)).pairs.length, 0);
        splitEarlierBlocks(oversized);
      }
      // Both workers must know now, whichever gets the page.
      const answers = await Promise.all([pool.score(page, rows), pool.score(page, rows)]);
      assert.deepEqual(
        answers.map((s) => [s.pairs.length, s.compared]),
        [
          [1, 1],
          [1, 1],
        ],
        when,
      );
      assert.equal(answers[0]!.pairs[0]!.leftId, later.id, 'the later record on the left');
      await pool.close();
    }
  });

  it('an error in a worker fails the page, with the worker’s message', async (t) => {
    const pool = ScanPool.start(1, {}, null, new OversizedBlocks());
    t.after(() => pool.close());
    const broken = [{ ...rows[0]!, given_names: null as unknown as string }, rows[1]!];
    await assert.rejects(pool.score(page, broken), /dedup scan worker: /);
  });
});
