// Wallets on both engines: the PIN is set only at a registration office with a purpose, an
// easy one is refused, three wrong tries lock it for a quarter of an hour, and the hash is
// useless without the deployment's key; the statement shows what can be spent and what is
// reserved, and reading it is audited.
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { forEachEngine } from '../../test/support/engines';
import { refused } from '../../test/support/refusals';
import { distinctPerson, staff, testApp, withPurpose } from '../../test/support/app';
import { enrolPerson } from '../registry';
import { systemActor } from '../shared/access';
import type { AppContext, Caller } from '../shared/context';
import { createAccounts } from './create-accounts';
import { createTransfers } from './create-transfers';
import { checkWalletPin, pinLockMs, setWalletPin, weakPin } from './wallet-pins';
import { walletAccountId, walletStatement } from './wallets';

const system: Caller = { actor: systemActor('test') };

it('calls repeated digits, runs and the birth year too easy', () => {
  assert.equal(weakPin('1111', '1980-01-01'), 'repeated');
  assert.equal(weakPin('3456', '1980-01-01'), 'run');
  assert.equal(weakPin('9876', '1980-01-01'), 'run');
  assert.equal(weakPin('1980', '1980-05-02'), 'birth_year');
  assert.equal(weakPin('2719', '1980-05-02'), null);
});

forEachEngine('wallets', ({ db }) => {
  let app: ReturnType<typeof testApp>;
  let personId: string;
  const registrar = withPurpose(staff('registrar', ['VE-A']), 'enrolment');
  const check = (a: AppContext, pin: string) => checkWalletPin(a, personId, pin);

  before(async () => {
    app = testApp(db());
    personId = (await enrolPerson(app, system, distinctPerson('Monedero Uno'))).id;
  });

  it('sets a PIN only with a purpose, in region, and never an easy one', async () => {
    const input = {
      pin: '2719',
      identityDocument: 'national_id_card' as const,
      reason: 'Primera entrega del monedero',
    };
    await refused(
      setWalletPin(app, staff('registrar', ['VE-A']), personId, input),
      'PURPOSE_REQUIRED',
    );
    await refused(
      setWalletPin(app, withPurpose(staff('registrar', ['VE-Z']), 'enrolment'), personId, input),
      'NOT_FOUND',
    );
    await refused(
      setWalletPin(app, registrar, personId, { ...input, pin: '0000' }),
      'VALIDATION_FAILED',
      { field: 'pin' },
    );
    await setWalletPin(app, registrar, personId, input);
    const row = await app.db.kysely
      .selectFrom('wallet_pins')
      .selectAll()
      .where('person_id', '=', personId)
      .executeTakeFirstOrThrow();
    assert.ok(!row.pin_hash.includes('2719'));
    assert.match(row.pin_hash, /^scrypt\$/);
    const audit = await app.db.kysely
      .selectFrom('audit_log')
      .select(['purpose', 'details'])
      .where('operation', '=', 'wallet.pin_set')
      .execute();
    assert.equal(audit.length, 1);
    assert.match(audit[0]!.details, /national_id_card/);
    assert.ok(!audit[0]!.details.includes('2719'), 'the PIN is never in the audit log');
  });

  it('locks after three wrong tries for a quarter of an hour; a reset clears it', async () => {
    assert.deepEqual(await check(app, '2719'), { ok: true });
    assert.deepEqual(await check(app, '1111'), { ok: false, reason: 'wrong', triesLeft: 2 });
    assert.deepEqual(await check(app, 'abcd'), { ok: false, reason: 'wrong', triesLeft: 1 });
    const third = await check(app, '2718');
    assert.equal(third.ok, false);
    assert.equal(!third.ok && third.reason, 'locked');
    assert.equal((await check(app, '2719')).ok, false, 'the right PIN is refused while locked');
    app.advance(pinLockMs + 1000);
    assert.deepEqual(await check(app, '2719'), { ok: true });
    // Locked again, then reset at the office.
    for (let i = 0; i < 3; i += 1) await check(app, '5555');
    assert.equal((await check(app, '2719')).ok, false);
    await setWalletPin(app, registrar, personId, {
      pin: '8402',
      identityDocument: 'passport',
      reason: 'Olvidó el PIN',
    });
    assert.deepEqual(await check(app, '8402'), { ok: true });
    assert.deepEqual(await check(app, '2719'), { ok: false, reason: 'wrong', triesLeft: 2 });
    await check(app, '8402');
  });

  it('counts wrong tries made at the same moment, each of them', async () => {
    await Promise.all([check(app, '0001'), check(app, '0002'), check(app, '0003')]);
    const after = await check(app, '8402');
    assert.equal(after.ok, false);
    assert.equal(!after.ok && after.reason, 'locked');
    app.advance(pinLockMs + 1000);
    assert.deepEqual(await check(app, '8402'), { ok: true });
  });

  it('is useless without the deployment’s key', async () => {
    const other = testApp(db());
    assert.deepEqual(await check(other, '8402'), { ok: false, reason: 'wrong', triesLeft: 2 });
    assert.deepEqual(await check(app, '8402'), { ok: true });
  });

  it('shows what can be spent and what is reserved, and audits the read', async () => {
    const reader = withPurpose(staff('registrar', ['VE-A']), 'service_delivery');
    await refused(walletStatement(app, staff('registrar', ['VE-A']), personId), 'PURPOSE_REQUIRED');
    assert.equal((await walletStatement(app, reader, personId)).open, false);
    const wallet = walletAccountId(personId);
    await createAccounts(app, system, {
      accounts: [
        { id: 'w-fund', ledger: 'VES', code: 'programme_fund' },
        { id: 'w-shop', ledger: 'VES', code: 'merchant' },
        {
          id: wallet,
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
          id: 'w-pay',
          debitAccountId: 'w-fund',
          creditAccountId: wallet,
          amount: 130_00n,
          ledger: 'VES',
          code: 'benefit',
        },
      ],
    });
    app.advance(60_000);
    await createTransfers(app, system, {
      transfers: [
        {
          id: 'w-hold',
          debitAccountId: wallet,
          creditAccountId: 'w-shop',
          amount: 5_00n,
          ledger: 'VES',
          code: 'co_payment',
          flags: { pending: true },
        },
      ],
    });
    const statement = await walletStatement(app, reader, personId);
    assert.equal(statement.open, true);
    assert.equal(statement.available, '12500');
    assert.equal(statement.reserved, '500');
    assert.deepEqual(
      statement.lines.map((l) => [l.id, l.direction, l.pending]),
      [
        ['w-hold', 'out', true],
        ['w-pay', 'in', false],
      ],
    );
    const reads = await app.db.kysely
      .selectFrom('audit_log')
      .select(['purpose', 'subject_ids'])
      .where('operation', '=', 'wallet.read')
      .execute();
    assert.equal(reads.length, 2);
    assert.deepEqual(
      reads.map((r) => r.purpose),
      ['service_delivery', 'service_delivery'],
    );
  });
});
