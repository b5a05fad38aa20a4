// Reading many accounts at once, on both engines: in the order asked, refused as a whole
// (naming the place) when one is missing or out of region, and bad input refused naming where.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { staff, testApp } from '../../test/support/app';
import { forEachEngine } from '../../test/support/engines';
import { refused } from '../../test/support/refusals';
import {
  signedInAgent,
  startTestServer,
  type Agent,
  type TestServer,
} from '../../test/support/http';
import { createAccounts } from './create-accounts';
import { createTransfers } from './create-transfers';
import { accountLookupMax } from './limits';
import { lookupAccounts } from './lookup-accounts';

forEachEngine('ledger account lookup', ({ db }) => {
  let t: TestServer;
  let auditor: Agent;
  let caracas: Agent;
  before(async () => {
    t = await startTestServer(db());
    auditor = await signedInAgent(t, [{ role: 'auditor', regions: '*' }]);
    caracas = await signedInAgent(t, [{ role: 'auditor', regions: ['VE-A'] }]);
    const admin = staff('programme_admin');
    await createAccounts(t.app, admin, {
      accounts: [
        { id: 'lk-equity', ledger: 'VES', code: 'operator_equity' },
        { id: 'lk-fund', ledger: 'VES', code: 'programme_fund' },
        { id: 'lk-point-a', ledger: 'VES', code: 'merchant', regionCode: 'VE-A' },
        { id: 'lk-point-m', ledger: 'VES', code: 'merchant', regionCode: 'VE-M' },
      ],
    });
    await createTransfers(t.app, admin, {
      transfers: [
        {
          id: 'lk-t1',
          debitAccountId: 'lk-equity',
          creditAccountId: 'lk-fund',
          amount: 9_223_372_036_854_775_000n,
          ledger: 'VES',
          code: 'funding',
        },
      ],
    });
  });
  after(async () => {
    await t.server.close();
  });

  const lookup = (agent: Agent, payload: Record<string, unknown>) =>
    agent.request({ method: 'POST', url: '/api/v1/ledger/accounts/lookup', payload });

  it('answers every account asked for, in that order, amounts as strings', async () => {
    const response = await lookup(auditor, { ids: ['lk-fund', 'lk-equity', 'lk-fund'] });
    assert.equal(response.statusCode, 200, response.body);
    const items = response.json().items as { id: string; creditsPosted: string }[];
    assert.deepEqual(
      items.map((a) => a.id),
      ['lk-fund', 'lk-equity', 'lk-fund'],
    );
    assert.equal(items[0]!.creditsPosted, '9223372036854775000');
  });

  it('refuses the whole lookup when one account is missing or outside the regions', async () => {
    const missing = await lookup(auditor, { ids: ['lk-fund', 'lk-nothing'] });
    assert.equal(missing.statusCode, 404, missing.body);
    assert.equal(missing.json().error.field, 'ids.1');
    assert.ok(!missing.body.includes('lk-fund'), 'nothing of the found account leaks');
    const own = await lookup(caracas, { ids: ['lk-point-a'] });
    assert.equal(own.statusCode, 200, own.body);
    const elsewhere = await lookup(caracas, { ids: ['lk-point-a', 'lk-point-m'] });
    assert.equal(elsewhere.statusCode, 404, elsewhere.body);
    assert.equal(elsewhere.json().error.field, 'ids.1');
    await refused(
      lookupAccounts(testApp(db()), staff('auditor', ['VE-A']), { ids: ['lk-fund'] }),
      'NOT_FOUND',
      { field: 'ids.0' },
    );
    await refused(
      lookupAccounts(testApp(db()), staff('registrar'), { ids: ['lk-fund'] }),
      'FORBIDDEN',
    );
  });

  it('refuses malformed JSON, wrong types and too many ids, naming where', async () => {
    const malformed = await auditor.request({
      method: 'POST',
      url: '/api/v1/ledger/accounts/lookup',
      payload: '{"ids": ["lk-fund",',
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(malformed.statusCode, 400, malformed.body);
    assert.equal(malformed.json().error.code, 'MALFORMED_JSON');
    const cases: [Record<string, unknown>, string][] = [
      [{ ids: 'lk-fund' }, 'ids'],
      [{ ids: [] }, 'ids'],
      [{ ids: [7] }, 'ids.0'],
      [{ ids: ['lk-fund', 'x'.repeat(65)] }, 'ids.1'],
      [{ ids: Array.from({ length: accountLookupMax + 1 }, (_, i) => `a${i}`) }, 'ids'],
    ];
    for (const [payload, field] of cases) {
      const response = await lookup(auditor, payload);
      assert.equal(response.statusCode, 400, response.body);
      assert.equal(response.json().error.field, field, response.body);
    }
    const extra = await lookup(auditor, { ids: ['lk-fund'], all: true });
    assert.equal(extra.statusCode, 400, extra.body);
  });
});
