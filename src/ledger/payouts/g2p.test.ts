// G2P Connect disbursement v1.0.0 end to end, on both engines: Tessera posts /disburse to a
// mobile-money provider (a small server of the test's own, on 127.0.0.1, that behaves as the
// specification says: ACK, then /on-disburse with each disbursement's status, rjct with
// rjct.reference_id.duplicate for a reference_id it has seen), the provider calls back with
// its API token, a returned payment is retried as a new reference, and a status query is
// answered through /disburse/txn/on-status. Each person is paid once and the fund is exact.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { distinctPerson, staff, withPurpose } from '../../../test/support/app';
import { forEachEngine } from '../../../test/support/engines';
import {
  signedInAgent,
  startTestServer,
  type Agent,
  type TestServer,
} from '../../../test/support/http';
import { enrolPerson } from '../../registry';
import { systemActor } from '../../shared/access';
import type { Caller } from '../../shared/context';
import { createAccounts } from '../create-accounts';
import { createTransfers } from '../create-transfers';
import { getAccount } from '../get-account';
import { approvePayoutBatch, createPayoutBatch, getPayoutBatch, listPayoutItems } from './batches';
import { setPayoutDestination } from './destinations';
import { exportPayoutBatch } from './export';
import { queryG2pStatus } from './g2p';
import { configureProvider } from './providers';
import { retryPayoutBatch } from './retry';

const system: Caller = { actor: systemActor('test') };
const tokenEnv = 'TESSERA_TEST_G2P_PROVIDER_TOKEN';

interface Disbursement {
  reference_id: string;
  amount: string;
  payee_fa: string;
}

/** A G2P Connect disbursement provider, as the specification describes its behaviour. */
class FakeProvider {
  readonly seenReferences = new Set<string>();
  readonly seenMessages = new Set<string>();
  readonly transactions = new Map<
    string,
    { reference_id: string; status: string; code?: string; amount: string }[]
  >();
  /** Reference ids this provider will reject (the payee's number is wrong). */
  readonly reject = new Set<string>();
  readonly received: { path: string; body: unknown }[] = [];
  readonly callbacks: { path: string; status: number; body: string }[] = [];
  callbackBase = '';
  token = '';
  private messages = 0;
  server: Server = createServer((req, res) => void this.handle(req, res));

  async start(): Promise<string> {
    await new Promise<void>((done) => this.server.listen(0, '127.0.0.1', done));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  private async handle(req: IncomingMessage, res: import('node:http').ServerResponse) {
    let text = '';
    for await (const chunk of req) text += String(chunk);
    const body = JSON.parse(text) as {
      header: { message_id: string; sender_id: string };
      message: {
        transaction_id: string;
        disbursements?: Disbursement[];
        txnstatus_request?: { attribute_value: string };
      };
    };
    this.received.push({ path: req.url ?? '', body });
    const ack = (status: 'ACK' | 'ERR', code?: string) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          message: {
            ack_status: status,
            timestamp: new Date().toISOString(),
            correlation_id: `corr-${this.messages}`,
            ...(code ? { error: { code, message: code } } : {}),
          },
        }),
      );
    if (req.headers.authorization !== 'Bearer provider-secret')
      return ack('ERR', 'err.request.unauthorized');
    if (this.seenMessages.has(body.header.message_id))
      return ack('ERR', 'rjct.message_id.duplicate');
    this.seenMessages.add(body.header.message_id);
    this.messages += 1;
    if (req.url === '/disburse') {
      const statuses = (body.message.disbursements ?? []).map((d) => {
        if (this.seenReferences.has(d.reference_id))
          return {
            reference_id: d.reference_id,
            status: 'rjct',
            code: 'rjct.reference_id.duplicate',
            amount: d.amount,
          };
        this.seenReferences.add(d.reference_id);
        return this.reject.has(d.reference_id)
          ? {
              reference_id: d.reference_id,
              status: 'rjct',
              code: 'rjct.payee_fa.invalid',
              amount: d.amount,
            }
          : { reference_id: d.reference_id, status: 'succ', amount: d.amount };
      });
      const tx = this.transactions.get(body.message.transaction_id) ?? [];
      tx.push(...statuses.filter((s) => s.code !== 'rjct.reference_id.duplicate'));
      this.transactions.set(body.message.transaction_id, tx);
      ack('ACK');
      await this.callback('/api/v1/g2p/on-disburse', 'on-disburse', {
        transaction_id: body.message.transaction_id,
        disbursements_status: statuses.map((s) => this.status(s)),
      });
      return;
    }
    if (req.url === '/disburse/txn/status') {
      const id = body.message.txnstatus_request!.attribute_value;
      ack('ACK');
      await this.callback('/api/v1/g2p/disburse/txn/on-status', 'on-disburse', {
        transaction_id: body.message.transaction_id,
        correlation_id: `corr-${this.messages}`,
        txnstatus_response: {
          txn_type: 'on-disburse',
          txn_status: {
            transaction_id: id,
            disbursements_status: (this.transactions.get(id) ?? []).map((s) => this.status(s)),
          },
        },
      });
      return;
    }
    res.writeHead(404).end();
  }

  private status(s: { reference_id: string; status: string; code?: string; amount: string }) {
    return {
      reference_id: s.reference_id,
      timestamp: new Date().toISOString(),
      status: s.status,
      ...(s.code ? { status_reason_code: s.code } : {}),
      amount: s.amount,
      currency_code: 'VES',
    };
  }

  private async callback(path: string, action: string, message: unknown) {
    const response = await fetch(`${this.callbackBase}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${this.token}` },
      body: JSON.stringify({
        header: {
          version: '1.0.0',
          message_id: `cb-${this.messages}`,
          message_ts: new Date().toISOString(),
          action,
          status: 'succ',
          sender_id: 'movilpago',
          receiver_id: 'tessera',
          total_count: 1,
          completed_count: 1,
        },
        message,
      }),
    });
    this.callbacks.push({ path, status: response.status, body: await response.text() });
  }
}

