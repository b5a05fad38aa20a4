import assert from 'node:assert/strict';
import { it } from 'node:test';
import { forEachEngine } from '../../test/support/engines';
import { validPerson, staff, testApp, withPurpose } from '../../test/support/app';
import { randomBytes } from 'node:crypto';
import { wireDomains } from '../app';
import { configureCredentials, issuePersonCard } from '../credentials';
import { DomainError } from '../shared/errors';
import { addHouseholdMember, createHousehold } from './households';
import { correctPerson } from './change-person';
import { declareAttribute } from './declare-attribute';
import { enrolPerson } from './enrol-person';
import { exportRegistry, numberedLines, restoreRegistry } from './archive';
import { importPersons, type ImportSource } from './import-persons';
import { recordLifeEvent } from './life-events';

const header =
  'external_id,given_names,surname1,surname2,birth_date,sex,region_code,locality,phone';
const textSource = (text: string): ImportSource => ({ text });
async function* chunksOf(text: string, chunk = 65536) {
  for (let i = 0; i < text.length; i += chunk) yield text.slice(i, i + chunk);
}
const csvRow = (i: number) =>
  `ext-${i},Juan ${i % 7 === 0 ? 'Carlos' : 'José'},Pérez,García,${1950 + (i % 60)}-0${1 + (i % 9)}-1${i % 10},M,VE-A,Caracas,+58412${String(1000000 + i)}`;
