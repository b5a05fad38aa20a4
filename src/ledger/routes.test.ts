// The ledger over HTTP, on both engines: amounts travel as decimal strings of minor units,
// bad ones are refused naming the field, and batches answer per item.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { forEachEngine } from '../../test/support/engines';
import {
  signedInAgent,
  startTestServer,
  type Agent,
  type TestServer,
} from '../../test/support/http';

forEachEngine('ledger routes', ({ db }) => {
  let t: TestServer;
  let admin: Agent;
  let auditor: Agent;
  before(async () => {
    t = await startTestServer(db());
    admin = await signedInAgent(t, [{ role: 'programme_admin', regions: '*' }]);
    auditor = await signedInAgent(t, [{ role: 'auditor', regions: '*' }]);
  });
  after(async () => {
    await t.server.close();
  });

  const transfer = (amount: unknown) => ({
    transfers: [
      {
        id: 'h-t1',
        debitAccountId: 'h-equity',
        creditAccountId: 'h-wallet',
        amount,
        ledger: 'VES',
        code: 'funding',
      },
    ],
  });

  it('opens accounts, moves money, and reads it back as strings', async () => {
    const opened = await admin.request({
      method: 'POST',
      url: '/api/v1/ledger/accounts',
      payload: {
        accounts: [
          { id: 'h-equity', ledger: 'VES', code: 'operator_equity' },
          {
            id: 'h-wallet',
            ledger: 'VES',
            code: 'wallet',
            flags: { debitsMustNotExceedCredits: true },
          },
        ],
      },
    });
    assert.equal(opened.statusCode, 200, opened.body);
    assert.deepEqual(
      opened.json().results.map((r: { result: string }) => r.result),
      ['created', 'created'],
    );
    const moved = await admin.request({
      method: 'POST',
      url: '/api/v1/ledger/transfers',
      payload: transfer('9223372036854775000'),
    });
    assert.equal(moved.statusCode, 200, moved.body);
    assert.equal(moved.json().results[0].result, 'created');
    const again = await admin.request({
      method: 'POST',
      url: '/api/v1/ledger/transfers',
      payload: transfer('9223372036854775000'),
    });
    assert.equal(again.json().results[0].result, 'exists');
    const account = await auditor.request({
      method: 'GET',
      url: '/api/v1/ledger/accounts/h-wallet',
    });
    assert.equal(account.statusCode, 200, account.body);
    assert.equal(account.json().creditsPosted, '9223372036854775000');
    const page = await auditor.request({
      method: 'GET',
      url: '/api/v1/ledger/accounts/h-wallet/transfers?limit=5',
    });
    assert.deepEqual(
      page.json().items.map((x: { amount: string }) => x.amount),
      ['9223372036854775000'],
    );
    const written = await auditor.request({
      method: 'POST',
      url: '/api/v1/ledger/transfers',
      payload: transfer('1'),
    });
    assert.equal(written.statusCode, 403);
  });

  it('refuses numbers, decimals, signs and amounts past 2^63 − 1, naming the field', async () => {
    for (const amount of [
      1250,
      '12.50',
      '-5',
      '+5',
      '1e3',
      '',
      '0012',
      '9223372036854775808',
      null,
    ]) {
      const response = await admin.request({
        method: 'POST',
        url: '/api/v1/ledger/transfers',
        payload: transfer(amount),
      });
      assert.equal(response.statusCode, 400, `${JSON.stringify(amount)}: ${response.body}`);
      assert.equal(response.json().error.field, 'transfers.0.amount', response.body);
    }
    const tooMany = await admin.request({
      method: 'POST',
      url: '/api/v1/ledger/transfers',
      payload: { transfers: Array.from({ length: 8191 }, (_, i) => ({ id: `${i}` })) },
    });
    assert.ok([400, 413].includes(tooMany.statusCode), tooMany.body);
  });
});
