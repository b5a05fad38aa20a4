// The enrolment check's blocking index in the database: keys are written with the person,
// read back per key with the batch scan's caps, and a key shared by too many people is
// narrowed by a further field instead of being dropped.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { wireDomains } from '../app';
import { enrolPerson, importPersons } from '../registry';
import { forEachEngine } from '../../test/support/engines';
import { staff, testApp, validPerson } from '../../test/support/app';
import { weakBlockRecordsMax } from './dedup-index';
import { prepareRecord } from './normalise';
import { matchColumns, matchRecordOf } from './person-record';
import { keyNewerPersons, keyRowsOf, storedCandidates } from './stored-keys';
import type { MatchRecord } from './types';

forEachEngine('dedup: blocking keys in the database', ({ db }) => {
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
    // Imported rows are keyed as they are screened; a second catch-up finds nothing new.
    await app.db.transaction((trx) => keyNewerPersons(trx, null));
    assert.equal(await app.db.transaction((trx) => keyNewerPersons(trx, null)), 0);
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

  it('narrows a block too big for its cap by a further field instead of dropping it', async () => {
    // More people born on one day than the weak cap, in two towns; nothing else shared.
    const sameDay = Array.from({ length: weakBlockRecordsMax + 2 }, (_, i): MatchRecord => ({
      id: `day-${String(i).padStart(2, '0')}`,
      givenNames: `Nombre${String.fromCharCode(97 + i)}`,
      surname1: `Apellido${String.fromCharCode(97 + i)}`,
      birthDate: '1971-03-14',
      regionCode: 'VE-A',
      locality: i % 2 === 0 ? 'Caracas' : 'Petare',
    }));
    await store(sameDay);
    const probe = prepareRecord({
      id: 'probe',
      givenNames: 'Otro',
      surname1: 'Distinto',
      birthDate: '1971-03-14',
      regionCode: 'VE-A',
      locality: 'Petare',
    });
    const found = await storedCandidates(db().kysely, probe);
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
    );
    assert.deepEqual(found.ids, []);
    assert.equal(found.withoutBlock, true);
  });
});
