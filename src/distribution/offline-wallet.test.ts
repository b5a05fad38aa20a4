// Offline wallet co-payments on both engines: the pack tells the device how much it may still
// take from wallets today; a wallet co-payment recorded offline is posted from the wallet on
// sync while the device stays within its daily limit and the wallet holds the money; past the
// limit, or with too little in the wallet, the entry becomes a conflict and no money moves.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { distinctPerson } from '../../test/support/app';
import { forEachEngine } from '../../test/support/engines';
import { signedInAgent, startTestServer, type TestServer } from '../../test/support/http';
import {
  createAccounts,
  createTransfers,
  getAccount,
  ledgerTotals,
  walletAccountId,
} from '../ledger';
import { systemActor } from '../shared/access';
import type { Caller } from '../shared/context';
import type { PackLease } from './packs';
import { chainStart, entryHash, type OfflineEntry } from './sync';
import {
  counterFixture,
  enrolDeviceFor,
  operatorGrants,
  signEntry,
  type CounterFixture,
  type EnrolledDevice,
} from './test-support';

const system: Caller = { actor: systemActor('test') };

forEachEngine('offline wallet co-payments', ({ db }) => {
  let t: TestServer;
  let f: CounterFixture;
  let d: EnrolledDevice;
  let leases: PackLease[] = [];
  let walletLimit: { day: string; perDay: string; used: string; remaining: string };
  let counter = 0;
  let head = chainStart;

  const pack = async () => {
    const r = await t.server.inject({
      method: 'GET',
      url: '/api/v1/device/pack',
      headers: { authorization: `Bearer ${d.token}` },
    });
    assert.equal(r.statusCode, 200, r.body);
    const got = r.json<{ pack: { leases: PackLease[]; walletLimit: typeof walletLimit } }>();
    leases = got.pack.leases;
    walletLimit = got.pack.walletLimit;
  };
  const entry = (entitlementId: string, quantity: number, amount: string) => {
    const e: OfflineEntry = {
      v: 1,
      deviceId: d.deviceId,
      counter: ++counter,
      prev: head,
      entitlementId,
      leaseId: leases.find((l) => l.entitlementId === entitlementId)!.leaseId,
      quantity,
      proof: { kind: 'card', serial: '1001', kid: 'kid-1' },
      coPayment: { method: 'wallet', amount },
      redeemedAt: t.app.now().toISOString(),
    };
    const signature = signEntry(d.privateKey, e);
    head = entryHash(e, signature);
    return { entry: e, signature };
  };
  const sync = async (entries: unknown[]) => {
    const r = await t.server.inject({
      method: 'POST',
      url: '/api/v1/device/sync',
      payload: { entries },
      headers: { authorization: `Bearer ${d.token}` },
    });
    assert.equal(r.statusCode, 200, r.body);
    return r.json<{ redeemed: unknown[]; conflicts: { reason: string }[] }>();
  };
  const wallet = async (i: number) =>
    getAccount(t.app, system, walletAccountId(f.people[i]!.id)).then(
      (a) => a.creditsPosted - a.debitsPosted,
    );

  before(async () => {
    t = await startTestServer(db());
    t.app.config.offlineWalletLimitPerDay = 2000n;
    const people = Array.from({ length: 4 }, (_, i) => ({
      ...distinctPerson(`Monedero ${'ABCD'[i]}`),
      regionCode: 'VE-A',
    }));
    f = await counterFixture(t.app, people, '2026-11-29');
    await createAccounts(t.app, system, {
      accounts: [
        { id: 'ow-equity', ledger: 'VES', code: 'operator_equity' },
        { id: 'ow-merchant', ledger: 'VES', code: 'merchant', regionCode: 'VE-A' },
        ...f.people.map((p) => ({
          id: walletAccountId(p.id),
          ledger: 'VES',
          code: 'wallet' as const,
          flags: { debitsMustNotExceedCredits: true },
          regionCode: 'VE-A',
        })),
      ],
    });
    // Wallets of 0, 1 and 2 hold 5,000; wallet 3 holds 100.
    await createTransfers(t.app, system, {
      transfers: f.people.map((p, i) => ({
        id: `ow-fund-${i}`,
        debitAccountId: 'ow-equity',
        creditAccountId: walletAccountId(p.id),
        amount: i === 3 ? 100n : 5000n,
        ledger: 'VES',
        code: 'benefit',
      })),
    });
    await t.app.db.kysely
      .updateTable('points')
      .set({ merchant_account_id: 'ow-merchant' })
      .where('id', '=', f.pointId)
      .execute();
    const operator = await signedInAgent(t, operatorGrants);
    d = await enrolDeviceFor(t.app, operator, f.pointId);
  });
  after(async () => {
    await t.server.close();
  });

  it('tells the device its remaining limit, posts within it, and makes conflicts past it', async () => {
    await pack();
    assert.deepEqual(
      { perDay: walletLimit.perDay, used: walletLimit.used, remaining: walletLimit.remaining },
      { perDay: '2000', used: '0', remaining: '2000' },
    );
    // Fuel costs 50 a litre: 20 l is 1,000 — twice fits the limit of 2,000, the third does not.
    const first = await sync([entry(f.fuel(0), 20, '1000'), entry(f.fuel(1), 20, '1000')]);
    assert.equal(first.redeemed.length, 2);
    assert.equal(await wallet(0), 4000n);
    assert.equal(await wallet(1), 4000n);
    assert.equal((await getAccount(t.app, system, 'ow-merchant')).creditsPosted, 2000n);
    await pack();
    assert.equal(walletLimit.remaining, '0');
    const over = await sync([entry(f.fuel(2), 1, '50')]);
    assert.deepEqual(
      over.conflicts.map((c) => c.reason),
      ['over_wallet_limit'],
    );
    assert.equal(await wallet(2), 5000n, 'no money moved past the limit');
    const rows = await t.app.db.kysely
      .selectFrom('redemptions')
      .select(['co_payment_method', 'co_payment_id'])
      .where('device_id', '=', d.deviceId)
      .execute();
    assert.equal(rows.length, 2);
    for (const r of rows) assert.equal(r.co_payment_method, 'wallet');
    for (const total of await ledgerTotals(t.app.db.kysely)) assert.ok(total.isBalanced);
  });

  it('makes a conflict when the wallet does not hold the co-payment, the next day too', async () => {
    t.app.advance(24 * 3600_000);
    await pack();
    assert.equal(walletLimit.remaining, '2000', 'a new local day, a new limit');
    const poor = await sync([entry(f.fuel(3), 4, '200')]);
    assert.deepEqual(
      poor.conflicts.map((c) => c.reason),
      ['wallet_insufficient'],
    );
    assert.equal(await wallet(3), 100n);
    const fits = await sync([entry(f.fuel(3), 2, '100')]);
    assert.equal(fits.redeemed.length, 1);
    assert.equal(await wallet(3), 0n);
  });

  it('refuses offline wallet payments when no limit is set (the default)', async () => {
    delete t.app.config.offlineWalletLimitPerDay;
    await pack();
    assert.equal(walletLimit.perDay, '0');
    const off = await sync([entry(f.fuel(2), 1, '50')]);
    assert.deepEqual(
      off.conflicts.map((c) => c.reason),
      ['wallet_offline_off'],
    );
    t.app.config.offlineWalletLimitPerDay = 2000n;
  });

  it('refuses a malformed wallet co-payment in an upload, naming where, writing nothing', async () => {
    const good = entry(f.fuel(2), 1, '50');
    counter -= 1;
    const r = await t.server.inject({
      method: 'POST',
      url: '/api/v1/device/sync',
      payload: {
        entries: [
          { ...good, entry: { ...good.entry, coPayment: { method: 'wallet', amount: 50 } } },
        ],
      },
      headers: { authorization: `Bearer ${d.token}` },
    });
    assert.equal(r.statusCode, 400, r.body);
    assert.match(r.body, /entries\.0\.entry\.coPayment\.amount/);
  });
});
