import assert from 'node:assert/strict';
import { it } from 'node:test';
import { forEachEngine } from '../../test/support/engines';
import { validPerson, staff, testApp, withPurpose } from '../../test/support/app';
import { correctPerson, enrolPerson, exportRegistry, getPerson } from '../registry';
import { DomainError } from '../shared/errors';
import { accessReport, staffPseudonym } from './access-report';
import { purposeDescriptions } from '../shared/purposes';

const refusedWith = (code: string) => (e: unknown) => {
  assert.ok(e instanceof DomainError, `expected a DomainError, got ${String(e)}`);
  assert.equal(e.code, code, e.message);
  return true;
};

forEachEngine('access report', ({ db }) => {
  it('lists a read made by a registrar, with purpose, time, role and origin, and no staff id', async () => {
    const app = testApp(db());
    const registrar = staff('registrar', ['VE-A']);
    const person = await enrolPerson(app, registrar, validPerson());
    app.advance(60_000);
    await getPerson(app, withPurpose(registrar, 'service_delivery'), person.id);
    const auditor = staff('auditor', '*', 'grievance');
    const report = await accessReport(app, auditor, person.id);
    assert.equal(report.personId, person.id);
    const [read, enrol] = report.items;
    assert.deepEqual(read, {
      at: '2026-11-29T10:01:00.000Z',
      kind: 'read',
      operation: 'person.read',
      description: 'Your record was viewed.',
      descriptionEs: 'Se consultó su registro.',
      purpose: { code: 'service_delivery', description: purposeDescriptions.service_delivery },
      role: 'registrar',
      origin: 'test',
      staff: staffPseudonym(app.config.dataKey, registrar.actor.id),
      fields: [],
    });
    assert.equal(enrol?.kind, 'change');
    assert.equal(enrol?.operation, 'person.enrol');
    assert.ok(enrol?.fields.includes('givenNames'));
    assert.match(read!.staff, /^staff-[0-9a-f]{10}$/);
    assert.equal(enrol?.staff, read?.staff, 'the same official has the same pseudonym');
    assert.ok(
      !JSON.stringify(report).includes(registrar.actor.id),
      'no raw staff id leaves the server',
    );
  });

  it('is itself audited, and the next report shows it', async () => {
    const app = testApp(db());
    const registrar = staff('registrar', ['VE-A'], 'enrolment');
    const person = await enrolPerson(app, registrar, validPerson());
    await accessReport(app, registrar, person.id);
    app.advance(1000);
    const auditor = staff('auditor', '*', 'audit');
    const second = await accessReport(app, auditor, person.id);
    const viewed = second.items.find((i) => i.operation === 'person.access_report');
    assert.equal(viewed?.staff, staffPseudonym(app.config.dataKey, registrar.actor.id));
    assert.notEqual(viewed?.staff, staffPseudonym(app.config.dataKey, auditor.actor.id));
  });

  it('pages newest first without losing or repeating an entry', async () => {
    const app = testApp(db());
    const registrar = staff('registrar', ['VE-A'], 'enrolment');
    const person = await enrolPerson(app, registrar, validPerson());
    for (let i = 0; i < 6; i++) {
      app.advance(1000);
      await getPerson(app, registrar, person.id);
    }
    const seen: string[] = [];
    let after: string | undefined;
    for (let pages = 0; pages < 10; pages++) {
      const page = await accessReport(app, staff('auditor', '*', 'audit'), person.id, {
        limit: 2,
        ...(after ? { after } : {}),
      });
      seen.push(...page.items.map((i) => `${i.at} ${i.operation}`));
      if (!page.next) break;
      after = page.next;
    }
    // 1 enrolment + 6 reads, plus the reports made while paging (each audited as it ran).
    assert.equal(seen.filter((s) => s.endsWith('person.read')).length, 6);
    assert.equal(seen.filter((s) => s.endsWith('person.enrol')).length, 1);
    assert.deepEqual([...seen].sort().reverse(), seen);
  });

  it('refuses without the permission, without a purpose, or outside the caller’s regions', async () => {
    const app = testApp(db());
    const person = await enrolPerson(app, staff('registrar', ['VE-A']), validPerson());
    await assert.rejects(
      accessReport(app, staff('analyst', '*', 'audit'), person.id),
      refusedWith('FORBIDDEN'),
    );
    await assert.rejects(
      accessReport(app, staff('registrar', ['VE-A']), person.id),
      refusedWith('PURPOSE_REQUIRED'),
    );
    await assert.rejects(
      accessReport(app, staff('registrar', ['VE-B'], 'grievance'), person.id),
      refusedWith('NOT_FOUND'),
    );
    await assert.rejects(
      accessReport(app, staff('auditor', '*', 'audit'), 'no-such-person'),
      refusedWith('NOT_FOUND'),
    );
    await assert.rejects(
      accessReport(app, staff('auditor', '*', 'audit'), person.id, { after: 'garbage' }),
      refusedWith('VALIDATION_FAILED'),
    );
  });

  it('shows a correction with the fields it changed, never their values', async () => {
    const app = testApp(db());
    const registrar = staff('registrar', ['VE-A'], 'enrolment');
    const person = await enrolPerson(app, registrar, validPerson());
    app.advance(1000);
    await correctPerson(app, registrar, person.id, {
      phone: '+584149876543',
      expectedVersion: 1,
      reason: 'typo in phone',
    });
    const report = await accessReport(app, registrar, person.id);
    const change = report.items.find((i) => i.operation === 'person.correct');
    assert.equal(change?.kind, 'change');
    assert.deepEqual(change?.fields, ['phone']);
    assert.ok(!JSON.stringify(report).includes('9876543'));
  });

  it('shows a whole-registry export to every person it held, on the right page, once', async () => {
    const app = testApp(db());
    const registrar = staff('registrar', ['VE-A'], 'service_delivery');
    const before = await enrolPerson(app, registrar, validPerson());
    for (let i = 0; i < 5; i++) {
      app.advance(1000);
      await getPerson(app, registrar, before.id);
    }
    app.advance(1000);
    const exporter = staff('admin', '*', 'export');
    const lines: string[] = [];
    await exportRegistry(app, exporter, (line) => void lines.push(line));
    for (let i = 0; i < 5; i++) {
      app.advance(1000);
      await getPerson(app, registrar, before.id);
    }
    app.advance(1000);
    const later = await enrolPerson(
      app,
      registrar,
      validPerson({ givenNames: 'Otra Persona', birthDate: '1990-02-02' }),
    );
    const auditor = staff('auditor', '*', 'grievance');
    const exportsIn = (items: { operation: string }[]) =>
      items.filter((i) => i.operation === 'registry.export').length;
    // Page by page, three entries at a time: the export appears once, in time order.
    const seen: { at: string; operation: string }[] = [];
    let after: string | undefined;
    do {
      const page = await accessReport(app, auditor, before.id, { limit: 3, after });
      seen.push(...page.items);
      after = page.next ?? undefined;
    } while (after);
    assert.equal(exportsIn(seen), 1);
    const at = seen.map((i) => i.at);
    assert.deepEqual(at, [...at].sort().reverse(), 'newest first across pages');
    const shown = seen.find((i) => i.operation === 'registry.export');
    assert.equal((shown as { kind?: string } | undefined)?.kind, 'read');
    assert.equal(exportsIn((await accessReport(app, auditor, later.id)).items), 0);
  });
});
