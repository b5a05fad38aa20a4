import assert from 'node:assert/strict';
import { it } from 'node:test';
import { forEachEngine } from '../../test/support/engines';
import { validPerson, staff, testApp } from '../../test/support/app';
import { enrolPerson, getPerson } from '../registry';
import { DomainError } from '../shared/errors';
import { parseInput } from '../shared/validate';
import { auditQueryInput, queryAudit } from './query-audit';

const refusedWith = (code: string, field?: string) => (e: unknown) => {
  assert.ok(e instanceof DomainError, `expected a DomainError, got ${String(e)}`);
  assert.equal(e.code, code, e.message);
  if (field !== undefined) assert.equal(e.field, field);
  return true;
};

forEachEngine('audit query', ({ db }) => {
  it('finds entries by person, staff member, operation and time, newest first', async () => {
    const app = testApp(db(), new Date('2027-03-01T09:00:00Z'));
    const alice = staff('registrar', ['VE-A'], 'enrolment');
    const bob = staff('registrar', ['VE-A'], 'service_delivery');
    const p1 = await enrolPerson(app, alice, validPerson());
    const p2 = await enrolPerson(app, alice, validPerson({ givenNames: 'Ana' }));
    app.advance(60_000);
    await getPerson(app, bob, p1.id);
    app.advance(60_000);
    await getPerson(app, alice, p2.id);
    const auditor = staff('auditor');

    const aboutP1 = await queryAudit(app, auditor, { personId: p1.id });
    assert.deepEqual(
      aboutP1.items.map((e) => [e.operation, e.actorId]),
      [
        ['person.read', bob.actor.id],
        ['person.enrol', alice.actor.id],
      ],
    );
    const byBob = await queryAudit(app, auditor, { actorId: bob.actor.id });
    assert.deepEqual(
      byBob.items.map((e) => e.subjectIds),
      [[p1.id]],
    );
    assert.equal(byBob.items[0]?.purpose, 'service_delivery');
    const reads = await queryAudit(app, auditor, {
      operation: 'person.read',
      from: '2027-03-01T09:00:30Z',
      to: '2027-03-01T09:01:30Z',
    });
    assert.deepEqual(
      reads.items.map((e) => e.subjectIds[0]),
      [p1.id],
    );
    const onDay = await queryAudit(app, auditor, {
      operation: 'person.enrol',
      from: '2027-03-01',
      to: '2027-03-02',
    });
    assert.equal(onDay.items.length, 2);
  });

  it('audits the query itself under the purpose "audit"', async () => {
    const app = testApp(db(), new Date('2027-04-01T09:00:00Z'));
    const person = await enrolPerson(app, staff('registrar', ['VE-A']), validPerson());
    const auditor = staff('auditor');
    await queryAudit(app, auditor, { personId: person.id });
    const own = await queryAudit(app, staff('auditor'), { actorId: auditor.actor.id });
    assert.equal(own.items.length, 1);
    assert.equal(own.items[0]?.operation, 'audit.query');
    assert.equal(own.items[0]?.purpose, 'audit');
    assert.equal(own.items[0]?.actorRole, 'auditor');
    assert.deepEqual(own.items[0]?.subjectIds, [person.id]);
    assert.deepEqual(own.items[0]?.details, { criteria: ['personId'], returned: 1 });
  });

  it('pages with a cursor', async () => {
    const app = testApp(db(), new Date('2027-05-01T09:00:00Z'));
    const registrar = staff('registrar', ['VE-A'], 'enrolment');
    const person = await enrolPerson(app, registrar, validPerson());
    for (let i = 0; i < 4; i++) await getPerson(app, registrar, person.id); // same instant: ids break ties
    const auditor = staff('auditor');
    const ids: string[] = [];
    let after: string | undefined;
    for (let pages = 0; pages < 10; pages++) {
      const page = await queryAudit(app, auditor, {
        personId: person.id,
        limit: 2,
        ...(after ? { after } : {}),
      });
      ids.push(...page.items.map((e) => e.id));
      if (!page.next) break;
      after = page.next;
    }
    assert.equal(new Set(ids).size, ids.length);
    assert.equal(ids.length, 5);
  });

  it('refuses non-auditors, and keeps a regional auditor to persons of their regions', async () => {
    const app = testApp(db());
    const a = await enrolPerson(app, staff('registrar', ['VE-A']), validPerson());
    const b = await enrolPerson(
      app,
      staff('registrar', ['VE-B']),
      validPerson({ address: { regionCode: 'VE-B' } }),
    );
    await assert.rejects(
      queryAudit(app, staff('registrar'), { personId: a.id }),
      refusedWith('FORBIDDEN'),
    );
    await assert.rejects(queryAudit(app, staff('analyst'), {}), refusedWith('FORBIDDEN'));
    const regional = staff('auditor', ['VE-A']);
    assert.equal((await queryAudit(app, regional, { personId: a.id })).items.length, 1);
    await assert.rejects(queryAudit(app, regional, { personId: b.id }), refusedWith('NOT_FOUND'));
    await assert.rejects(
      queryAudit(app, regional, { operation: 'person.read' }),
      refusedWith('FORBIDDEN', 'personId'),
    );
  });

  it('names a stored entry whose JSON is damaged instead of showing it', async () => {
    const app = testApp(db(), new Date('2027-09-01T09:00:00Z'));
    const person = await enrolPerson(app, staff('registrar', ['VE-A'], 'enrolment'), validPerson());
    const entry = await db()
      .kysely.selectFrom('audit_subjects')
      .select('audit_id as id')
      .where('person_id', '=', person.id)
      .executeTakeFirstOrThrow();
    await db()
      .kysely.updateTable('audit_log')
      .set({ details: '["not", "an object"]' })
      .where('id', '=', entry.id)
      .execute();
    await assert.rejects(
      queryAudit(app, staff('auditor'), { personId: person.id }),
      new RegExp(
        `audit entry ${entry.id} \\(.*\\) cannot be read: details: expected a JSON object`,
      ),
    );
  });

  it('refuses bad filters with the field named', async () => {
    const app = testApp(db());
    const auditor = staff('auditor');
    assert.throws(
      () => parseInput(auditQueryInput, { from: 'yesterday' }),
      refusedWith('VALIDATION_FAILED', 'from'),
    );
    assert.throws(
      () => parseInput(auditQueryInput, { limit: 100_000 }),
      refusedWith('VALIDATION_FAILED', 'limit'),
    );
    await assert.rejects(
      queryAudit(app, auditor, { after: 'not-a-cursor' }),
      refusedWith('VALIDATION_FAILED', 'after'),
    );
    assert.throws(
      () => parseInput(auditQueryInput, { who: 'x' }),
      refusedWith('UNKNOWN_FIELD', 'who'),
    );
  });
});