forEachEngine('G2P Connect payouts', ({ db }) => {
  let t: TestServer;
  let admin: Agent;
  let providerBase = '';
  const provider = new FakeProvider();
  const people: string[] = [];
  const finance = staff('finance');
  const second = staff('finance');

  before(async () => {
    t = await startTestServer(db());
    await t.server.listen({ port: 0, host: '127.0.0.1' });
    provider.callbackBase = `http://127.0.0.1:${(t.server.server.address() as AddressInfo).port}`;
    const base = await provider.start();
    providerBase = base;
    process.env[tokenEnv] = 'provider-secret';
    admin = await signedInAgent(t, [{ role: 'admin', regions: '*' }]);
    const made = await admin.request({
      method: 'POST',
      url: '/api/v1/tokens',
      payload: { name: 'Movil Pago callbacks', permissions: ['payout:callback'], regions: '*' },
    });
    assert.equal(made.statusCode, 201, made.body);
    provider.token = made.json<{ token: string }>().token;
    const app = t.app;
    await createAccounts(app, system, {
      accounts: [
        { id: 'g2p-equity', ledger: 'VES', code: 'operator_equity' },
        {
          id: 'g2p-fund',
          ledger: 'VES',
          code: 'programme_fund',
          flags: { debitsMustNotExceedCredits: true },
        },
      ],
    });
    await createTransfers(app, system, {
      transfers: [
        {
          id: 'g2p-funding',
          debitAccountId: 'g2p-equity',
          creditAccountId: 'g2p-fund',
          amount: 1_000_000n,
          ledger: 'VES',
          code: 'funding',
        },
      ],
    });
    await configureProvider(app, staff('admin'), 'movil-pago', {
      name: 'Movil Pago',
      kind: 'mobile_money',
      agentId: 'movilpago',
      adapter: 'g2p',
      endpoint: base,
      authTokenEnv: tokenEnv,
      currency: 'VES',
      debtorName: 'Fondo Bono Único',
      debtorAccount: '5800001111',
      senderId: 'tessera',
    });
    const registrar = withPurpose(staff('registrar'), 'enrolment');
    for (const [i, name] of ['Gala', 'Hilda', 'Irma', 'Julia'].entries()) {
      const p = await enrolPerson(app, system, distinctPerson(`Bono ${name}`));
      people.push(p.id);
      await setPayoutDestination(app, registrar, p.id, {
        providerId: 'movil-pago',
        scheme: 'msisdn',
        account: `+58412555000${i}`,
        holderName: `${name} Bono`,
        identityDocument: 'national_id_card',
      });
    }
  });
  after(async () => {
    await t.server.close();
    await new Promise((done) => provider.server.close(done));
    delete process.env[tokenEnv];
  });

  const items = async (batchId: string) =>
    (await listPayoutItems(t.app, withPurpose(finance, 'audit'), batchId, { limit: 200 })).items;
  // Callbacks arrive after the provider has answered: wait for them, a bounded number of times.
  const waitFor = async (what: () => Promise<boolean>) => {
    for (let i = 0; i < 200; i += 1) {
      if (await what()) return;
      await sleep(25);
    }
    assert.fail('the provider did not call back in time');
  };

  it('disburses, takes callbacks, refuses a duplicate reference_id, retries, and pays once', async () => {
    const app = t.app;
    const batch = await createPayoutBatch(app, finance, {
      id: 'bono-movil',
      origin: 'bono-movil:2026',
      label: 'Bono único',
      fundAccountId: 'g2p-fund',
      currency: 'VES',
      executionDate: '2026-12-05',
      items: people.map((personId) => ({ personId, amount: 20_000n })),
    });
    await approvePayoutBatch(app, second, batch.id);
    const ready = await items(batch.id);
    provider.reject.add(ready.find((i) => i.personId === people[2])!.endToEndId);

    const sent = await exportPayoutBatch(app, finance, batch.id);
    assert.equal(sent.exports[0]!.delivery, 'g2p 1 message');
    const disburse = provider.received.find((r) => r.path === '/disburse')!.body as {
      header: Record<string, unknown>;
      message: { transaction_id: string; disbursements: Disbursement[] };
    };
    assert.equal(disburse.header.action, 'disburse');
    assert.equal(disburse.header.sender_id, 'tessera');
    assert.equal(disburse.header.receiver_id, 'movilpago');
    assert.equal(disburse.header.total_count, 4);
    assert.equal(disburse.message.transaction_id, sent.exports[0]!.id);
    assert.equal(disburse.message.disbursements[0]!.amount, '200.00');
    assert.match(disburse.message.disbursements[0]!.payee_fa, /^mobile:58412555000\d@movilpago$/);
    await waitFor(async () => (await items(batch.id)).every((i) => i.status !== 'exported'));
    assert.deepEqual((await items(batch.id)).map((i) => i.status).sort(), [
      'failed',
      'settled',
      'settled',
      'settled',
    ]);

    // The same reference_ids again under a new message: the provider rejects each as a
    // duplicate, as the specification says, and Tessera changes nothing for it.
    const before = await getAccount(app, system, 'g2p-fund');
    const again = await fetch(`${providerBase}/disburse`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer provider-secret' },
      body: JSON.stringify({ ...disburse, header: { ...disburse.header, message_id: 'resend-1' } }),
    });
    assert.equal((await again.json()).message.ack_status, 'ACK');
    await waitFor(async () => provider.callbacks.length >= 2);
    const duplicate = JSON.parse(provider.callbacks[1]!.body) as {
      message: { ack_status: string };
      report: { pending: number; settled: number; failed: number };
    };
    assert.equal(duplicate.message.ack_status, 'ACK');
    assert.deepEqual(
      [duplicate.report.pending, duplicate.report.settled, duplicate.report.failed],
      [4, 0, 0],
    );
    assert.deepEqual(await getAccount(app, system, 'g2p-fund'), before);

    // Resending an export whose acknowledgement was lost: the provider knows the message.
    await app.db.kysely
      .updateTable('payout_exports')
      .set({ status: 'reserved' })
      .where('id', '=', sent.exports[0]!.id)
      .execute();
    const resent = await exportPayoutBatch(app, finance, batch.id);
    assert.equal(resent.reserved, 0);
    assert.equal(resent.exports[0]!.id, sent.exports[0]!.id);

    const retried = await retryPayoutBatch(app, finance, batch.id);
    assert.equal(retried.retried, 1);
    await waitFor(async () => (await getPayoutBatch(app, finance, batch.id)).status === 'settled');
    const fund = await getAccount(app, system, 'g2p-fund');
    assert.equal(fund.debitsPosted, 4n * 20_000n);
    assert.equal(fund.debitsPending, 0n);
    assert.equal(fund.creditsPosted - fund.debitsPosted, 1_000_000n - 80_000n);
    const clearing = await getAccount(app, system, 'clearing-movil-pago');
    assert.equal(clearing.creditsPosted, 80_000n);

    // The retry's own /on-disburse may still be on its way back to the provider when the
    // batch reads as settled, so the status answers are told apart by their path.
    const statusAnswers = () => provider.callbacks.filter((c) => c.path.endsWith('/on-status'));
    assert.equal(statusAnswers().length, 0);
    const query = await queryG2pStatus(app, finance, batch.id);
    assert.deepEqual(
      query.asked.map((a) => a.ack),
      ['ACK', 'ACK'],
    );
    await waitFor(async () => statusAnswers().length >= 2);
    for (const c of statusAnswers()) {
      assert.equal(c.status, 200, c.body);
      const report = (JSON.parse(c.body) as { report: { settled: number; failed: number } }).report;
      assert.deepEqual([report.settled, report.failed], [0, 0], 'a status answer changes nothing');
    }
    assert.deepEqual(await getAccount(app, system, 'clearing-movil-pago'), clearing);
    assert.ok(provider.callbacks.every((c) => c.status === 200));
  });

  it('takes callbacks only from a provider API token', async () => {
    const bySession = await admin.request({
      method: 'POST',
      url: '/api/v1/g2p/on-disburse',
      payload: { header: {}, message: {} },
    });
    assert.equal(bySession.statusCode, 403, bySession.body);
    const forged = await fetch(`${provider.callbackBase}/api/v1/g2p/on-disburse`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${provider.token}` },
      body: JSON.stringify({
        header: {
          message_id: 'forged-1',
          message_ts: new Date().toISOString(),
          action: 'on-disburse',
          status: 'succ',
          sender_id: 'someone-else',
        },
        message: { transaction_id: 'x', disbursements_status: [] },
      }),
    });
    assert.equal(forged.status, 403);
    const malformed = await fetch(`${provider.callbackBase}/api/v1/g2p/on-disburse`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${provider.token}` },
      body: JSON.stringify({ header: { message_id: 'm' } }),
    });
    assert.equal(malformed.status, 400);
    assert.match((await malformed.json()).error.field, /^header\./);
  });
});
