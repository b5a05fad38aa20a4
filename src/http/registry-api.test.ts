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

forEachEngine('registry over HTTP', ({ db }) => {
  let t: TestServer;
  let registrar: Agent;
  let programmeAdmin: Agent;
  const count = async () =>
    Number(
      (
        await t.app.db.kysely
          .selectFrom('persons')
          .select(t.app.db.kysely.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  before(async () => {
    t = await startTestServer(db());
    registrar = await signedInAgent(t, [{ role: 'registrar', regions: ['VE-A', 'VE-M'] }]);
    programmeAdmin = await signedInAgent(t, [{ role: 'programme_admin', regions: '*' }]);
  });
  after(async () => {
    await t.server.close();
  });

  it('enrols, reads with a purpose, finds by registry number, and corrects a person', async () => {
    const created = await registrar.request({
      method: 'POST',
      url: '/api/v1/persons',
      payload: personBody(),
    });
    assert.equal(created.statusCode, 201, created.body);
    const person = created.json();
    const noPurpose = await registrar.request({
      method: 'GET',
      url: `/api/v1/persons/${person.id}`,
    });
    assert.equal(noPurpose.statusCode, 400);
    assert.equal(noPurpose.json().error.code, 'PURPOSE_REQUIRED');
    const badPurpose = await registrar.request({
      method: 'GET',
      url: `/api/v1/persons/${person.id}`,
      purpose: 'curiosity',
    });
    assert.equal(badPurpose.statusCode, 400);
    const read = await registrar.request({
      method: 'GET',
      url: `/api/v1/persons/${person.id}`,
      purpose: 'enrolment',
    });
    assert.equal(read.statusCode, 200);
    const byNumber = await registrar.request({
      method: 'GET',
      url: `/api/v1/persons/by-number/${person.registryNumber.replace(/-/g, ' ')}`,
      purpose: 'service_delivery',
    });
    assert.equal(byNumber.json().id, person.id);
    const patched = await registrar.request({
      method: 'PATCH',
      url: `/api/v1/persons/${person.id}`,
      payload: { phone: '+584149876543', reason: 'new phone' },
    });
    assert.equal(patched.statusCode, 200, patched.body);
    assert.equal(patched.json().version, 2);
    const history = await registrar.request({
      method: 'GET',
      url: `/api/v1/persons/${person.id}/history`,
      purpose: 'grievance',
    });
    assert.equal(history.json().items.length, 2);
  });

  it('gives malformed JSON, wrong types, unknown fields and oversized bodies a clear error, writing nothing', async () => {
    const before = await count();
    const malformed = await registrar.request({
      method: 'POST',
      url: '/api/v1/persons',
      headers: { 'content-type': 'application/json' },
      payload: '{"givenNames": "Ana",\n "birthDate": 1990-01-01}',
    });
    assert.equal(malformed.statusCode, 400);
    assert.equal(malformed.json().error.code, 'MALFORMED_JSON');
    assert.match(malformed.json().error.field, /line 2 column/);
    const wrongType = await registrar.request({
      method: 'POST',
      url: '/api/v1/persons',
      payload: personBody({ givenNames: 42 }),
    });
    assert.equal(wrongType.statusCode, 400);
    assert.deepEqual(
      [wrongType.json().error.code, wrongType.json().error.field],
      ['VALIDATION_FAILED', 'givenNames'],
    );
    const unknown = await registrar.request({
      method: 'POST',
      url: '/api/v1/persons',
      payload: personBody({ isAdmin: true }),
    });
    assert.deepEqual(
      [unknown.statusCode, unknown.json().error.code, unknown.json().error.field],
      [400, 'UNKNOWN_FIELD', 'isAdmin'],
    );
    const huge = await registrar.request({
      method: 'POST',
      url: '/api/v1/persons',
      payload: { ...personBody(), birthPlace: 'x'.repeat(2 * 1024 * 1024) },
    });
    assert.equal(huge.statusCode, 413);
    assert.equal(huge.json().error.code, 'PAYLOAD_TOO_LARGE');
    assert.ok(!huge.body.includes('at '), 'no stack trace');
    assert.equal(await count(), before);
  });

  it('refuses prohibited attributes through the API and through import, with PROHIBITED_ATTRIBUTE', async () => {
    const declared = await programmeAdmin.request({
      method: 'POST',
      url: '/api/v1/attributes',
      payload: {
        name: 'afiliacion',
        type: 'string',
        category: 'party_membership',
        description: 'Afiliación',
      },
    });
    assert.equal(declared.statusCode, 422);
    assert.equal(declared.json().error.code, 'PROHIBITED_ATTRIBUTE');
    const written = await registrar.request({
      method: 'POST',
      url: '/api/v1/persons',
      payload: personBody({ attributes: { vota_en: 'centro 12' } }),
    });
    assert.equal(written.json().error.code, 'PROHIBITED_ATTRIBUTE');
    const before = await count();
    const csv = 'given_names,birth_date,region_code,religion\nAna,1990,VE-A,x\n';
    const imported = await registrar.request({
      method: 'POST',
      url: '/api/v1/imports/persons',
      headers: { 'content-type': 'text/csv' },
      payload: csv,
    });
    assert.equal(imported.statusCode, 422);
    assert.deepEqual(
      [imported.json().error.code, imported.json().error.field],
      ['PROHIBITED_ATTRIBUTE', 'column religion'],
    );
    assert.equal(await count(), before);
  });

  it('imports a CSV upload with a per-row report, and refuses a broken one naming the line', async () => {
    const csv =
      'external_id,given_names,surname1,birth_date,region_code\nh-1,Ana,López,1990-05-01,VE-A\nh-2,Luis,Mora,1990-02-31,VE-A\nh-3,Eva,Paz,1985,VE-M\n';
    const ok = await registrar.request({
      method: 'POST',
      url: '/api/v1/imports/persons',
      headers: { 'content-type': 'text/csv' },
      payload: csv,
    });
    assert.equal(ok.statusCode, 200, ok.body);
    assert.deepEqual(
      [ok.json().accepted, ok.json().rejected, ok.json().rejects[0].line],
      [2, 1, 3],
    );
    const before = await count();
    const broken = await registrar.request({
      method: 'POST',
      url: '/api/v1/imports/persons',
      headers: { 'content-type': 'text/csv' },
      payload: 'given_names,birth_date,region_code\nAna,1990,VE-A\n"Eva,1991,VE-A\n',
    });
    assert.equal(broken.statusCode, 400);
    assert.deepEqual(
      [broken.json().error.code, broken.json().error.field],
      ['MALFORMED_CSV', 'line 3'],
    );
    const wrongType = await registrar.request({
      method: 'POST',
      url: '/api/v1/imports/persons',
      headers: { 'content-type': 'application/xml' },
      payload: '<a/>',
    });
    assert.equal(wrongType.statusCode, 415);
    assert.equal(await count(), before);
  });

  it('exports rows only after a second approver, once, to the requester', async () => {
    const admin1 = await signedInAgent(t, [{ role: 'admin', regions: '*' }]);
    const admin2 = await signedInAgent(t, [{ role: 'admin', regions: '*' }]);
    const asked = await admin1.request({
      method: 'POST',
      url: '/api/v1/exports',
      payload: { reason: 'migration to the new data centre' },
    });
    assert.equal(asked.statusCode, 202, asked.body);
    const id = asked.json().id as string;
    const early = await admin1.request({ method: 'GET', url: `/api/v1/exports/${id}/download` });
    assert.equal(early.statusCode, 409, 'not before approval');
    const decided = await admin2.request({
      method: 'POST',
      url: `/api/v1/approvals/${id}/decision`,
      payload: { approve: true, reason: 'migration plan signed' },
    });
    assert.equal(decided.statusCode, 200, decided.body);
    const notMine = await admin2.request({ method: 'GET', url: `/api/v1/exports/${id}/download` });
    assert.equal(notMine.statusCode, 404, 'only the requester downloads');
    const download = await admin1.request({ method: 'GET', url: `/api/v1/exports/${id}/download` });
    assert.equal(download.statusCode, 200);
    const lines = download.body.trim().split('\n');
    assert.equal(JSON.parse(lines[0]!).format, 'tessera.registry');
    assert.equal(JSON.parse(lines.at(-1)!).type, 'end');
    const again = await admin1.request({ method: 'GET', url: `/api/v1/exports/${id}/download` });
    assert.equal(again.statusCode, 409, 'once');
    const audited = await t.app.db.kysely
      .selectFrom('audit_log')
      .select(['operation', 'purpose'])
      .where('operation', '=', 'registry.export')
      .execute();
    assert.deepEqual(audited, [{ operation: 'registry.export', purpose: 'export' }]);
  });

  it('serves the OpenAPI document and health check', async () => {
    const doc = await t.server.inject({ method: 'GET', url: '/openapi.json' });
    assert.equal(doc.statusCode, 200);
    assert.ok(doc.json().paths['/api/v1/persons']);
    const health = await t.server.inject({ method: 'GET', url: '/healthz' });
    assert.equal(health.json().status, 'ok');
    assert.ok(health.headers['x-content-type-options'], 'security headers are set');
  });
});
