// The one search box of the registration office: a registry number or a name typed in `q`,
// exact matches first, a full birth date that also finds year-only records (marked partial),
// and the duplicate-review flag on a person read one at a time.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { wireDomains } from '../app';
import { forEachEngine } from '../../test/support/engines';
import { staff, testApp, validPerson, withPurpose } from '../../test/support/app';
import { DomainError } from '../shared/errors';
import { enrolPerson } from './enrol-person';
import { getPerson, searchPersons } from './read-person';

forEachEngine('registry search', ({ db }) => {
  const registrar = staff('registrar', ['VE-A']);
  const reader = withPurpose(registrar, 'enrolment');

  it('puts the exact name first, then the others, and pages the others', async () => {
    const app = testApp(db());
    // Enrolled first, so a plain id order would put the longer names before the exact one.
    const longer = await enrolPerson(
      app,
      registrar,
      validPerson({
        givenNames: 'Carmen Rosa',
        surname1: 'Lugo',
        surname2: 'Toro',
        birthDate: '1960-02-02',
      }),
    );
    const other = await enrolPerson(
      app,
      registrar,
      validPerson({
        givenNames: 'Carmen',
        surname1: 'Lugo',
        surname2: 'Toro Díaz',
        birthDate: '1970-03-03',
      }),
    );
    const exact = await enrolPerson(
      app,
      registrar,
      validPerson({
        givenNames: 'Carmen',
        surname1: 'Lugo',
        surname2: 'Toro',
        birthDate: '1980-04-04',
      }),
    );
    const found = await searchPersons(app, reader, { q: 'CARMEN lugo toro' });
    assert.deepEqual(
      found.items.map((p) => p.id),
      [exact.id, longer.id, other.id],
    );
    assert.deepEqual(
      found.items.map((p) => p.match.exact),
      [true, false, false],
    );
    const first = await searchPersons(app, reader, { q: 'carmen lugo toro', limit: 1 });
    assert.deepEqual(
      first.items.map((p) => p.id),
      [exact.id, longer.id],
    );
    const second = await searchPersons(app, reader, {
      q: 'carmen lugo toro',
      limit: 1,
      after: first.next!,
    });
    assert.deepEqual(
      second.items.map((p) => p.id),
      [other.id],
      'the exact match is not repeated on a later page',
    );
  });

  it('takes a registry number typed in q, and names q when the number is wrong', async () => {
    const app = testApp(db());
    const person = await enrolPerson(app, registrar, validPerson({ givenNames: 'Numerada' }));
    const spaced = person.registryNumber.replace(/(\d{4})(?=\d)/g, '$1 ');
    const found = await searchPersons(app, reader, { q: spaced });
    assert.deepEqual(
      found.items.map((p) => [p.id, p.match.exact]),
      [[person.id, true]],
    );
    await assert.rejects(
      searchPersons(app, reader, { q: '1234-5678-9013' }),
      (e: unknown) => e instanceof DomainError && e.code === 'VALIDATION_FAILED' && e.field === 'q',
    );
    await assert.rejects(
      searchPersons(app, reader, { q: '  ' }),
      (e: unknown) => e instanceof DomainError && e.field === 'q',
    );
  });

  it('finds year-only and year-month records for a full birth date, marked partial', async () => {
    const app = testApp(db());
    const day = await enrolPerson(
      app,
      registrar,
      validPerson({ givenNames: 'Luisa', surname1: 'Parra', birthDate: '1975-06-15' }),
    );
    const year = await enrolPerson(
      app,
      registrar,
      validPerson({ givenNames: 'Luisa', surname1: 'Parra', surname2: 'Gil', birthDate: '1975' }),
    );
    const month = await enrolPerson(
      app,
      registrar,
      validPerson({
        givenNames: 'Luisa',
        surname1: 'Parra',
        surname2: 'Paz',
        birthDate: '1975-06',
      }),
    );
    await enrolPerson(
      app,
      registrar,
      validPerson({
        givenNames: 'Luisa',
        surname1: 'Parra',
        surname2: 'Rey',
        birthDate: '1975-07-15',
      }),
    );
    await enrolPerson(
      app,
      registrar,
      validPerson({ givenNames: 'Luisa', surname1: 'Parra', surname2: 'Sol', birthDate: '1976' }),
    );
    const found = await searchPersons(app, reader, { q: 'luisa parra', birthDate: '1975-06-15' });
    const byId = new Map(found.items.map((p) => [p.id, p.match.birthDate]));
    assert.deepEqual(
      [...byId.entries()].sort(),
      [
        [day.id, 'exact'],
        [year.id, 'partial'],
        [month.id, 'partial'],
      ].sort(),
    );
    const byMonth = await searchPersons(app, reader, { name: 'luisa parra', birthDate: '1975-06' });
    assert.deepEqual(
      byMonth.items.map((p) => [p.id, p.match.birthDate]).sort(),
      [
        [day.id, 'exact'],
        [year.id, 'partial'],
        [month.id, 'exact'],
      ].sort(),
    );
  });

  it('says on the person read when their record awaits duplicate review', async () => {
    const app = testApp(db());
    wireDomains(app);
    const ana = validPerson({
      givenNames: 'Ana Lucía',
      surname1: 'Montilla',
      surname2: 'Briceño',
      birthDate: '1979-05-21',
      phone: '+584141112233',
      address: { regionCode: 'VE-A', locality: 'Caracas' },
    });
    const first = await enrolPerson(app, registrar, ana);
    assert.equal((await getPerson(app, reader, first.id)).duplicateReview, null);
    const second = await enrolPerson(app, registrar, {
      ...ana,
      givenNames: 'Ana Lucia',
      surname1: 'Briceno',
      surname2: 'Montila',
    });
    assert.ok(second.duplicateReview);
    const flagged = await getPerson(app, reader, second.id);
    assert.equal(flagged.duplicateReview?.pairs, 1);
    assert.ok(['same_person', 'possible_duplicate'].includes(flagged.duplicateReview.outcome));
    assert.ok((await getPerson(app, reader, first.id)).duplicateReview, 'both records are named');
  });
});
