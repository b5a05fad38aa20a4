// Payouts over HTTP, on both engines: each step by the role that holds it (an administrator
// configures the provider, a registrar records the destination with a purpose, one finance
// officer prepares, another approves), items only with a purpose, a status report posted as
// XML, a malformed one refused naming its line; and the CLI's approve refused.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { distinctPerson } from '../../../test/support/app';
import { tesseraRunner } from '../../../test/support/cli';
import { forEachEngine } from '../../../test/support/engines';
import {
  signedInAgent,
  startTestServer,
  type Agent,
  type TestServer,
} from '../../../test/support/http';
import { iban, pain002 } from '../../../test/support/iso20022';
import { enrolPerson } from '../../registry';
import { systemActor } from '../../shared/access';
import { createAccounts } from '../create-accounts';
import { createTransfers } from '../create-transfers';

const system = { actor: systemActor('test') };

forEachEngine('payout routes', ({ db, url }) => {
  let t: TestServer;
  let folder: string;
  let admin: Agent;
  let registrar: Agent;
  let preparer: Agent;
  let approver: Agent;
  let personId: string;

  before(async () => {
    t = await startTestServer(db());
    folder = mkdtempSync(join(tmpdir(), 'tessera-payout-routes-'));
    t.app.payoutFolder = folder;
    admin = await signedInAgent(t, [{ role: 'admin', regions: '*' }]);
    registrar = await signedInAgent(t, [{ role: 'registrar', regions: ['VE-A'] }]);
    preparer = await signedInAgent(t, [{ role: 'finance', regions: '*' }]);
    approver = await signedInAgent(t, [{ role: 'finance', regions: '*' }]);
    personId = (await enrolPerson(t.app, system, distinctPerson('Ruta Pago'))).id;
    await createAccounts(t.app, system, {
      accounts: [
        { id: 'rt-equity', ledger: 'VES', code: 'operator_equity' },
        { id: 'rt-fund', ledger: 'VES', code: 'programme_fund' },
      ],
    });
    await createTransfers(t.app, system, {
      transfers: [
        {
          id: 'rt-funding',
          debitAccountId: 'rt-equity',
          creditAccountId: 'rt-fund',
          amount: 1_000_000n,
          ledger: 'VES',
          code: 'funding',
        },
      ],
    });
  });
  after(async () => {
    await t.server.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it('takes a batch through its life, each step by its own role', async () => {
    const provider = await admin.request({
      method: 'PUT',
      url: '/api/v1/payout-providers/banco-tres',
      payload: {
        name: 'Banco Tres',
        kind: 'bank',
        agentId: 'BTREVECA',
        adapter: 'folder',
        endpoint: 'banco-tres',
        currency: 'VES',
        debtorName: 'Fondo',
        debtorAccount: iban('VE', '01080000000000000001'),
      },
    });
    assert.equal(provider.statusCode, 200, provider.body);
    const escape = await admin.request({
      method: 'PUT',
      url: '/api/v1/payout-providers/banco-cuatro',
      payload: {
        name: 'Banco Cuatro',
        kind: 'bank',
        agentId: 'BCUAVECA',
        adapter: 'folder',
        endpoint: '../../etc',
        currency: 'VES',
        debtorName: 'Fondo',
        debtorAccount: iban('VE', '01080000000000000002'),
      },
    });
    assert.equal(escape.statusCode, 400, escape.body);
    assert.equal(escape.json().error.field, 'endpoint');
    const destination = await registrar.request({
      method: 'PUT',
      url: `/api/v1/persons/${personId}/payout-destinations`,
      purpose: 'enrolment',
      payload: {
        providerId: 'banco-tres',
        scheme: 'iban',
        account: iban('VE', '01080000000000000777'),
        holderName: 'Ruta Pago',
        identityDocument: 'national_id_card',
      },
    });
    assert.equal(destination.statusCode, 200, destination.body);
    const created = await preparer.request({
      method: 'POST',
      url: '/api/v1/payouts',
      payload: {
        id: 'rt-batch',
        origin: 'rt:2026-12',
        label: 'Pago de prueba',
        fundAccountId: 'rt-fund',
        currency: 'VES',
        executionDate: '2026-12-10',
        items: [{ personId, amount: '25000' }],
      },
    });
    assert.equal(created.statusCode, 201, created.body);
    const noPurpose = await preparer.request({
      method: 'GET',
      url: '/api/v1/payouts/rt-batch/items',
    });
    assert.equal(noPurpose.statusCode, 400);
    const page = await preparer.request({
      method: 'GET',
      url: '/api/v1/payouts/rt-batch/items',
      purpose: 'audit',
    });
    assert.equal(page.statusCode, 200, page.body);
    const byPreparer = await preparer.request({
      method: 'POST',
      url: '/api/v1/payouts/rt-batch/approve',
    });
    assert.equal(byPreparer.statusCode, 403, byPreparer.body);
    const approved = await approver.request({
      method: 'POST',
      url: '/api/v1/payouts/rt-batch/approve',
    });
    assert.equal(approved.statusCode, 200, approved.body);
    const exported = await preparer.request({
      method: 'POST',
      url: '/api/v1/payouts/rt-batch/export',
    });
    assert.equal(exported.statusCode, 200, exported.body);
    const exportId = exported.json<{ exports: { id: string }[] }>().exports[0]!.id;
    const endToEndId = page.json<{ items: { endToEndId: string }[] }>().items[0]!.endToEndId;

    const broken = await preparer.request({
      method: 'POST',
      url: '/api/v1/payouts/status-reports',
      headers: { 'content-type': 'application/xml' },
      payload: pain002('RT-1', exportId, [{ endToEndId, status: 'ACSC' }]).replace(
        '<TxSts>',
        '<TxSts><b>',
      ),
    });
    assert.equal(broken.statusCode, 400, broken.body);
    assert.equal(broken.json().error.code, 'MALFORMED_XML');
    assert.match(broken.json().error.field, /^line \d+$/);
    const report = await preparer.request({
      method: 'POST',
      url: '/api/v1/payouts/status-reports',
      headers: { 'content-type': 'application/xml' },
      payload: pain002('RT-1', exportId, [{ endToEndId, status: 'ACSC' }]),
    });
    assert.equal(report.statusCode, 200, report.body);
    assert.equal(report.json().settled, 1);
    const batch = await approver.request({ method: 'GET', url: '/api/v1/payouts/rt-batch' });
    assert.equal(batch.json().status, 'settled');
    const asRegistrar = await registrar.request({ method: 'GET', url: '/api/v1/payouts' });
    assert.equal(asRegistrar.statusCode, 403);
  });

  it('refuses approval from the server shell', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tessera-payout-cli-'));
    try {
      const tessera = tesseraRunner(url, dataDir);
      const refused = await tessera('ledger', 'payouts', 'approve', 'rt-batch');
      assert.equal(refused.code, 1, refused.stderr);
      assert.match(refused.stderr, /second person signed in/);
      const list = await tessera('ledger', 'payouts', 'list');
      assert.equal(list.code, 0, list.stderr);
      assert.match(list.stdout, /rt-batch {2}settled/);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
