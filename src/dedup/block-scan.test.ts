// The batch scan read block by block from the key table: on a generated registry with planted
// duplicates and blocks too big for their caps, it puts forward exactly the pairs of the
// in-memory block plan (block-plan.ts), each once, also when stopped and resumed.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { systemActor } from '../shared/access';
import { seededRandom } from '../shared/random';
import type { Database } from '../db';
import { createTestDatabase, forEachEngine } from '../../test/support/engines';
import { testApp } from '../../test/support/app';
import { runDedupBatch } from './batch-run';
import { planBlocks } from './block-plan';
import { blockRecordsMax, weakBlockRecordsMax } from './dedup-index';
import { scorer } from './match';
import { prepareRecord } from './normalise';
import { registerDedup } from './register-dedup';
import { scanPairs } from './scan-pairs';
import { pairKey } from './store';
import { personRowOf } from './stored-record';
import type { MatchRecord } from './types';

const given = ['María', 'José', 'Luis', 'Carmen', 'Ana', 'Pedro', 'Rosa', 'Jorge'];
const surnames = ['González', 'Pérez', 'Rodríguez', 'Díaz', 'Mora', 'Rojas', 'Silva', 'Vargas'];
const places = ['Caracas', 'Petare', 'Maracay'];

/**
 * People with few names, dates and places, so that weak keys overflow their cap of 6; a group
 * sharing two surnames and a town past the cap of 100; and a share enrolled twice, with a typo.
 */
function generatedRegistry(): { records: MatchRecord[]; planted: [string, string][] } {
  const random = seededRandom(42);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const records: MatchRecord[] = [];
  const planted: [string, string][] = [];
  const id = (): string => `p-${String(records.length).padStart(5, '0')}`;
  const date = (): string =>
    `${1980 + Math.floor(random() * 4)}-0${1 + Math.floor(random() * 3)}-1${Math.floor(random() * 6)}`;
  for (let i = 0; i < 420; i++) {
    const inGroup = i % 4 === 0;
    const record: MatchRecord = {
      id: id(),
      givenNames: `${pick(given)}${inGroup ? ` ${pick(given)}` : ''}`,
      surname1: inGroup ? 'Guevara' : pick(surnames),
      surname2: inGroup ? 'Rondón' : pick(surnames),
      birthDate: inGroup ? `19${50 + Math.floor(random() * 40)}-0${1 + (i % 9)}-2${i % 8}` : date(),
      sex: random() < 0.5 ? 'F' : 'M',
      regionCode: 'VE-A',
      locality: inGroup ? 'Caracas' : pick(places),
    };
    records.push(record);
    if (i % 20 === 7) {
      const twin: MatchRecord = {
        ...record,
        id: id(),
        givenNames: record.givenNames.replace(/a(?!.*a)/, 'e'),
        surname1: record.surname2 ?? '',
        surname2: record.surname1 ?? '',
      };
      records.push(twin);
      planted.push([record.id, twin.id]);
    }
  }
  return { records, planted };
}

async function storePersons(db: Database, records: readonly MatchRecord[]): Promise<void> {
  const at = new Date(0).toISOString();
  await db.transaction((trx) =>
    db.insertMany(
      trx,
      'persons',
      records.map((r, i) => personRowOf(r, `T${i}`, at, 'test')),
    ),
  );
}

/** The pairs today's in-memory plan scores as positive, each once, by pair key. */
function plannedPairs(records: readonly MatchRecord[]): Set<string> {
  const prepared = records.map(prepareRecord);
  const plan = planBlocks(prepared, { blockRecordsMax, weakBlockRecordsMax });
  assert.ok(plan.blocksSplit > 0, 'the registry has blocks past their caps');
  const score = scorer({});
  const keys = new Set<string>();
  for (const hit of scanPairs(prepared, plan, score, { shard: 0, shards: 1 }))
    keys.add(pairKey(hit.pair.leftId, hit.pair.rightId));
  return keys;
}

async function queuedPairs(db: Database): Promise<string[]> {
  const rows = await db.kysely.selectFrom('dedup_pairs').select('pair_key').execute();
  return rows.map((r) => r.pair_key).sort();
}

