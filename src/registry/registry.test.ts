import assert from 'node:assert/strict';
import { it } from 'node:test';
import { createTestDatabase, forEachEngine } from '../../test/support/engines';
import { personBody, validPerson, staff, testApp, withPurpose } from '../../test/support/app';
import { systemActor } from '../shared/access';
import type { Database } from '../db';
import { DomainError } from '../shared/errors';
import { parseInput } from '../shared/validate';
import { attributeDeclarationInput } from './attributes';
import { loadDemoRegistry } from './demo';
import { personInput, personUpdateInput } from './person-input';
import { parseRegistryNumber } from './registry-number';
import { addHouseholdMember, createHousehold, getHousehold, registerBirth } from './households';
import { correctPerson } from './change-person';
import { declareAttribute } from './declare-attribute';
import { enrolPerson } from './enrol-person';
import { getPerson, getPersonHistory, searchPersons } from './read-person';
import { listLifeEvents, recordLifeEvent } from './life-events';

const refusedWith = (code: string, field?: string) => (e: unknown) => {
  assert.ok(e instanceof DomainError, `expected a DomainError, got ${String(e)}`);
  assert.equal(e.code, code, e.message);
  if (field !== undefined) assert.equal(e.field, field);
  return true;
};

/** What a demo load wrote, without the random ids: persons by registry number, households by members. */
async function demoSnapshot(db: Database) {
  const persons = await db.kysely
    .selectFrom('persons')
    .select([
      'registry_number',
      'external_id',
      'given_names',
      'surname1',
      'surname2',
      'birth_date',
      'birth_date_precision',
      'sex',
      'region_code',
      'locality',
      'address_line',
      'phone',
      'status',
      'search_name',
      'household_id',
      'created_at',
    ])
    .where('created_by', '=', 'system:demo')
    .orderBy('registry_number')
    .execute();
  const members = await db.kysely
    .selectFrom('household_members')
    .innerJoin('persons', 'persons.id', 'household_members.person_id')
    .innerJoin('households', 'households.id', 'household_members.household_id')
    .select([
      'household_members.household_id',
      'persons.registry_number',
      'household_members.relationship',
      'households.locality',
      'households.address_line',
    ])
    .where('household_members.recorded_by', '=', 'system:demo')
    .execute();
  const households = new Map<string, string[]>();
  for (const m of members) {
    const list = households.get(m.household_id) ?? [`${m.locality} | ${m.address_line}`];
    list.push(`${m.registry_number} ${m.relationship}`);
    households.set(m.household_id, list);
  }
  return {
    persons: persons.map(({ household_id: _id, ...row }) => row),
    households: [...households.values()].map((h) => h.sort().join('; ')).sort(),
  };
}

