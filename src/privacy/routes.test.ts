import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { forEachEngine } from '../../test/support/engines';
import { personBody } from '../../test/support/app';
import {
  signedInAgent,
  startTestServer,
  type Agent,
  type TestServer,
} from '../../test/support/http';
import { pinAuditKeysInMemory } from './audit-key-settings';
import { loadAuditSealKey } from './audit-seal-keys';
import { verifySeal } from './audit-chain';
import { parseAuditHead } from './audit-head';
import { sealPendingAudit } from './audit-sealer';

const key = loadAuditSealKey(
  join(mkdtempSync(join(tmpdir(), 'tessera-audit-key-')), 'audit-seal.pem'),
  { create: true },
);

forEachEngine('privacy over HTTP', ({ db }) => {
  let t: TestServer;
  let registrar: Agent;
  let auditor: Agent;
  let analyst: Agent;
  let personId: string;
  before(async () => {
    t = await startTestServer(db());
    registrar = await signedInAgent(t, [{ role: 'registrar', regions: ['VE-A'] }]);
    auditor = await signedInAgent(t, [{ role: 'auditor', regions: '*' }]);
    analyst = await signedInAgent(t, [{ role: 'analyst', regions: '*' }]);
    const created = await registrar.request({
      method: 'POST',
      url: '/api/v1/persons',
      payload: personBody(),
    });
    assert.equal(created.statusCode, 201, created.body);
    personId = created.json<{ id: string }>().id;
  });
  after(async () => {
    await t.server.close();
  });

  it('shows a person’s access report with the registrar’s read, its purpose and time', async () => {
    t.app.advance(60_000);
    const read = await registrar.request({
      method: 'GET',
      url: `/api/v1/persons/${personId}`,
      purpose: 'service_delivery',
    });
    assert.equal(read.statusCode, 200, read.body);
    const url = `/api/v1/persons/${personId}/access-report`;
    const noPurpose = await auditor.request({ method: 'GET', url });
    assert.equal(noPurpose.json<{ error: { code: string } }>().error.code, 'PURPOSE_REQUIRED');
    const report = await auditor.request({ method: 'GET', url, purpose: 'grievance' });
    assert.equal(report.statusCode, 200, report.body);
    const items = report.json<{
      items: {
        operation: string;
        purpose: { code: string } | null;
        at: string;
        role: string;
        staff: string;
      }[];
    }>().items;
    const personRead = items.find((i) => i.operation === 'person.read');
    assert.equal(personRead?.purpose?.code, 'service_delivery');
    assert.equal(personRead?.role, 'registrar');
    assert.equal(personRead?.at, t.app.now().toISOString());
    assert.ok(
      !report.body.includes(registrar.staffId) && !report.body.includes(registrar.username),
    );
  });

  it('finds an access report by registry number, naming the reader by username', async () => {
    const number = (
      await t.app.db.kysely
        .selectFrom('persons')
        .select('registry_number')
        .where('id', '=', personId)
        .executeTakeFirstOrThrow()
    ).registry_number;
    t.app.advance(60_000);
    const read = await registrar.request({
      method: 'GET',
      url: `/api/v1/persons/${personId}`,
      purpose: 'service_delivery',
    });
    assert.equal(read.statusCode, 200, read.body);
    const url = `/api/v1/access-reports/by-number/${number.replace(/-/g, '')}`;
    const noPurpose = await auditor.request({ method: 'GET', url });
    assert.equal(noPurpose.json<{ error: { code: string } }>().error.code, 'PURPOSE_REQUIRED');
    const report = await auditor.request({ method: 'GET', url, purpose: 'grievance' });
    assert.equal(report.statusCode, 200, report.body);
    const body = report.json<{
      registryNumber: string;
      items: { operation: string; purpose: { code: string } | null; staffUsername: string }[];
    }>();
    assert.equal(body.registryNumber, number);
    const personRead = body.items.find((i) => i.operation === 'person.read');
    assert.equal(personRead?.purpose?.code, 'service_delivery');
    assert.equal(personRead?.staffUsername, registrar.username);
    // Only the report: none of the record's values.
    assert.ok(!report.body.includes('María José'));
    // A registrar handling the grievance sees the readers as the person does: pseudonyms.
    const asRegistrar = await registrar.request({ method: 'GET', url, purpose: 'grievance' });
    assert.equal(asRegistrar.statusCode, 200, asRegistrar.body);
    assert.ok(!asRegistrar.body.includes(registrar.username), 'no usernames for a registrar');
    const audited = await t.app.db.kysely
      .selectFrom('audit_log')
      .select(['operation', 'purpose'])
      .where('actor_id', '=', auditor.staffId)
      .where('operation', '=', 'person.access_report')
      .execute();
    assert.ok(audited.some((a) => a.purpose === 'grievance'));

    const unknown = await auditor.request({
      method: 'GET',
      url: '/api/v1/access-reports/by-number/0000-0000-0000',
      purpose: 'grievance',
    });
    assert.equal(unknown.statusCode, 404, unknown.body);
    assert.equal(unknown.json<{ error: { code: string } }>().error.code, 'NOT_FOUND');
    const malformed = await auditor.request({
      method: 'GET',
      url: '/api/v1/access-reports/by-number/12-ab',
      purpose: 'grievance',
    });
    const refusal = malformed.json<{ error: { code: string; field: string } }>().error;
    assert.equal(refusal.code, 'VALIDATION_FAILED');
    assert.equal(refusal.field, 'registryNumber');
    const refused = await analyst.request({ method: 'GET', url, purpose: 'grievance' });
    assert.equal(refused.statusCode, 403, refused.body);
  });

  it('lists the audit operations in words, and names staff by username in the log', async () => {
    const ops = await auditor.request({ method: 'GET', url: '/api/v1/audit/operations' });
    assert.equal(ops.statusCode, 200, ops.body);
    const items = ops.json<{ items: { operation: string; es: string; en: string }[] }>().items;
    assert.ok(items.some((i) => i.operation === 'person.read' && i.es && i.en));
    const refused = await analyst.request({ method: 'GET', url: '/api/v1/audit/operations' });
    assert.equal(refused.statusCode, 403);
    const log = await auditor.request({
      method: 'GET',
      url: `/api/v1/audit?staff=${registrar.username}&operation=person.read`,
    });
    assert.equal(log.statusCode, 200, log.body);
    const entries = log.json<{ items: { actorUsername: string; operation: string }[] }>().items;
    assert.ok(entries.length > 0);
    assert.ok(entries.every((e) => e.actorUsername === registrar.username));
  });

  it('lets an auditor query the log by person and verify it', async () => {
    const page = await auditor.request({
      method: 'GET',
      url: `/api/v1/audit?personId=${personId}&limit=5`,
    });
    assert.equal(page.statusCode, 200, page.body);
    assert.ok(
      page
        .json<{ items: { subjectIds: string[] }[] }>()
        .items.every((e) => e.subjectIds.includes(personId)),
    );
    const bad = await auditor.request({ method: 'GET', url: '/api/v1/audit?from=tuesday' });
    assert.deepEqual(
      [bad.statusCode, bad.json<{ error: { field: string } }>().error.field],
      [400, 'query.from'],
    );
    pinAuditKeysInMemory(t.app, key);
    await sealPendingAudit(t.app);
    const verified = await auditor.request({ method: 'GET', url: '/api/v1/audit/verify' });
    assert.equal(verified.statusCode, 200, verified.body);
    assert.equal(verified.json<{ ok: boolean }>().ok, true);
    const forbidden = await registrar.request({ method: 'GET', url: '/api/v1/audit/verify' });
    assert.equal(forbidden.statusCode, 403);
  });

  it('publishes the signed chain head to anyone, with nothing personal in it', async () => {
    pinAuditKeysInMemory(t.app, key);
    await sealPendingAudit(t.app);
    const response = await t.server.inject({ method: 'GET', url: '/api/v1/audit/head' });
    assert.equal(response.statusCode, 200, response.body);
    const head = parseAuditHead(response.body, 'the head');
    assert.deepEqual(Object.keys(head).sort(), [
      'chainIndex',
      'headHash',
      'keyId',
      'sealedAt',
      'signature',
      'type',
    ]);
    assert.equal(head.keyId, key.keyId);
    assert.ok(verifySeal(head, createPublicKey(key.privateKey)));
    const newest = await t.app.db.kysely
      .selectFrom('audit_log')
      .select(['chain_index', 'hash'])
      .orderBy('chain_index', 'desc')
      .limit(1)
      .executeTakeFirstOrThrow();
    assert.deepEqual([head.chainIndex, head.headHash], [newest.chain_index, newest.hash]);
  });

  it('gives an analyst counts with small cells suppressed, and never a person', async () => {
    const response = await analyst.request({
      method: 'GET',
      url: '/api/v1/statistics/registry?by=region,sex',
    });
    assert.equal(response.statusCode, 200, response.body);
    const table = response.json<{ threshold: number; cells: { value: number | null }[] }>();
    assert.ok(
      table.cells.every((c) => c.value === null || c.value === 0 || c.value >= table.threshold),
    );
    assert.ok(!response.body.includes(personId) && !response.body.includes('Pérez'));
    const bad = await analyst.request({
      method: 'GET',
      url: '/api/v1/statistics/registry?by=region,party',
    });
    assert.deepEqual(
      [bad.statusCode, bad.json<{ error: { code: string } }>().error.code],
      [400, 'VALIDATION_FAILED'],
    );
    const person = await analyst.request({
      method: 'GET',
      url: `/api/v1/persons/${personId}`,
      purpose: 'audit',
    });
    assert.equal(person.statusCode, 403);
  });

  it('refuses anonymous callers, wrong roles, and another region’s access report', async () => {
    const urls = [
      '/api/v1/audit',
      '/api/v1/audit/verify',
      `/api/v1/persons/${personId}/access-report`,
      '/api/v1/statistics/registry?by=sex',
    ];
    for (const url of urls) {
      const anonymous = await t.server.inject({
        method: 'GET',
        url,
        headers: { 'x-purpose': 'audit' },
      });
      assert.equal(anonymous.statusCode, 401, url);
    }
    const operator = await signedInAgent(t, [{ role: 'operator', regions: '*' }]);
    for (const url of urls)
      assert.equal(
        (await operator.request({ method: 'GET', url, purpose: 'audit' })).statusCode,
        403,
        url,
      );
    const elsewhere = await signedInAgent(t, [
      { role: 'registrar', regions: ['VE-Z'] },
      { role: 'auditor', regions: ['VE-Z'] },
    ]);
    const report = await elsewhere.request({ method: 'GET', url: urls[2]!, purpose: 'grievance' });
    assert.equal(report.statusCode, 404, report.body);
    const log = await elsewhere.request({
      method: 'GET',
      url: `/api/v1/audit?personId=${personId}`,
    });
    assert.equal(log.statusCode, 404, log.body);
  });
});