forEachEngine('dedup: batch scan by block key', ({ engine }) => {
  const system = { actor: systemActor('test') };
  const { records, planted } = generatedRegistry();
  const expected = plannedPairs(records);

  it('puts forward the pairs of the in-memory block plan, each once', async (t) => {
    const own = await createTestDatabase(engine);
    t.after(() => own.dispose());
    await storePersons(own.db, records);
    const app = testApp(own.db);
    registerDedup(app);
    const report = await runDedupBatch(app, system);
    assert.equal(report.finished, true);
    assert.ok(report.blocksSplit > 0);
    const queued = await queuedPairs(own.db);
    assert.deepEqual(queued, [...expected].sort());
    assert.equal(new Set(queued).size, queued.length);
    assert.equal(report.pairsFound, queued.length, 'no pair put forward twice');
    assert.equal(report.pairsNew, queued.length);
    const found = planted.filter(([a, b]) => queued.includes(pairKey(a, b)));
    assert.ok(found.length >= planted.length - 2, `planted found ${found.length}`);
    // Every person was keyed by the run itself (they were written without screening).
    const keyed = await own.db.kysely
      .selectFrom('dedup_block_keys')
      .select((eb) => eb.fn.count<number>('person_id').distinct().as('n'))
      .executeTakeFirstOrThrow();
    assert.equal(Number(keyed.n), records.length);
  });

  it('stopped part-way, resumes from its key cursor to the same pairs', async (t) => {
    const own = await createTestDatabase(engine);
    t.after(() => own.dispose());
    await storePersons(own.db, records);
    const app = testApp(own.db);
    registerDedup(app);
    const first = await runDedupBatch(app, system, { pageRows: 700, stopAfterKeyRows: 3000 });
    assert.equal(first.finished, false);
    assert.ok(first.keyRowsDone >= 3000 && first.keyRowsDone < first.keyRowsTotal);
    const run = await own.db.kysely
      .selectFrom('dedup_runs')
      .select(['cursor', 'status'])
      .where('id', '=', first.runId)
      .executeTakeFirstOrThrow();
    assert.equal(run.status, 'running');
    assert.match(run.cursor ?? '', /^key:\d+$/);
    const queuedBefore = (await queuedPairs(own.db)).length;
    assert.ok(queuedBefore < expected.size);
    const second = await runDedupBatch(app, system, { pageRows: 700 });
    assert.deepEqual([second.runId, second.resumed, second.finished], [first.runId, true, true]);
    const queued = await queuedPairs(own.db);
    assert.deepEqual(queued, [...expected].sort());
    assert.equal(second.pairsFound, queued.length, 'the resumed session put none forward again');
  });

  it('on worker threads, puts forward the same pairs, and resumes to them', async (t) => {
    const own = await createTestDatabase(engine);
    t.after(() => own.dispose());
    await storePersons(own.db, records);
    const app = testApp(own.db);
    registerDedup(app);
    // Small pages, so that several are in flight on two workers and blocks found too big on
    // one page decide pairs on pages another worker scores.
    const first = await runDedupBatch(app, system, {
      threads: 2,
      pageRows: 300,
      stopAfterKeyRows: 3000,
    });
    assert.equal(first.finished, false);
    assert.ok(first.keyRowsDone >= 3000 && first.keyRowsDone < first.keyRowsTotal);
    const second = await runDedupBatch(app, system, { threads: 2, pageRows: 300 });
    assert.deepEqual([second.runId, second.resumed, second.finished], [first.runId, true, true]);
    const queued = await queuedPairs(own.db);
    assert.deepEqual(queued, [...expected].sort());
    assert.equal(second.pairsFound, queued.length, 'no pair put forward twice');
    const fresh = await runDedupBatch(app, system, { threads: 2, pageRows: 300, restart: true });
    assert.equal(fresh.finished, true);
    assert.equal(fresh.pairsFound, expected.size);
    assert.ok(fresh.blocksSplit > 0);
  });

  it('does not resume a run stopped by the scan by person id, but starts afresh', async (t) => {
    const own = await createTestDatabase(engine);
    t.after(() => own.dispose());
    await storePersons(own.db, records.slice(0, 40));
    const app = testApp(own.db);
    registerDedup(app);
    await own.db.kysely
      .insertInto('dedup_runs')
      .values({
        id: 'old-run',
        started_at: new Date(0).toISOString(),
        started_by: 'test',
        finished_at: null,
        status: 'running',
        cursor: 'p-00010',
        records_total: 40,
        records_done: 10,
        pairs_found: 0,
        pairs_new: 0,
        summary: null,
      })
      .execute();
    const report = await runDedupBatch(app, system);
    assert.notEqual(report.runId, 'old-run');
    assert.equal(report.finished, true);
    const old = await own.db.kysely
      .selectFrom('dedup_runs')
      .select('status')
      .where('id', '=', 'old-run')
      .executeTakeFirstOrThrow();
    assert.equal(old.status, 'abandoned');
  });
});