const countPersons = async (db: ReturnType<typeof testApp>['db']) =>
  Number(
    (
      await db.kysely
        .selectFrom('persons')
        .select(db.kysely.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

forEachEngine('registry import and export', ({ db }) => {
  const importer = staff('registrar', '*');
  const admin = staff('admin');

  it('imports CSV with a per-row report, and is idempotent by external id', async () => {
    const app = testApp(db());
    const rows = [
      header,
      csvRow(1),
      csvRow(2),
      'ext-3,Ana,López,,1990-13-01,F,VE-A,,',
      'ext-4,Bea,Ruiz,,1990,F,VE-Q,,',
      csvRow(5),
      csvRow(1),
    ];
    const report = await importPersons(app, importer, textSource(rows.join('\n') + '\n'), {
      format: 'csv',
      sourceName: 't.csv',
    });
    assert.equal(report.total, 6);
    assert.equal(report.accepted, 3);
    assert.equal(report.rejected, 3);
    assert.deepEqual(
      report.rejects.map((r) => [r.line, r.code]),
      [
        [4, 'VALIDATION_FAILED'],
        [5, 'VALIDATION_FAILED'],
        [7, 'ALREADY_EXISTS'],
      ],
    );
    assert.match(report.rejects[0]!.reason, /birthDate: month must be 01 to 12/);
    const again = await importPersons(app, importer, textSource(rows.join('\n') + '\n'), {
      format: 'csv',
      sourceName: 't.csv',
    });
    assert.equal(again.accepted, 0);
    assert.equal(again.skipped, 4);
    assert.equal(await countPersons(app.db), 3);
  });

  it('places imported people in the households the file names, across batches and reruns', async () => {
    const app = testApp(db());
    const h = 'external_id,given_names,surname1,birth_date,sex,region_code,household,relationship';
    const first = [
      h,
      'hh-1,Rosa,Vera,1970-01-02,F,VE-B,fam-1,head',
      'hh-2,Luis,Vera,1969-05-06,M,VE-B,fam-1,spouse',
      'hh-3,Eva,Vera,2015,F,VE-B,fam-1,child',
      'hh-4,Otro,Jefe,1960-01-01,M,VE-B,fam-1,head',
      'hh-5,Lejos,Vera,1990-01-01,F,VE-C,fam-1,sibling',
      'hh-6,Sin,Casa,1990-01-01,F,VE-B,fam-2,',
      'hh-7,Mal,Rol,1990-01-01,F,VE-B,fam-2,boss',
      'hh-8,Solo,Uno,1991-01-01,M,VE-B,,',
    ];
    const report = await importPersons(app, importer, textSource(first.join('\n') + '\n'), {
      format: 'csv',
      sourceName: 'households.csv',
    });
    assert.equal(report.accepted, 4, JSON.stringify(report.rejects));
    assert.deepEqual(
      report.rejects.map((r) => [r.line, r.field, r.code]),
      [
        [7, 'relationship', 'VALIDATION_FAILED'],
        [8, 'relationship', 'VALIDATION_FAILED'],
        [5, 'household', 'CONFLICT'],
        [6, 'household', 'CONFLICT'],
      ],
    );
    assert.match(report.rejects[2]!.reason, /already has a head/);
    assert.match(report.rejects[3]!.reason, /is in region VE-B/);
    const members = async (ref: string) =>
      db()
        .kysely.selectFrom('households as h')
        .innerJoin('household_members as m', 'm.household_id', 'h.id')
        .innerJoin('persons as p', 'p.id', 'm.person_id')
        .select(['p.external_id', 'm.relationship', 'p.household_id', 'h.id', 'h.region_code'])
        .where('h.external_ref', '=', ref)
        .orderBy('p.external_id')
        .execute();
    const fam1 = await members('fam-1');
    assert.deepEqual(
      fam1.map((m) => [m.external_id, m.relationship]),
      [
        ['hh-1', 'head'],
        ['hh-2', 'spouse'],
        ['hh-3', 'child'],
      ],
    );
    assert.ok(fam1.every((m) => m.household_id === m.id && m.region_code === 'VE-B'));
    // A later file (or a rerun) adds to the same household; the people already in are skipped.
    const later = [h, first[1], 'hh-9,Bebé,Vera,2024-06-01,M,VE-B,fam-1,grandchild'];
    const again = await importPersons(app, importer, textSource(later.join('\n') + '\n'), {
      format: 'csv',
      sourceName: 'more.csv',
    });
    assert.deepEqual([again.accepted, again.skipped, again.rejected], [1, 1, 0]);
    assert.equal((await members('fam-1')).length, 4);
    // JSON Lines carries the same two fields.
    const jsonl = JSON.stringify({
      externalId: 'hh-10',
      givenNames: 'Nueva',
      surname1: 'Casa',
      birthDate: '1999-09-09',
      address: { regionCode: 'VE-D' },
      household: 'fam-3',
      relationship: 'head',
    });
    const json = await importPersons(app, importer, textSource(jsonl + '\n'), {
      format: 'jsonl',
      sourceName: 'h.jsonl',
    });
    assert.equal(json.accepted, 1, JSON.stringify(json.rejects));
    assert.equal((await members('fam-3'))[0]?.relationship, 'head');
  });

  it('refuses a whole file with a prohibited column before writing any row, naming the column', async () => {
    const app = testApp(db());
    const before = await countPersons(app.db);
    const text = `${header},voted_2024\n${csvRow(100)},yes\n`;
    await assert.rejects(
      importPersons(app, importer, textSource(text), { format: 'csv', sourceName: 'x.csv' }),
      (e: unknown) =>
        e instanceof DomainError &&
        e.code === 'PROHIBITED_ATTRIBUTE' &&
        e.field === 'column voted_2024',
    );
    const jsonl =
      JSON.stringify({ ...validPerson({ externalId: 'j-1' }) }) +
      '\n' +
      JSON.stringify({ ...validPerson({ externalId: 'j-2', attributes: { religion: 'x' } }) }) +
      '\n';
    await assert.rejects(
      importPersons(app, importer, textSource(jsonl), { format: 'jsonl', sourceName: 'x.jsonl' }),
      (e: unknown) =>
        e instanceof DomainError &&
        e.code === 'PROHIBITED_ATTRIBUTE' &&
        /line 2/.test(e.field ?? ''),
    );
    assert.equal(await countPersons(app.db), before);
  });

  it('refuses a CSV with a broken quote on line 40,000, naming the line, with nothing stored', async () => {
    const app = testApp(db());
    const before = await countPersons(app.db);
    const lines = [header];
    for (let i = 2; i < 40000; i++) lines.push(csvRow(10000 + i));
    lines.push('ext-broken,"Juan,Pérez,García,1980-01-01,M,VE-A,Caracas,');
    for (let i = 40001; i <= 40100; i++) lines.push(csvRow(10000 + i));
    await assert.rejects(
      importPersons(app, importer, textSource(lines.join('\n') + '\n'), {
        format: 'csv',
        sourceName: 'broken.csv',
      }),
      (e: unknown) =>
        e instanceof DomainError && e.code === 'MALFORMED_CSV' && e.field === 'line 40000',
    );
    assert.equal(await countPersons(app.db), before);
  });

  it('refuses malformed JSON Lines naming the line, with nothing stored', async () => {
    const app = testApp(db());
    const before = await countPersons(app.db);
    const text = JSON.stringify(validPerson({ externalId: 'k-1' })) + '\n{"givenNames": "Ana",\n';
    await assert.rejects(
      importPersons(app, importer, textSource(text), { format: 'jsonl', sourceName: 'x.jsonl' }),
      (e: unknown) =>
        e instanceof DomainError && e.code === 'MALFORMED_JSON' && e.field === 'line 2',
    );
    assert.equal(await countPersons(app.db), before);
  });

  it('refuses a truncated or damaged archive, naming the place, and restores nothing', async () => {
    const app = testApp(db());
    await enrolPerson(
      app,
      staff('registrar', '*'),
      validPerson({ givenNames: 'Rebeca', surname1: 'Marcano' }),
    );
    let archive = '';
    await exportRegistry(app, withPurpose(staff('admin'), 'export'), (l) => void (archive += l));
    const lines = archive.trim().split('\n');
    const target = await (
      await import('../../test/support/engines')
    ).createTestDatabase(app.db.engine);
    try {
      const app2 = testApp(target.db);
      const restore = (text: string) =>
        restoreRegistry(app2, staff('admin'), numberedLines(chunksOf(text, 7)));
      await assert.rejects(restore(lines.slice(0, -1).join('\n') + '\n'), /truncated/);
      const damaged = [...lines.slice(0, 2), '{"type":"persons","row":', ...lines.slice(2)].join(
        '\n',
      );
      await assert.rejects(
        restore(damaged),
        (e: unknown) =>
          e instanceof DomainError && e.code === 'MALFORMED_JSON' && e.field === 'line 3',
      );
      const miscounted = archive.replace(
        /"persons":(\d+)/,
        (_m, n: string) => `"persons":${Number(n) + 1}`,
      );
      await assert.rejects(restore(miscounted), /holds/);
      const rows = await target.db.kysely.selectFrom('persons').select('id').execute();
      assert.equal(rows.length, 0, 'nothing restored');
    } finally {
      await target.dispose();
    }
  });

  it('refuses an archive row with a wrong-typed field, naming its line, and restores nothing', async () => {
    const app = testApp(db());
    const registrar = staff('registrar', '*');
    const person = await enrolPerson(app, registrar, validPerson({ givenNames: 'Tomás' }));
    await correctPerson(app, registrar, person.id, { givenNames: 'Tomás Ignacio', reason: 'typo' });
    let archive = '';
    await exportRegistry(app, withPurpose(admin, 'export'), (l) => void (archive += l));
    const lines = archive.trim().split('\n');
    // Replaces one record (the first of `type`) with `change` applied; returns its line number.
    const damage = (type: string, change: (record: Record<string, unknown>) => void) => {
      const index = lines.findIndex((l) => l.startsWith(`{"type":"${type}"`));
      assert.ok(index > 0, `the archive has a ${type} record`);
      const record = JSON.parse(lines[index]!) as Record<string, unknown>;
      change(record);
      const text = [...lines.slice(0, index), JSON.stringify(record), ...lines.slice(index + 1)];
      return { text: text.join('\n') + '\n', line: index + 1 };
    };
    const row = (record: Record<string, unknown>) => record.row as Record<string, unknown>;
    const cases = [
      damage('persons', (r) => (row(r).given_names = ['Tomás'])),
      damage('persons', (r) => (row(r).version = 1.5)),
      damage('persons', (r) => (row(r).health_attributes = 'insulin')),
      damage('persons', (r) => delete row(r).id),
      damage('person_versions', (r) => (row(r).snapshot = '{"given_names":"Tomás"}')),
      damage('person_versions', (r) => {
        (row(r).snapshot as Record<string, unknown>).surname1 = { text: 'Pérez' };
      }),
      damage('persons', (r) => (r.row = 'a row')),
      damage('end', (r) => (r.counts = { persons: '1' })),
    ];
    const target = await (
      await import('../../test/support/engines')
    ).createTestDatabase(app.db.engine);
    try {
      const app2 = testApp(target.db);
      for (const { text, line } of cases) {
        await assert.rejects(
          restoreRegistry(app2, admin, numberedLines(chunksOf(text, 7))),
          (e: unknown) =>
            e instanceof DomainError &&
            e.code === 'VALIDATION_FAILED' &&
            e.field === `line ${line}` &&
            e.message.startsWith(`line ${line}: `),
        );
      }
      const persons = await target.db.kysely.selectFrom('persons').select('id').execute();
      const versions = await target.db.kysely
        .selectFrom('person_versions')
        .select('person_id')
        .execute();
      assert.equal(persons.length + versions.length, 0, 'nothing restored');
    } finally {
      await target.dispose();
    }
  });

  it('round-trips export → restore into an empty database exactly', async () => {
    const app = testApp(db());
    const kek = randomBytes(32);
    await declareAttribute(app, admin, {
      name: 'insulin_dependent',
      type: 'boolean',
      category: 'health',
      description: 'Needs insulin',
    });
    const registrar = staff('registrar', '*');
    const a = await enrolPerson(
      app,
      registrar,
      validPerson({ attributes: { insulin_dependent: true } }),
    );
    const b = await enrolPerson(app, registrar, validPerson({ givenNames: 'Pedro', sex: 'M' }));
    const h = await createHousehold(app, registrar, {
      address: { regionCode: 'VE-A' },
      headPersonId: a.id,
    });
    await addHouseholdMember(app, registrar, h.id, {
      personId: b.id,
      relationship: 'spouse',
      reason: 'married',
    });
    await correctPerson(app, registrar, b.id, { givenNames: 'Pedro Luis', reason: 'full name' });
    wireDomains(app);
    configureCredentials(app, { keyEncryptionKey: kek, issuer: 'https://tessera.test' });
    const c = await enrolPerson(
      app,
      registrar,
      validPerson({ givenNames: 'Carmen', surname1: 'Istúriz', birthDate: '1970-01-05' }),
    );
    await issuePersonCard(app, withPurpose(registrar, 'card_issuance'), c.id);
    await recordLifeEvent(app, registrar, b.id, { kind: 'death', occurredOn: '2026-11-01' });

    let first = '';
    const counts = await exportRegistry(
      app,
      withPurpose(admin, 'export'),
      (l) => void (first += l),
    );
    assert.ok(counts.persons! >= 3);
    assert.ok(counts.cards! >= 1, 'cards travel with the registry');
    assert.ok(counts.issuer_keys! >= 1);
    assert.ok(first.includes('"insulin_dependent":true'), 'health attributes travel readable');

    const target = await (
      await import('../../test/support/engines')
    ).createTestDatabase(app.db.engine);
    try {
      const app2 = testApp(target.db);
      wireDomains(app2);
      configureCredentials(app2, { keyEncryptionKey: kek, issuer: 'https://tessera.test' });
      await restoreRegistry(app2, admin, numberedLines(chunksOf(first)));
      let second = '';
      await exportRegistry(app2, withPurpose(admin, 'export'), (l) => void (second += l));
      const body = (s: string) => s.slice(s.indexOf('\n') + 1);
      assert.equal(body(second), body(first));
      await assert.rejects(
        restoreRegistry(app2, admin, numberedLines(chunksOf(first))),
        /not empty/,
      );
    } finally {
      await target.dispose();
    }
  });
});
