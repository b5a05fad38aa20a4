// Settlement, disputes and reconciliation over HTTP, on both engines: malformed JSON, wrong
// types, unknown fields and oversized text are refused naming where, and write nothing; the
// accounts list never lists a wallet.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { forEachEngine } from '../../test/support/engines';
import {
  signedInAgent,
  startTestServer,
  type Agent,
  type TestServer,
} from '../../test/support/http';
import { systemActor } from '../shared/access';
import { createAccounts } from './create-accounts';

forEachEngine('settlement routes', ({ db }) => {
  let t: TestServer;
  let finance: Agent;
  before(async () => {
    t = await startTestServer(db());
    finance = await signedInAgent(t, [{ role: 'finance', regions: '*' }]);
    await createAccounts(
      t.app,
      { actor: systemActor('test') },
      {
        accounts: [
          { id: 'sr-fund', ledger: 'VES', code: 'programme_fund' },
          { id: 'wallet-sr-person', ledger: 'VES', code: 'wallet', regionCode: 'VE-A' },
        ],
      },
    );
  });
  after(async () => {
    await t.server.close();
  });

  const written = async () =>
    Number(
      (
        await t.app.db.kysely
          .selectFrom('settlements')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    ) +
    Number(
      (
        await t.app.db.kysely
          .selectFrom('settlement_disputes')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('refuses malformed, mistyped, unknown and oversized input, naming where', async () => {
    const malformed = await finance.request({
      method: 'POST',
      url: '/api/v1/settlements',
      payload: '{"pointId": "p", "day": ',
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(malformed.statusCode, 400, malformed.body);
    assert.match(malformed.json().error.code, /MALFORMED_JSON|VALIDATION_FAILED/);
    const cases: [string, unknown, string][] = [
      ['/api/v1/settlements', { pointId: 'p', day: 20261201 }, 'day'],
      ['/api/v1/settlements', { pointId: 'p', day: '2026-12-01', programme: 'x' }, 'programme'],
      [
        '/api/v1/disputes',
        {
          settlementId: 's',
          programmeId: 'p',
          direction: 'underpaid',
          claimed: '100',
          reason: 'x'.repeat(5000),
        },
        'reason',
      ],
      [
        '/api/v1/disputes',
        {
          settlementId: 's',
          programmeId: 'p',
          direction: 'sideways',
          claimed: '1',
          reason: 'abcde',
        },
        'direction',
      ],
      ['/api/v1/payouts/reconciliation', { origin: 'cycle:a', batchId: 'b-1' }, 'origin'],
    ];
    for (const [url, payload, field] of cases) {
      const r = await finance.request({
        method: 'POST',
        url,
        payload: payload as Record<string, unknown>,
      });
      assert.equal(r.statusCode, 400, `${url}: ${r.body}`);
      assert.equal(r.json().error.field, field, r.body);
    }
    assert.equal(await written(), 0, 'nothing was written');
  });

  it('lists accounts with balances as strings, and never a wallet', async () => {
    const r = await finance.request({ method: 'GET', url: '/api/v1/ledger/accounts' });
    assert.equal(r.statusCode, 200, r.body);
    const ids = r.json().items.map((a: { id: string }) => a.id);
    assert.ok(ids.includes('sr-fund'));
    assert.ok(!ids.some((id: string) => id.startsWith('wallet-')), JSON.stringify(ids));
    assert.equal(typeof r.json().items[0].creditsPosted, 'string');
    const bad = await finance.request({
      method: 'GET',
      url: '/api/v1/ledger/accounts?code=wallet',
    });
    assert.equal(bad.statusCode, 400, bad.body);
    assert.equal(bad.json().error.field, 'query.code');
  });
});
