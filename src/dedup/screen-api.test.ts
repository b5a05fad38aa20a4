// Screening before enrolment over HTTP: the candidates with their reasons, nothing saved, the
// read audited, and a candidate in a region the caller does not serve only said to exist.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { forEachEngine } from '../../test/support/engines';
import { personBody } from '../../test/support/app';
import {
  signedInAgent,
  startTestServer,
  type Agent,
  type TestServer,
} from '../../test/support/http';

forEachEngine('dedup: screening before enrolment', ({ db }) => {
  let t: TestServer;
  let registrar: Agent;
  let national: Agent;
  before(async () => {
    t = await startTestServer(db());
    registrar = await signedInAgent(t, [{ role: 'registrar', regions: ['VE-A'] }]);
    national = await signedInAgent(t, [{ role: 'registrar', regions: '*' }]);
  });
  after(async () => {
    await t.server.close();
  });

  const screen = (agent: Agent, payload: Record<string, unknown>, purpose = 'enrolment') =>
    agent.request({ method: 'POST', url: '/api/v1/persons/screen', payload, purpose });

  it('shows a likely duplicate with the fields that agree, and saves nothing', async () => {
    const body = personBody({
      givenNames: 'Eduvigis',
      surname1: 'Landaeta',
      surname2: 'Goitía',
      birthDate: '1961-05-07',
      phone: '+584145557711',
    });
    const first = await registrar.request({
      method: 'POST',
      url: '/api/v1/persons',
      payload: body,
    });
    assert.equal(first.statusCode, 201, first.body);
    const before = await t.app.db.kysely
      .selectFrom('persons')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();

    const answer = await screen(registrar, { ...body, phone: '0414-555-7711' });
    assert.equal(answer.statusCode, 200, answer.body);
    const result = answer.json();
    assert.notEqual(result.outcome, 'distinct');
    const candidate = result.candidates[0];
    assert.equal(candidate.visible, true);
    assert.equal(candidate.person.registryNumber, first.json().registryNumber);
    assert.equal(candidate.person.givenNames, 'Eduvigis');
    assert.ok(candidate.matchWeight > 0);
    const phone = candidate.fields.find((f: { field: string }) => f.field === 'phone');
    assert.equal(phone?.agreement, 'agree', 'the national form matched the stored E.164');
    assert.ok(candidate.fields.some((f: { field: string }) => f.field === 'givenNames'));

    const after = await t.app.db.kysely
      .selectFrom('persons')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    assert.equal(Number(after.n), Number(before.n), 'screening saved no one');
    const pairs = await t.app.db.kysely.selectFrom('dedup_pairs').selectAll().execute();
    assert.equal(pairs.length, 0, 'screening opened no review');
    const audited = await t.app.db.kysely
      .selectFrom('audit_log')
      .selectAll()
      .where('operation', '=', 'dedup.screen')
      .execute();
    assert.equal(audited.length, 1);
    assert.ok(String(audited[0]?.subject_ids).includes(first.json().id));
  });

  it('says nothing but "someone" about a candidate in a region the caller does not serve', async () => {
    const elsewhere = personBody({
      givenNames: 'Nerys Coromoto',
      surname1: 'Chirinos',
      surname2: 'Urdaneta',
      birthDate: '1972-02-14',
      phone: '+584146161616',
      address: { regionCode: 'VE-V', locality: 'Maracaibo', line: 'Calle 70' },
    });
    const saved = await national.request({
      method: 'POST',
      url: '/api/v1/persons',
      payload: elsewhere,
    });
    assert.equal(saved.statusCode, 201, saved.body);
    const answer = await screen(registrar, {
      ...elsewhere,
      address: { regionCode: 'VE-A', locality: 'Caracas' },
    });
    assert.equal(answer.statusCode, 200, answer.body);
    assert.deepEqual(
      answer.json().candidates.map((c: { visible: boolean }) => c.visible),
      [false],
    );
    for (const secret of [saved.json().registryNumber, saved.json().id, 'Maracaibo', 'Nerys'])
      assert.ok(!answer.body.includes(secret), `the answer does not carry ${secret}`);
  });

  it('refuses a bad body, a region the caller does not serve, and another purpose', async () => {
    const bad = await screen(registrar, personBody({ birthDate: '1984-13-01' }));
    assert.equal(bad.statusCode, 400, bad.body);
    assert.equal(bad.json().error.field, 'birthDate');
    const badPhone = await screen(registrar, personBody({ phone: 'call me' }));
    assert.equal(badPhone.statusCode, 400, badPhone.body);
    assert.equal(badPhone.json().error.field, 'phone');
    const region = await screen(
      registrar,
      personBody({ address: { regionCode: 'VE-V', locality: 'Maracaibo' } }),
    );
    assert.equal(region.statusCode, 404, region.body);
    assert.equal(region.json().error.code, 'NOT_FOUND');
    const purpose = await screen(registrar, personBody(), 'service_delivery');
    assert.equal(purpose.statusCode, 403, purpose.body);
    const none = await registrar.request({
      method: 'POST',
      url: '/api/v1/persons/screen',
      payload: personBody(),
    });
    assert.equal(none.statusCode, 400, none.body);
  });

  it('stores a phone written in national form in E.164', async () => {
    const saved = await registrar.request({
      method: 'POST',
      url: '/api/v1/persons',
      payload: personBody({ givenNames: 'Telésforo', surname1: 'Marcano', phone: '0412 5551234' }),
    });
    assert.equal(saved.statusCode, 201, saved.body);
    assert.equal(saved.json().phone, '+584125551234');
  });
});
