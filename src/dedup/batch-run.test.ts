// `tessera dedup run`: the registry-wide scan fills the queue once per pair, and a run that
// stopped resumes from its cursor.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { systemActor } from '../shared/access';
import { enrolPerson } from '../registry';
import { DomainError } from '../shared/errors';
import { createTestDatabase, forEachEngine } from '../../test/support/engines';
import { validPerson, staff, testApp } from '../../test/support/app';
import { runDedupBatch } from './batch-run';
import { describeRun } from './cli-dedup';
import { registerDedup } from './register-dedup';
import { pairKey } from './store';

forEachEngine('dedup: batch run', ({ db, engine }) => {
  const system = { actor: systemActor('test') };

  it('fills the queue, stops, resumes from its cursor, and never stores a pair twice', async () => {
    // Enrolled through a context without duplicate detection, as an old registry would be.
    const plain = testApp(db());
    const enrol = (b: Record<string, unknown>) => enrolPerson(plain, system, validPerson(b));
    const a1 = await enrol({
      givenNames: 'Ismael',
      surname1: 'Guevara',
      surname2: 'Rondón',
      birthDate: '1983-02-28',
      sex: 'M',
      phone: '+584120606060',
    });
    await enrol({
      givenNames: 'Beatriz',
      surname1: 'Lozada',
      surname2: 'Acosta',
      birthDate: '1992-09-30',
      phone: '+584120707070',
    });
    await enrol({
      givenNames: 'Julio César',
      surname1: 'Mendoza',
      surname2: 'Ríos',
      birthDate: '1975-04-12',
      sex: 'M',
      phone: '+584120808080',
    });
    const a2 = await enrol({
      givenNames: 'Ismael',
      surname1: 'Rondon',
      surname2: 'Guevara',
      birthDate: '1983-02-28',
      sex: 'M',
      phone: '+584120606060',
    });
    await enrol({
      givenNames: 'Carmen Elena',
      surname1: 'Duarte',
      surname2: 'Silva',
      birthDate: '1960-12-24',
      phone: '+584120909090',
    });
    const b1 = await enrol({
      givenNames: 'Francisca',
      surname1: 'Urdaneta',
      surname2: 'Bello',
      birthDate: '1948-06-01',
      phone: '+584121010101',
    });
    const b2 = await enrol({
      givenNames: 'Francisca',
      surname1: 'Urdaneta',
      surname2: 'Belo',
      birthDate: '1948-06-01',
      phone: '+584121010101',
    });

    const app = testApp(db());
    registerDedup(app);
    await assert.rejects(
      runDedupBatch(app, staff('registrar', ['VE-A'])),
      (e: unknown) => e instanceof DomainError && e.code === 'FORBIDDEN',
    );
    const progress: number[] = [];
    const first = await runDedupBatch(app, system, {
      pageRows: 16,
      stopAfterKeyRows: 40,
      onProgress: (done) => void progress.push(done),
    });
    assert.equal(first.finished, false);
    assert.equal(first.resumed, false);
    assert.ok(first.keyRowsDone >= 40 && first.keyRowsDone < first.keyRowsTotal);
    assert.ok(first.recordsDone < 7);
    // First where the session starts, then after each page, never backwards.
    assert.equal(progress[0], 0);
    assert.ok(progress.length > 1);
    assert.deepEqual(
      progress,
      [...progress].sort((x, y) => x - y),
    );
    const run = await app.db.kysely
      .selectFrom('dedup_runs')
      .selectAll()
      .where('id', '=', first.runId)
      .executeTakeFirstOrThrow();
    assert.equal(run.status, 'running');
    assert.ok(run.cursor);

    const resumedProgress: number[] = [];
    const second = await runDedupBatch(app, system, {
      pageRows: 16,
      onProgress: (done) => void resumedProgress.push(done),
    });
    // A resumed session starts from the rows done before (what its rate must leave out).
    assert.equal(resumedProgress[0], first.keyRowsDone);
    assert.deepEqual(
      [second.runId, second.resumed, second.finished, second.recordsDone, second.recordsTotal],
      [first.runId, true, true, 7, 7],
    );
    const keys = (await app.db.kysely.selectFrom('dedup_pairs').select('pair_key').execute())
      .map((p) => p.pair_key)
      .sort();
    assert.deepEqual(keys, [pairKey(a1.id, a2.id), pairKey(b1.id, b2.id)].sort());
    assert.equal(second.pairsNew, 2);
    assert.equal(second.samePerson + second.possibleDuplicate, 2);
    const stored = await app.db.kysely
      .selectFrom('dedup_runs')
      .select(['status', 'summary'])
      .where('id', '=', first.runId)
      .executeTakeFirstOrThrow();
    assert.equal(stored.status, 'finished');
    assert.equal((JSON.parse(stored.summary!) as { pairsNew: number }).pairsNew, 2);
    assert.match(describeRun(second), /new in the review queue: 2/);

    const third = await runDedupBatch(app, system);
    assert.notEqual(third.runId, first.runId);
    assert.deepEqual([third.finished, third.pairsFound, third.pairsNew], [true, 2, 0]);
    const count = await app.db.kysely
      .selectFrom('dedup_pairs')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    assert.equal(Number(count.n), 2);
  });

  it('abandons an unfinished run when told to restart', async (t) => {
    // A database of its own, with records to stop in the middle of: the other test counts
    // every record and pair of the suite's database.
    const own = await createTestDatabase(engine);
    t.after(() => own.dispose());
    const plain = testApp(own.db);
    await enrolPerson(plain, system, validPerson({ givenNames: 'Ismael', surname1: 'Guevara' }));
    await enrolPerson(plain, system, validPerson({ givenNames: 'Beatriz', surname1: 'Lozada' }));
    const app = testApp(own.db);
    registerDedup(app);
    const stopped = await runDedupBatch(app, system, { pageRows: 5, stopAfterKeyRows: 5 });
    assert.equal(stopped.finished, false);
    const fresh = await runDedupBatch(app, system, { restart: true });
    assert.notEqual(fresh.runId, stopped.runId);
    assert.equal(fresh.resumed, false);
    const old = await app.db.kysely
      .selectFrom('dedup_runs')
      .select('status')
      .where('id', '=', stopped.runId)
      .executeTakeFirstOrThrow();
    assert.equal(old.status, 'abandoned');
  });
});
