// The name index behind search (search-index.ts): accents and case do not matter, a word is
// found by its beginning, a partial birth date narrows inside the index, every write keeps
// the index right in its own transaction, and a search through the index returns exactly
// what reading every row would — checked against a scan written here in plain TypeScript.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { sql } from 'kysely';
import { wireDomains } from '../app';
import { decideApproval } from '../privacy';
import { systemActor } from '../shared/access';
import { forEachEngine } from '../../test/support/engines';
import { queryPlan } from '../../test/support/query-plan';
import { staff, testApp, validPerson, withPurpose } from '../../test/support/app';
import { correctPerson } from './change-person';
import { requestDeactivation } from './deactivate-person';
import { loadDemoRegistry } from './demo';
import { enrolPerson } from './enrol-person';
import { recordLifeEvent } from './life-events';
import { searchPersons, type PersonSearch } from './read-person';
import { nameIndexCondition } from './search-index';
import type { AppContext } from '../shared/context';

forEachEngine('registry search index', ({ db, engine }) => {
  const registrar = staff('registrar', ['VE-A']);
  const reader = withPurpose(registrar, 'enrolment');
  const national = withPurpose(staff('registrar', '*'), 'enrolment');

  /** Every page of a search, in the order the pages give them. */
  async function allPages(app: AppContext, search: PersonSearch): Promise<string[]> {
    const ids: string[] = [];
    let after: string | undefined;
    for (let page = 0; page < 100; page++) {
      const found = await searchPersons(app, national, { ...search, limit: 200, after });
      ids.push(...found.items.map((p) => p.id));
      if (!found.next) return ids;
      after = found.next;
    }
    throw new Error('more than 100 pages');
  }

  /** The search's rule applied to every row, without any index: exact names first, by id. */
  async function scan(app: AppContext, words: string[], birthDate?: string): Promise<string[]> {
    const rows = await app.db.kysely
      .selectFrom('persons')
      .select(['id', 'search_name', 'birth_date'])
      .execute();
    const coarser = birthDate
      ? [birthDate.slice(0, 4), birthDate.slice(0, 7)].filter((d) => d.length < birthDate.length)
      : [];
    const hits = rows
      .filter((r) => words.every((w) => ` ${r.search_name} `.includes(` ${w}`)))
      .filter(
        (r) => !birthDate || r.birth_date.startsWith(birthDate) || coarser.includes(r.birth_date),
      )
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const exact = words.join(' ');
    return [
      ...hits.filter((r) => words.length > 0 && r.search_name === exact),
      ...hits.filter((r) => !(words.length > 0 && r.search_name === exact)),
    ].map((r) => r.id);
  }

  it('finds names whatever their accents and case, each word by its beginning', async () => {
    const app = testApp(db());
    const jose = await enrolPerson(
      app,
      registrar,
      validPerson({
        givenNames: 'José Ángel',
        surname1: 'Núñez',
        surname2: 'Peña',
        birthDate: '1962-08-30',
      }),
    );
    const ids = async (q: string) =>
      (await searchPersons(app, reader, { q })).items.map((p) => [p.id, p.match.exact]);
    assert.deepEqual(await ids('jose angel nunez pena'), [[jose.id, true]]);
    assert.deepEqual(await ids('JOSÉ ÁNGEL NÚÑEZ PEÑA'), [[jose.id, true]]);
    assert.deepEqual(await ids('Nuñ pe'), [[jose.id, false]], 'the beginnings of two words');
    assert.deepEqual(await ids('núñez-peña'), [[jose.id, false]], 'punctuation separates words');
    assert.deepEqual(await ids('J Núñez'), [[jose.id, false]], 'an initial with a surname');
    assert.deepEqual(await ids('ngel'), [], 'a word is found by its beginning, not its middle');
    assert.deepEqual(await ids('nunez perez'), [], 'every word must be found');
  });

  it('narrows a name by a year, a month or a day of birth, and finds a date alone', async () => {
    const app = testApp(db());
    const name = { givenNames: 'Yelitza', surname1: 'Coromoto', surname2: 'Bastidas' };
    const day = await enrolPerson(
      app,
      registrar,
      validPerson({ ...name, birthDate: '1962-08-30' }),
    );
    const month = await enrolPerson(
      app,
      registrar,
      validPerson({ ...name, surname2: 'Bastardo', birthDate: '1962-08' }),
    );
    const year = await enrolPerson(
      app,
      registrar,
      validPerson({ ...name, surname2: 'Blanco', birthDate: '1962' }),
    );
    const other = await enrolPerson(
      app,
      registrar,
      validPerson({ ...name, surname2: 'Brito', birthDate: '1962-09-30' }),
    );
    const found = async (birthDate: string, q = 'yelitza coromoto') =>
      (await searchPersons(app, reader, { q, birthDate })).items
        .map((p) => [p.id, p.match.birthDate])
        .sort();
    assert.deepEqual(
      await found('1962'),
      [
        [day.id, 'exact'],
        [month.id, 'exact'],
        [year.id, 'exact'],
        [other.id, 'exact'],
      ].sort(),
    );
    assert.deepEqual(
      await found('1962-08'),
      [
        [day.id, 'exact'],
        [month.id, 'exact'],
        [year.id, 'partial'],
      ].sort(),
    );
    assert.deepEqual(
      await found('1962-08-30'),
      [
        [day.id, 'exact'],
        [month.id, 'partial'],
        [year.id, 'partial'],
      ].sort(),
    );
    assert.deepEqual(await found('1962-09', 'yel bast'), [], 'Brito is not a Bast…');
    assert.deepEqual(await found('1963'), []);
    const dateAlone = await searchPersons(app, reader, { birthDate: '1962-09-30' });
    assert.deepEqual(
      dateAlone.items.map((p) => [p.id, p.match.birthDate]).sort(),
      [
        [other.id, 'exact'],
        [year.id, 'partial'],
      ].sort(),
    );
  });

  it('follows corrections, name changes and deactivation in the same transaction', async () => {
    const app = testApp(db());
    wireDomains(app);
    const approver = staff('admin', '*');
    const rosa = await enrolPerson(
      app,
      registrar,
      validPerson({
        givenNames: 'Rosa Elena',
        surname1: 'Marcano',
        surname2: 'Urbina',
        birthDate: '1971-04-19',
      }),
    );
    const q = async (text: string, birthDate?: string) =>
      (await searchPersons(app, reader, { q: text, birthDate })).items.map((p) => p.id);

    await correctPerson(app, registrar, rosa.id, {
      surname1: 'Guzmán',
      reason: 'typed wrong at enrolment',
    });
    assert.deepEqual(await q('rosa marcano'), [], 'the old surname is gone from the index');
    assert.deepEqual(await q('rosa guzman urbina'), [rosa.id]);

    await correctPerson(app, registrar, rosa.id, {
      birthDate: '1971-05',
      reason: 'only the month is known',
    });
    assert.deepEqual(await q('rosa', '1971-04-19'), [], 'the old date is gone from the index');
    assert.deepEqual(await q('rosa', '1971-05-02'), [rosa.id], 'the month matches a day in it');

    await recordLifeEvent(app, registrar, rosa.id, {
      kind: 'name_change',
      occurredOn: '2026-11-01',
      surname2: 'Salcedo',
      reason: 'marriage',
    });
    assert.deepEqual(await q('urbina'), []);
    assert.deepEqual(await q('rosa guz salc', '1971'), [rosa.id]);

    const asked = await requestDeactivation(app, registrar, rosa.id, { reason: 'enrolled twice' });
    await decideApproval(app, approver, asked.id, { approve: true, reason: 'checked' });
    const after = await searchPersons(app, reader, { q: 'rosa guzman salcedo' });
    assert.deepEqual(
      after.items.map((p) => [p.id, p.status]),
      [[rosa.id, 'inactive']],
      'a deactivated record is still found, as it always was, showing its state',
    );
    if (engine === 'sqlite') {
      const counts = await sql<{ persons: number; docs: number }>`select
          (select count(*) from persons) as persons,
          (select count(*) from person_search_docs) as docs`.execute(app.db.kysely);
      const { persons, docs } = counts.rows[0]!;
      assert.equal(docs, persons, 'one index row per person');
      const stale = await sql<{ n: number }>`select count(*) as n from person_search
          where person_search match 'marcano OR urbina'`.execute(app.db.kysely);
      assert.equal(stale.rows[0]!.n, 0, 'no old name is left in the index');
      await sql`insert into person_search (person_search) values ('integrity-check')`.execute(
        app.db.kysely,
      );
    }
  });

  it('returns exactly what a scan of every row returns, in the same order', async () => {
    const app = testApp(db());
    await loadDemoRegistry(app, { actor: systemActor('test') }, { people: 600, seed: 7 });
    const people = await app.db.kysely
      .selectFrom('persons')
      .select(['search_name', 'birth_date'])
      .orderBy('id')
      .limit(40)
      .execute();
    const cases: { words: string[]; birthDate?: string }[] = [];
    for (const [i, p] of people.entries()) {
      const words = p.search_name.split(' ');
      cases.push({ words });
      cases.push({ words: [words[0]!.slice(0, 3), words[words.length - 1]!.slice(0, 2)] });
      cases.push({ words: [words[1]!.slice(0, 1 + (i % 4))], birthDate: p.birth_date.slice(0, 4) });
      cases.push({ words: [words[0]!], birthDate: p.birth_date.slice(0, 7) });
      cases.push({
        words: [words[words.length - 1]!],
        birthDate: `${p.birth_date.slice(0, 4)}-06-15`,
      });
    }
    let nonEmpty = 0;
    for (const c of cases) {
      const expected = await scan(app, c.words, c.birthDate);
      const got = await allPages(app, { q: c.words.join(' '), birthDate: c.birthDate });
      assert.deepEqual(got, expected, `${c.words.join(' ')} ${c.birthDate ?? ''}`);
      if (expected.length > 0) nonEmpty++;
    }
    assert.ok(nonEmpty > cases.length / 2, 'most cases find someone');
  });

  it('gives the database a query its index can answer', async () => {
    const app = testApp(db());
    const condition = nameIndexCondition(engine, ['maria', 'gonz'], '1975-06-15');
    assert.ok(condition);
    const query = app.db.kysely.selectFrom('persons').select('id').where(condition).compile();
    // An empty table is scanned whatever the indexes; the plan is asked with sequential
    // scans forbidden, to see whether the index can be used at all (its expression must be the
    // query's, letter for letter).
    const plan = await queryPlan(app.db, query);
    if (engine === 'postgres') assert.match(plan, /Bitmap Index Scan on persons_search/);
    else {
      assert.match(plan, /SCAN s VIRTUAL TABLE INDEX/, 'the FTS5 table is matched');
      assert.match(plan, /SEARCH persons USING PRIMARY KEY/, 'persons are read by id, not scanned');
    }
    assert.equal(nameIndexCondition(engine, ['søren'], undefined), null, 'left to the scan');
    assert.equal(nameIndexCondition(engine, [], 'not a date'), null);
  });
});
