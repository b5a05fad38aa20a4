// Co-payments on both engines: reserved only with the right PIN (wrong tries still count
// toward the lock, though the payment is refused), once per id however often it is retried,
// never beyond what the wallet holds; posted when the goods are handed over, voided otherwise,
// and a reservation nobody settles expires and frees the money.
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { forEachEngine } from '../../test/support/engines';
import { refused } from '../../test/support/refusals';
import { distinctPerson, staff, testApp, withPurpose } from '../../test/support/app';
import { enrolPerson } from '../registry';
import { systemActor } from '../shared/access';
import type { Caller } from '../shared/context';
import { coPaymentHoldSeconds, reserveCoPayment, settleCoPayment } from './co-payments';
import { createAccounts } from './create-accounts';
import { createTransfers } from './create-transfers';
import { getAccount } from './get-account';
import { ledgerTotals } from './ledger-totals';
import { setWalletPin } from './wallet-pins';
import { walletAccountId } from './wallets';

const system: Caller = { actor: systemActor('test') };

forEachEngine('co-payments', ({ db }) => {
  let app: ReturnType<typeof testApp>;
  let personId: string;
  const operator = staff('operator', ['VE-A']);
  const balances = async () => {
    const w = await getAccount(app, system, walletAccountId(personId));
    const m = await getAccount(app, system, 'cp-shop');
    return {
      walletDebits: w.debitsPosted,
      reserved: w.debitsPending,
      shopCredits: m.creditsPosted,
    };
  };

  before(async () => {
    app = testApp(db());
    personId = (await enrolPerson(app, system, distinctPerson('Copago Uno'))).id;
    await setWalletPin(app, withPurpose(staff('registrar', ['VE-A']), 'enrolment'), personId, {
      pin: '2719',
      identityDocument: 'national_id_card',
      reason: 'Entrega del monedero',
    });
    await createAccounts(app, system, {
      accounts: [
        { id: 'cp-fund', ledger: 'VES', code: 'programme_fund' },
        { id: 'cp-shop', ledger: 'VES', code: 'merchant', regionCode: 'VE-A' },
        {
          id: walletAccountId(personId),
          ledger: 'VES',
          code: 'wallet',
          flags: { debitsMustNotExceedCredits: true, history: true },
          regionCode: 'VE-A',
        },
      ],
    });
    await createTransfers(app, system, {
      transfers: [
        {
          id: 'cp-benefit',
          debitAccountId: 'cp-fund',
          creditAccountId: walletAccountId(personId),
          amount: 10_00n,
          ledger: 'VES',
          code: 'benefit',
        },
      ],
    });
  });

  const hold = (id: string, amount: bigint, pin = '2719', caller: Caller = operator) =>
    reserveCoPayment(app, caller, {
      id,
      personId,
      merchantAccountId: 'cp-shop',
      amount,
      currency: 'VES',
      pin,
    });

  it('reserves with the right PIN, once per id, and posts when the goods are handed over', async () => {
    await refused(hold('cp-1', 3_00n, '1111'), 'FORBIDDEN', /2 tries left/);
    await refused(hold('cp-1', 3_00n, '2719', staff('operator', ['VE-Z'])), 'NOT_FOUND');
    const first = await hold('cp-1', 3_00n);
    assert.deepEqual(first, { id: 'cp-1', amount: '300', status: 'reserved', repeated: false });
    const again = await hold('cp-1', 3_00n);
    assert.equal(again.repeated, true, 'a retry reserves nothing more');
    assert.deepEqual(await balances(), { walletDebits: 0n, reserved: 3_00n, shopCredits: 0n });
    await refused(hold('cp-1', 4_00n), 'CONFLICT');
    const posted = await settleCoPayment(app, operator, 'cp-1', 'post');
    assert.equal(posted.status, 'posted');
    assert.equal((await settleCoPayment(app, operator, 'cp-1', 'post')).repeated, true);
    await refused(settleCoPayment(app, operator, 'cp-1', 'void'), 'INVALID_STATE', /posted/);
    assert.deepEqual(await balances(), { walletDebits: 3_00n, reserved: 0n, shopCredits: 3_00n });
  });

  it('never reserves beyond the wallet, voids what was not handed over, and expires the forgotten', async () => {
    await refused(hold('cp-2', 8_00n), 'INVALID_STATE', /enough/);
    await hold('cp-3', 2_00n);
    assert.equal((await settleCoPayment(app, operator, 'cp-3', 'void')).status, 'voided');
    await hold('cp-4', 7_00n);
    assert.equal((await balances()).reserved, 7_00n);
    app.advance((coPaymentHoldSeconds + 1) * 1000);
    await refused(settleCoPayment(app, operator, 'cp-4', 'post'), 'INVALID_STATE');
    assert.deepEqual(await balances(), { walletDebits: 3_00n, reserved: 0n, shopCredits: 3_00n });
    for (const t of await ledgerTotals(app.db.kysely)) assert.ok(t.isBalanced);
  });

  it('counts wrong PINs toward the lock even though each payment is refused', async () => {
    await refused(hold('cp-5', 1_00n, '0001'), 'FORBIDDEN', /2 tries left/);
    await refused(hold('cp-5', 1_00n, '0002'), 'FORBIDDEN', /1 try left/);
    await refused(hold('cp-5', 1_00n, '0003'), 'ACCOUNT_LOCKED');
    await refused(hold('cp-5', 1_00n), 'ACCOUNT_LOCKED', /locked/);
    const none = await app.db.kysely
      .selectFrom('ledger_transfers')
      .select('id')
      .where('id', '=', 'cp-5')
      .execute();
    assert.equal(none.length, 0);
  });
});
