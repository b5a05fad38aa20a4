// The enrolment check's blocking index in the database: keys are written with the person,
// read back per key with the batch scan's caps, and a key shared by too many people is
// narrowed by a further field instead of being dropped.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { wireDomains } from '../app';
import { enrolPerson, importPersons } from '../registry';
import { createTestDatabase, forEachEngine } from '../../test/support/engines';
import { distinctPerson, staff, testApp, validPerson } from '../../test/support/app';
import { weakBlockRecordsMax } from './dedup-index';
import { prepareRecord } from './normalise';
import { matchColumns, matchRecordOf } from './person-record';
import {
  keyNewerPersons,
  keyRegistry,
  keyRowsOf,
  keyWindowRows,
  storedCandidates,
} from './stored-keys';
import { describeKeying } from './cli-dedup';
import { systemActor } from '../shared/access';
import { DomainError } from '../shared/errors';
import type { Database } from '../db';

async function countKeyed(db: Database): Promise<number> {
  const { n } = await db.kysely
    .selectFrom('dedup_block_keys')
    .select((eb) => eb.fn.count<number>('person_id').distinct().as('n'))
    .executeTakeFirstOrThrow();
  return Number(n);
}
import type { MatchRecord } from './types';

forEachEngine('dedup: blocking keys in the database', ({ db, engine }) => {
  const registrar = staff('registrar', ['VE-A']);

  async function keysOf(personId: string): Promise<number> {
    const { n } = await db()
      .kysely.selectFrom('dedup_block_keys')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('person_id', '=', personId)
      .executeTakeFirstOrThrow();
    return Number(n);
  }

  async function store(records: readonly MatchRecord[]): Promise<void> {
    for (const r of records)
      await db()
        .kysely.insertInto('dedup_block_keys')
        .values(keyRowsOf(r.id, prepareRecord(r)))
        .execute();
  }

  it('writes a person’s keys with the enrolment, and rolls them back with it', async () => {
    const app = testApp(db());
    wireDomains(app);
    const person = await enrolPerson(
      app,
      registrar,
      validPerson({ givenNames: 'Yelitza', surname1: 'Oropeza', surname2: 'Lugo' }),
    );
    const row = await db()
      .kysely.selectFrom('persons')
      .select(matchColumns)
      .where('id', '=', person.id)
      .executeTakeFirstOrThrow();
    const expected = keyRowsOf(person.id, prepareRecord(matchRecordOf(row, null))).length;
    assert.ok(expected > 5);
    assert.equal(await keysOf(person.id), expected);
    const before = await db()
      .kysely.selectFrom('dedup_block_keys')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    await assert.rejects(
      app.db.transaction(async (trx) => {
        await app.duplicateScreening?.screenPerson(trx, registrar, {
          id: app.newId(),
          registry_number: 'X-1',
          given_names: 'Wilmer',
          surname1: 'Quintero',
          surname2: null,
          birth_date: '1990-01-02',
          sex: 'M',
          region_code: 'VE-A',
          locality: 'Caracas',
          phone: null,
          attributes: '{}',
          status: 'active',
        } as never);
        throw new Error('the enrolment fails after screening');
      }),
      /fails after screening/,
    );
    const after = await db()
      .kysely.selectFrom('dedup_block_keys')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    assert.equal(Number(after.n), Number(before.n), 'no key of a person never written');
  });

  it('keys persons written by an import from the stored watermark, once', async () => {
    const app = testApp(db());
    wireDomains(app);
    const report = await importPersons(
      app,
      registrar,
      {
        text:
          'external_id,given_names,surname1,surname2,birth_date,sex,region_code,locality\n' +
          'k-1,Doris,Mendoza,Araujo,1966-04-12,F,VE-A,Caracas\n' +
          'k-2,Nelson,Mendoza,Araujo,1964-10-30,M,VE-A,Caracas\n',
      },
      { format: 'csv', sourceName: 'test' },
    );
    assert.equal(report.accepted, 2);
    // Imported rows are keyed as they are screened: the check's catch-up finds nothing to key.
    assert.equal(await app.db.transaction((trx) => keyNewerPersons(trx, engine, null)), 0);
    // `tessera dedup keys` moves the watermark to the newest person, keying none again.
    const keying = await keyRegistry(app.db, null);
    assert.equal(keying.finished, true);
    assert.equal(keying.keyed, 0);
    const progress = await db()
      .kysely.selectFrom('dedup_key_progress')
      .select('last_id')
      .executeTakeFirstOrThrow();
    const newest = await db()
      .kysely.selectFrom('persons')
      .select('id')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    assert.equal(progress.last_id, newest.id);
  });

  it('keys a registry written without screening in resumable batches, then reads nothing', async (t) => {
    const own = await createTestDatabase(engine);
    t.after(() => own.dispose());
    const plain = testApp(own.db);
    const system = { actor: systemActor('test') };
    const ids: string[] = [];
    for (const name of ['Ana', 'Berta', 'Carla', 'Dora', 'Elsa'])
      ids.push((await enrolPerson(plain, system, distinctPerson(name))).id);
    assert.equal(await countKeyed(own.db), 0);
    const first = await keyRegistry(own.db, null, { pageRows: 2, stopAfter: 2 });
    assert.deepEqual([first.total, first.done, first.keyed, first.finished], [5, 2, 2, false]);
    assert.equal(await countKeyed(own.db), 2);
    const progress: number[] = [];
    const second = await keyRegistry(own.db, null, {
      pageRows: 2,
      onProgress: (done) => void progress.push(done),
    });
    assert.deepEqual([second.total, second.done, second.keyed, second.finished], [3, 3, 3, true]);
    assert.deepEqual(progress, [2, 3]);
    assert.equal(await countKeyed(own.db), 5);
    const third = await keyRegistry(own.db, null);
    assert.deepEqual([third.total, third.done, third.keyed], [0, 0, 0]);
    // The CLI summary an operator reads.
    assert.match(describeKeying(second), /5|3 keyed/);
  });

  it('an enrolment keys a small backlog itself, refuses a large one, and leaves the watermark alone', async (t) => {
    const own = await createTestDatabase(engine);
    t.after(() => own.dispose());
    const plain = testApp(own.db);
    const system = { actor: systemActor('test') };
    for (const name of ['Fabiola', 'Gisela', 'Hilda', 'Irene', 'Julia'])
      await enrolPerson(plain, system, distinctPerson(name));
    // More unkeyed persons than the check may key: refused, naming the command, nothing written.
    await assert.rejects(
      own.db.transaction((trx) => keyNewerPersons(trx, engine, null, 3)),
      (e: unknown) =>
        e instanceof DomainError &&
        e.code === 'DEDUP_KEYS_BEHIND' &&
        /tessera dedup keys/.test(e.message),
    );
    assert.equal(await countKeyed(own.db), 0);
    // Within the bound, the next enrolment keys them in its own transaction.
    const app = testApp(own.db);
    wireDomains(app);
    await enrolPerson(app, registrar, distinctPerson('Karina'));
    assert.equal(await countKeyed(own.db), 6);
    for (const name of ['Lucía', 'Marta', 'Nora'])
      await enrolPerson(app, registrar, distinctPerson(name));
    // Fewer persons than a window past the watermark: no enrolment wrote the shared row.
    const rows = await own.db.kysely.selectFrom('dedup_key_progress').selectAll().execute();
    assert.deepEqual(rows, []);
    assert.ok(keyWindowRows > 9);
  });

  it('narrows a block too big for its cap by a further field instead of dropping it', async () => {
    // More people born on one day than the weak cap, in two towns, women and men in each;
    // nothing else shared. The town's part fits the cap, so it is used whole: not narrowed
    // further by sex, the second split.
    const sameDay = Array.from({ length: weakBlockRecordsMax + 2 }, (_, i): MatchRecord => ({
      id: `day-${String(i).padStart(2, '0')}`,
      givenNames: `Nombre${String.fromCharCode(97 + i)}`,
      surname1: `Apellido${String.fromCharCode(97 + i)}`,
      birthDate: '1971-03-14',
      sex: Math.floor(i / 2) % 2 === 0 ? 'F' : 'M',
      regionCode: 'VE-A',
      locality: i % 2 === 0 ? 'Caracas' : 'Petare',
    }));
    await store(sameDay);
    const probe = prepareRecord({
      id: 'probe',
      givenNames: 'Otro',
      surname1: 'Distinto',
      birthDate: '1971-03-14',
      sex: 'F',
      regionCode: 'VE-A',
      locality: 'Petare',
    });
    const found = await storedCandidates(db().kysely, probe, db().engine);
    assert.deepEqual(
      found.ids.sort(),
      sameDay.filter((r) => r.locality === 'Petare').map((r) => r.id),
    );
    assert.equal(found.withoutBlock, false);
  });

  it('says when every block of a record is too big even after both splits', async () => {
    // Only a birth date (a weak key), no place and no sex to split it by.
    const bare = Array.from({ length: weakBlockRecordsMax + 2 }, (_, i): MatchRecord => ({
      id: `bare-${i}`,
      givenNames: '',
      birthDate: '1902-07-07',
    }));
    await store(bare);
    const found = await storedCandidates(
      db().kysely,
      prepareRecord({ id: 'probe', givenNames: '', birthDate: '1902-07-07' }),
      db().engine,
    );
    assert.deepEqual(found.ids, []);
    assert.equal(found.withoutBlock, true);
  });
});