forEachEngine('registry', ({ db, engine }) => {
  it('refuses hidden control and text-direction characters in free text, and stacked accents in names', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ address: { regionCode: 'VE-A', line: 'Calle 1\u202Eanil' } }, 'address.line'],
      [{ address: { regionCode: 'VE-A', locality: 'Caracas\u0007' } }, 'address.locality'],
      [{ birthPlace: 'Maracay\nSegunda línea' }, 'birthPlace'],
      [{ givenNames: 'Ana\u0301\u0302\u0303\u0304' }, 'givenNames'],
    ];
    for (const [override, field] of cases) {
      assert.throws(
        () => parseInput(personInput, personBody(override)),
        (e: unknown) => e instanceof DomainError && e.field === field,
        field,
      );
    }
    // Real names and addresses still pass: Vietnamese stacks two marks; accents; apostrophes.
    const ok = parseInput(
      personInput,
      personBody({
        givenNames: 'Nguyễn Thị',
        address: { regionCode: 'VE-A', line: 'Av. Bolívar, Nº 5' },
      }),
    );
    assert.equal(ok.givenNames, 'Nguyễn Thị');
  });

  it('names the person when their stored attributes are damaged, instead of reading garbage', async () => {
    const app = testApp(db());
    const registrar = staff('registrar', ['VE-A'], 'service_delivery');
    const person = await enrolPerson(app, registrar, validPerson());
    await db()
      .kysely.updateTable('persons')
      .set({ attributes: '["not", "an", "object"]' })
      .where('id', '=', person.id)
      .execute();
    await assert.rejects(
      getPerson(app, registrar, person.id),
      (e: unknown) => e instanceof Error && e.message.includes(`persons ${person.id} attributes`),
    );
  });

  const registrar = staff('registrar', ['VE-A']);
  const reader = withPurpose(registrar, 'enrolment');
  const admin = staff('programme_admin');

  it('loads a demo registry of households with valid records, reproducibly', async () => {
    const app = testApp(db());
    const before = await db()
      .kysely.selectFrom('persons')
      .select(db().kysely.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    const result = await loadDemoRegistry(
      app,
      { actor: systemActor('demo') },
      { people: 1500, seed: 9 },
    );
    assert.equal(result.persons, 1500);
    const rows = await db()
      .kysely.selectFrom('persons')
      .selectAll()
      .where('created_by', '=', 'system:demo')
      .execute();
    assert.equal(rows.length, 1500);
    assert.equal(
      Number(before.n) + 1500,
      (await db().kysely.selectFrom('persons').select('id').execute()).length,
    );
    for (const row of rows) {
      assert.ok(parseRegistryNumber(row.registry_number), row.registry_number);
      assert.ok(
        personInput.safeParse({
          givenNames: row.given_names,
          surname1: row.surname1,
          surname2: row.surname2,
          birthDate: row.birth_date,
          sex: row.sex,
          address: { regionCode: row.region_code },
        }).success,
        row.external_id ?? '',
      );
    }
    const members = await db()
      .kysely.selectFrom('household_members')
      .select('household_id')
      .where('left_at', 'is', null)
      .execute();
    assert.ok(new Set(members.map((m) => m.household_id)).size === result.households);

    // Reproducibly: the same seed, loaded into two fresh databases, writes the same registry.
    const loads = [];
    for (let i = 0; i < 2; i++) {
      const fresh = await createTestDatabase(engine);
      try {
        const loaded = await loadDemoRegistry(
          testApp(fresh.db),
          { actor: systemActor('demo') },
          { people: 1500, seed: 9 },
        );
        loads.push({ result: loaded, snapshot: await demoSnapshot(fresh.db) });
      } finally {
        await fresh.dispose();
      }
    }
    const [first, second] = loads;
    assert.ok(first && second);
    assert.deepEqual(first.result, result);
    assert.deepEqual(second.result, first.result);
    assert.equal(first.snapshot.persons.length, 1500);
    assert.equal(first.snapshot.households.length, result.households);
    assert.deepEqual(second.snapshot, first.snapshot);
  });

  it('enrols a person with a checkable registry number and reads them back with a purpose', async () => {
    const app = testApp(db());
    const person = await enrolPerson(app, registrar, validPerson());
    assert.match(person.registryNumber, /^\d{4}-\d{4}-\d{4}$/);
    assert.equal(person.version, 1);
    const read = await getPerson(app, reader, person.id);
    assert.equal(read.givenNames, 'María José');
    assert.equal(read.address.regionCode, 'VE-A');
    const audit = await db()
      .kysely.selectFrom('audit_log')
      .selectAll()
      .where('operation', '=', 'person.read')
      .execute();
    assert.ok(
      audit.some((a) => a.purpose === 'enrolment' && JSON.parse(a.subject_ids).includes(person.id)),
    );
  });

  it('refuses a read without a purpose, and hides another region’s person', async () => {
    const app = testApp(db());
    const person = await enrolPerson(
      app,
      staff('registrar', ['VE-B']),
      validPerson({ address: { regionCode: 'VE-B' } }),
    );
    await assert.rejects(getPerson(app, registrar, person.id), refusedWith('PURPOSE_REQUIRED'));
    await assert.rejects(getPerson(app, reader, person.id), refusedWith('NOT_FOUND'));
    const found = await searchPersons(app, reader, { registryNumber: person.registryNumber });
    assert.equal(found.items.length, 0);
    await assert.rejects(
      enrolPerson(app, registrar, validPerson({ address: { regionCode: 'VE-B' } })),
      refusedWith('NOT_FOUND'),
    );
  });

  it('refuses bad input with the field named and writes nothing', async () => {
    const app = testApp(db());
    const before = await db()
      .kysely.selectFrom('persons')
      .select(db().kysely.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    assert.throws(
      () => parseInput(personInput, personBody({ birthDate: '1984-02-30' })),
      refusedWith('VALIDATION_FAILED', 'birthDate'),
    );
    assert.throws(
      () => parseInput(personInput, personBody({ birthDate: 1984 })),
      refusedWith('VALIDATION_FAILED', 'birthDate'),
    );
    assert.throws(
      () => parseInput(personInput, personBody({ phone: '0412-123' })),
      refusedWith('VALIDATION_FAILED', 'phone'),
    );
    assert.throws(
      () => parseInput(personInput, personBody({ nickname: 'Majo' })),
      refusedWith('UNKNOWN_FIELD', 'nickname'),
    );
    await assert.rejects(
      enrolPerson(app, registrar, validPerson({ address: { regionCode: 'VE-Q' } })),
      refusedWith('VALIDATION_FAILED'),
    );
    const after = await db()
      .kysely.selectFrom('persons')
      .select(db().kysely.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    assert.equal(Number(after.n), Number(before.n));
  });

  it('accepts a birth year alone, and a person with one surname', async () => {
    const app = testApp(db());
    const p = await enrolPerson(
      app,
      registrar,
      validPerson({ birthDate: '1951', surname2: null, surname1: 'Guaicaipuro' }),
    );
    assert.equal(p.birthDatePrecision, 'year');
    assert.equal(p.surname2, null);
  });

  it('refuses prohibited attributes at declaration and at write, with PROHIBITED_ATTRIBUTE', async () => {
    const app = testApp(db());
    const declare = async (body: Record<string, unknown>) =>
      declareAttribute(app, admin, parseInput(attributeDeclarationInput, body));
    await assert.rejects(
      declare({
        name: 'party',
        type: 'string',
        category: 'party_membership',
        description: 'Party',
      }),
      refusedWith('PROHIBITED_ATTRIBUTE', 'category'),
    );
    await assert.rejects(
      declare({
        name: 'voted_2024',
        type: 'boolean',
        category: 'administrative',
        description: 'Attendance',
      }),
      refusedWith('PROHIBITED_ATTRIBUTE', 'name'),
    );
    await assert.rejects(
      declare({
        name: 'contact_account',
        type: 'string',
        category: 'contact',
        description: 'Their twitter account',
      }),
      refusedWith('PROHIBITED_ATTRIBUTE', 'description'),
    );
    for (const category of [
      'political_opinion',
      'political_activity',
      'voting',
      'election_participation',
      'religion',
      'trade_union',
      'sexual_life',
      'social_media',
    ]) {
      await assert.rejects(
        declare({ name: 'some_field', type: 'string', category, description: 'x y z' }),
        refusedWith('PROHIBITED_ATTRIBUTE', 'category'),
      );
    }
    await assert.rejects(
      enrolPerson(app, registrar, validPerson({ attributes: { partido: 'X' } })),
      refusedWith('PROHIBITED_ATTRIBUTE', 'attributes.partido'),
    );
    await assert.rejects(
      enrolPerson(app, registrar, validPerson({ attributes: { twitter_handle: '@x' } })),
      refusedWith('PROHIBITED_ATTRIBUTE', 'attributes.twitter_handle'),
    );
    await assert.rejects(
      enrolPerson(app, registrar, validPerson({ attributes: { household_size: 3 } })),
      refusedWith('UNDECLARED_ATTRIBUTE'),
    );
    const rows = await db().kysely.selectFrom('attribute_definitions').selectAll().execute();
    assert.ok(rows.every((r) => !/vot|part|twitter/.test(r.name)));
  });

  it('seals health attributes at rest and shows them only for a health purpose', async () => {
    const app = testApp(db());
    await assert.rejects(
      declareAttribute(app, admin, {
        name: 'disability',
        type: 'boolean',
        category: 'socioeconomic',
        description: 'Has a disability',
      }),
      refusedWith('VALIDATION_FAILED', 'category'),
    );
    await declareAttribute(app, admin, {
      name: 'disability',
      type: 'boolean',
      category: 'health',
      description: 'Has a disability recognised by the health ministry',
    });
    await declareAttribute(app, admin, {
      name: 'dependants',
      type: 'integer',
      category: 'household',
      description: 'Number of dependants',
    });
    const p = await enrolPerson(
      app,
      registrar,
      validPerson({ attributes: { disability: true, dependants: 2 } }),
    );
    const row = await db()
      .kysely.selectFrom('persons')
      .selectAll()
      .where('id', '=', p.id)
      .executeTakeFirstOrThrow();
    assert.ok(!row.attributes.includes('disability'));
    assert.ok(row.health_attributes?.startsWith('v1.') && !row.health_attributes.includes('true'));
    const plain = await getPerson(app, reader, p.id);
    assert.deepEqual(plain.attributes, { dependants: 2 });
    assert.equal(plain.healthAttributes, undefined);
    const health = await getPerson(app, withPurpose(registrar, 'health_eligibility'), p.id);
    assert.deepEqual(health.healthAttributes, { disability: true });
    await assert.rejects(
      enrolPerson(app, registrar, validPerson({ attributes: { dependants: 'two' } })),
      refusedWith('VALIDATION_FAILED', 'attributes.dependants'),
    );
  });

  it('stores a corrected phone written in national form in E.164, and refuses one that is not a phone', async () => {
    const app = testApp(db());
    const p = await enrolPerson(app, registrar, validPerson());
    const corrected = await correctPerson(app, registrar, p.id, {
      ...parseInput(personUpdateInput, { phone: '0414-555-7788', reason: 'new number' }),
    });
    assert.equal(corrected.phone, '+584145557788');
    assert.throws(
      () => parseInput(personUpdateInput, { phone: 'call me', reason: 'new number' }),
      refusedWith('VALIDATION_FAILED', 'phone'),
    );
  });

  it('keeps every earlier version with who, when and why', async () => {
    const app = testApp(db());
    const p = await enrolPerson(app, registrar, validPerson());
    app.advance(1000);
    await correctPerson(app, registrar, p.id, {
      surname2: 'Rodrígues',
      reason: 'typo at enrolment',
    });
    app.advance(1000);
    await correctPerson(app, registrar, p.id, {
      surname2: 'Rodríguez',
      reason: 'typo corrected back',
      expectedVersion: 2,
    });
    await assert.rejects(
      correctPerson(app, registrar, p.id, { phone: null, reason: 'stale', expectedVersion: 1 }),
      refusedWith('VERSION_CONFLICT'),
    );
    assert.throws(
      () => parseInput(personUpdateInput, { phone: null }),
      refusedWith('VALIDATION_FAILED', 'reason'),
    );
    const history = await getPersonHistory(app, reader, p.id);
    assert.deepEqual(
      history.map((h) => [h.version, h.record.surname2, h.reason]),
      [
        [1, 'Rodríguez', 'enrolment'],
        [2, 'Rodrígues', 'typo at enrolment'],
        [3, 'Rodríguez', 'typo corrected back'],
      ],
    );
    assert.equal(history[0]!.validTo, history[1]!.validFrom);
  });

  it('searches by name ignoring accents and case, with birth date, and pages', async () => {
    const app = testApp(db());
    const a = await enrolPerson(
      app,
      registrar,
      validPerson({
        givenNames: 'José Ángel',
        surname1: 'Núñez',
        surname2: 'Peña',
        birthDate: '1990-07-01',
      }),
    );
    await enrolPerson(
      app,
      registrar,
      validPerson({
        givenNames: 'José',
        surname1: 'Núñez',
        surname2: 'Ávila',
        birthDate: '1991-01-01',
      }),
    );
    const byName = await searchPersons(app, reader, { name: 'jose angel nunez' });
    assert.deepEqual(
      byName.items.map((p) => p.id),
      [a.id],
    );
    const byNameAndYear = await searchPersons(app, reader, { name: 'NUÑEZ', birthDate: '1990' });
    assert.deepEqual(
      byNameAndYear.items.map((p) => p.id),
      [a.id],
    );
    const first = await searchPersons(app, reader, { name: 'nunez', limit: 1 });
    assert.equal(first.items.length, 1);
    assert.ok(first.next);
    const second = await searchPersons(app, reader, { name: 'nunez', limit: 1, after: first.next });
    assert.equal(second.items.length, 1);
    assert.notEqual(second.items[0]!.id, first.items[0]!.id);
    await assert.rejects(
      searchPersons(app, reader, { registryNumber: '1234-5678-9013' }),
      refusedWith('VALIDATION_FAILED', 'registryNumber'),
    );
  });

  it('records a death, tells the hooks, and refuses further events', async () => {
    const app = testApp(db());
    const seen: string[] = [];
    app.lifeEventHooks.push(async (_trx, event) => {
      seen.push(`${event.kind}:${event.personId}`);
    });
    const p = await enrolPerson(app, registrar, validPerson());
    const dead = await recordLifeEvent(app, registrar, p.id, {
      kind: 'death',
      occurredOn: '2026-11-01',
    });
    assert.equal(dead.status, 'deceased');
    assert.deepEqual(seen, [`death:${p.id}`]);
    await assert.rejects(
      recordLifeEvent(app, registrar, p.id, { kind: 'death', occurredOn: '2026-11-02' }),
      refusedWith('INVALID_STATE'),
    );
    const events = await listLifeEvents(app, reader, p.id);
    assert.deepEqual(
      events.map((e) => e.kind),
      ['death'],
    );
  });

  it('changes name and address as life events, keeping the previous version', async () => {
    const app = testApp(db());
    const p = await enrolPerson(app, registrar, validPerson());
    const renamed = await recordLifeEvent(app, registrar, p.id, {
      kind: 'name_change',
      occurredOn: '2026-10-01',
      surname2: 'de Gómez',
      reason: 'marriage',
    });
    assert.equal(renamed.surname2, 'de Gómez');
    await assert.rejects(
      recordLifeEvent(app, registrar, p.id, {
        kind: 'address_change',
        occurredOn: '2026-10-02',
        address: { regionCode: 'VE-K' },
      }),
      refusedWith('NOT_FOUND'),
    );
    const history = await getPersonHistory(app, reader, p.id);
    assert.equal(history.length, 2);
  });

  it('keeps a person in at most one household, and records moves and births', async () => {
    const app = testApp(db());
    const mother = await enrolPerson(app, registrar, validPerson());
    const father = await enrolPerson(
      app,
      registrar,
      validPerson({ givenNames: 'Luis', sex: 'M', surname1: 'Gómez', surname2: 'Díaz' }),
    );
    const h1 = await createHousehold(app, registrar, {
      address: { regionCode: 'VE-A', locality: 'Caracas' },
      headPersonId: mother.id,
    });
    await addHouseholdMember(app, registrar, h1.id, {
      personId: father.id,
      relationship: 'spouse',
      reason: 'married',
    });
    const h2 = await createHousehold(app, registrar, {
      address: { regionCode: 'VE-A' },
      headPersonId: (await enrolPerson(app, registrar, validPerson({ givenNames: 'Ana' }))).id,
    });
    await assert.rejects(
      addHouseholdMember(app, registrar, h2.id, {
        personId: father.id,
        relationship: 'sibling',
        reason: 'lives with sister',
      }),
      refusedWith('CONFLICT'),
    );
    await addHouseholdMember(app, registrar, h2.id, {
      personId: father.id,
      relationship: 'sibling',
      reason: 'lives with sister',
      move: true,
    });
    const baby = await registerBirth(app, registrar, h1.id, {
      child: validPerson({ givenNames: 'Sofía', birthDate: '2026-11-20' }),
    });
    const household = await getHousehold(app, reader, h1.id);
    assert.deepEqual(household.members.map((m) => [m.person.givenNames, m.relationship]).sort(), [
      ['María José', 'head'],
      ['Sofía', 'child'],
    ]);
    assert.equal(baby.householdId, h1.id);
    const fatherEvents = await listLifeEvents(app, reader, father.id);
    assert.deepEqual(
      fatherEvents.map((e) => e.kind),
      ['household_move'],
    );
    const babyEvents = await listLifeEvents(app, reader, baby.id);
    assert.deepEqual(
      babyEvents.map((e) => e.kind),
      ['birth'],
    );
    const rows = await db()
      .kysely.selectFrom('household_members')
      .selectAll()
      .where('person_id', '=', father.id)
      .execute();
    assert.equal(rows.length, 2, 'the old membership is kept, ended, not deleted');
  });
  it('leaves out of a household the members registered in a region the reader may not see', async () => {
    const app = testApp(db());
    const national = staff('registrar', '*');
    const head = await enrolPerson(app, national, validPerson({ givenNames: 'Yajaira' }));
    const elsewhere = await enrolPerson(
      app,
      national,
      validPerson({
        givenNames: 'Wilmer',
        sex: 'M',
        surname1: 'Chirinos',
        surname2: 'Bracho',
        birthDate: '1979-05-30',
        phone: '+584167070707',
        address: { regionCode: 'VE-V', locality: 'Maracaibo', line: 'Sector Veritas' },
      }),
    );
    const household = await createHousehold(app, national, {
      address: { regionCode: 'VE-A', locality: 'Caracas' },
      headPersonId: head.id,
    });
    await addHouseholdMember(app, national, household.id, {
      personId: elsewhere.id,
      relationship: 'spouse',
      reason: 'works in Maracaibo, family in Caracas',
    });
    const all = await getHousehold(app, withPurpose(national, 'enrolment'), household.id);
    assert.deepEqual(all.members.map((m) => m.person.givenNames).sort(), ['Wilmer', 'Yajaira']);

    // The attack: a registrar of VE-A reads the VE-A household and sees the VE-V member.
    const seen = await getHousehold(app, reader, household.id);
    assert.deepEqual(
      seen.members.map((m) => m.person.id),
      [head.id],
    );
    const text = JSON.stringify(seen);
    for (const secret of [elsewhere.id, elsewhere.registryNumber, 'Chirinos', 'Maracaibo'])
      assert.ok(!text.includes(secret), `the household does not carry ${secret}`);
    // Consistent with reading the person directly: not found.
    await assert.rejects(getPerson(app, reader, elsewhere.id), refusedWith('NOT_FOUND'));
    const audited = await db()
      .kysely.selectFrom('audit_subjects')
      .innerJoin('audit_log', 'audit_log.id', 'audit_subjects.audit_id')
      .select('audit_subjects.person_id')
      .where('audit_log.operation', '=', 'household.read')
      .where('audit_log.actor_id', '=', registrar.actor.id)
      .where('audit_subjects.person_id', 'in', [head.id, elsewhere.id])
      .execute();
    assert.deepEqual(
      audited.map((a) => a.person_id),
      [head.id],
      'only the members shown are recorded as read',
    );
  });
});
