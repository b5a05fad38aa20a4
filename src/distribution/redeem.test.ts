// Handing over online, on both engines, tried the ways it could go wrong: many clients racing
// on one entitlement over real HTTP (exactly one delivery), retries with the same
// Idempotency-Key (one delivery, the same answer; another body → 422), partial quotas, each
// proof kind (card, one-time code, attested document, nominee) and what each refuses, the
// receipt owed, and bad input that leaves nothing behind.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { forEachEngine } from '../../test/support/engines';
import { distinctPerson } from '../../test/support/app';
import {
  signedInAgent,
  startTestServer,
  type Agent,
  type TestServer,
} from '../../test/support/http';
import { queuedNotices } from '../notices';
import { systemActor } from '../shared/access';
import {
  createAccounts,
  createTransfers,
  getAccount,
  setWalletPin,
  walletAccountId,
} from '../ledger';
import { staff, withPurpose } from '../../test/support/app';
import {
  cardFor,
  counterFixture,
  enrolDeviceFor,
  operatorGrants,
  type CounterFixture,
  type EnrolledDevice,
} from './test-support';

forEachEngine('redemption online', ({ db }) => {
  let t: TestServer;
  let f: CounterFixture;
  let operator: Agent;
  let device: EnrolledDevice;
  let base = '';
  const today = '2026-11-29';
  let keyCounter = 0;
  const newKey = () => `key-${process.pid}-${++keyCounter}`;

  const post = (
    url: string,
    payload: unknown,
    headers: Record<string, string> = {},
    token = device.token,
  ) =>
    t.server.inject({
      method: 'POST',
      url,
      payload: payload as Record<string, unknown>,
      headers: { authorization: `Bearer ${token}`, 'x-purpose': 'service_delivery', ...headers },
    });
  const redemptions = async (entitlement: string) => {
    const [cycleId, personId] = entitlement.split('.');
    return t.app.db.kysely
      .selectFrom('redemptions')
      .selectAll()
      .where('cycle_id', '=', cycleId!)
      .where('person_id', '=', personId!)
      .execute();
  };
  const documentProof = (i: number) => ({
    kind: 'document',
    registryNumber: f.people[i]!.registryNumber,
    birthDate: f.people[i]!.birthDate,
    documentType: 'national_id',
    documentNumber: `V-${12000000 + i}`,
    reason: 'Perdió el carnet; cédula vista en el mostrador',
  });

  before(async () => {
    t = await startTestServer(db());
    const people = Array.from({ length: 12 }, (_, i) => ({
      ...distinctPerson(`Beneficiaria ${String.fromCharCode(65 + i)}`),
      regionCode: 'VE-A',
      phone: `+58412555${String(1000 + i)}`,
    }));
    f = await counterFixture(t.app, people, today);
    operator = await signedInAgent(t, operatorGrants);
    device = await enrolDeviceFor(t.app, operator, f.pointId);
    base = await t.server.listen({ host: '127.0.0.1', port: 0 });
  });
  after(async () => {
    await t.server.close();
  });

  it('lets exactly one of many racing clients hand over an entitlement, over HTTP', async () => {
    const entitlement = f.food(0);
    const attempts = 24;
    const answers = await Promise.all(
      Array.from({ length: attempts }, () =>
        fetch(`${base}/api/v1/redemptions`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${device.token}`,
            'x-purpose': 'service_delivery',
            'content-type': 'application/json',
            'idempotency-key': newKey(),
          },
          body: JSON.stringify({
            entitlementId: entitlement,
            quantity: 1,
            proof: documentProof(0),
          }),
        }).then(async (r) => ({
          status: r.status,
          body: (await r.json()) as { error?: { code: string } },
        })),
      ),
    );
    const delivered = answers.filter((a) => a.status === 201);
    assert.equal(delivered.length, 1, JSON.stringify(answers.map((a) => a.status)));
    for (const a of answers.filter((x) => x.status !== 201)) {
      assert.equal(a.status, 409, JSON.stringify(a.body));
      assert.equal(a.body.error?.code, 'INVALID_STATE');
    }
    assert.equal((await redemptions(entitlement)).length, 1);
  });

  it('answers a retry with the same key with the first answer, and delivers once', async () => {
    const entitlement = f.food(1);
    const key = newKey();
    const body = { entitlementId: entitlement, quantity: 1, proof: documentProof(1) };
    const first = await post('/api/v1/redemptions', body, { 'idempotency-key': key });
    assert.equal(first.statusCode, 201, first.body);
    const again = await Promise.all(
      Array.from({ length: 5 }, () =>
        post('/api/v1/redemptions', body, { 'idempotency-key': key }),
      ),
    );
    for (const r of again) {
      assert.equal(r.statusCode, 201, r.body);
      assert.deepEqual(r.json(), first.json());
      assert.equal(r.headers['idempotent-replayed'], 'true');
    }
    assert.equal((await redemptions(entitlement)).length, 1);
    const other = await post(
      '/api/v1/redemptions',
      { ...body, quantity: 2 },
      { 'idempotency-key': key },
    );
    assert.equal(other.statusCode, 422, other.body);
    assert.equal(other.json().error.code, 'IDEMPOTENCY_KEY_REUSED');
    const receipts = (await queuedNotices(t.app.db.kysely, f.people[1]!.id)).filter(
      (n) => n.template === 'redemption_receipt',
    );
    assert.equal(receipts.length, 1, 'one receipt for one delivery');
    assert.equal(receipts[0]!.params.code, first.json().redemption.receiptCode);
    // The time as a clock in Caracas (UTC−4, the default zone) reads it, not UTC.
    const at = Date.parse(first.json().redemption.redeemedAt) - 4 * 3_600_000;
    assert.equal(
      receipts[0]!.params.when,
      new Date(at).toISOString().slice(0, 16).replace('T', ' '),
    );
  });

  it('tells a request whose key is still running so (409), and delivers once', async () => {
    const key = newKey();
    const body = JSON.stringify({ entitlementId: f.food(9), quantity: 1, proof: documentProof(9) });
    const send = () =>
      fetch(`${base}/api/v1/redemptions`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${device.token}`,
          'x-purpose': 'service_delivery',
          'content-type': 'application/json',
          'idempotency-key': key,
        },
        body,
      }).then(async (r) => ({
        status: r.status,
        body: (await r.json()) as Record<string, unknown>,
      }));
    const answers = await Promise.all(Array.from({ length: 6 }, send));
    const delivered = answers.filter((a) => a.status === 201);
    assert.ok(delivered.length >= 1, JSON.stringify(answers));
    for (const a of answers.filter((x) => x.status !== 201)) {
      assert.equal(a.status, 409, JSON.stringify(a.body));
      assert.equal((a.body.error as { code: string }).code, 'IDEMPOTENCY_IN_PROGRESS');
    }
    for (const a of delivered) assert.deepEqual(a.body, delivered[0]!.body);
    const last = await send();
    assert.equal(last.status, 201);
    assert.deepEqual(last.body, delivered[0]!.body);
    assert.equal((await redemptions(f.food(9))).length, 1);
  });

  it('stores a refusal as the key’s answer: a retry is refused the same way', async () => {
    const key = newKey();
    const body = { entitlementId: f.food(0), quantity: 1, proof: documentProof(0) };
    const first = await post('/api/v1/redemptions', body, { 'idempotency-key': key });
    assert.equal(first.statusCode, 409);
    const second = await post('/api/v1/redemptions', body, { 'idempotency-key': key });
    assert.equal(second.statusCode, 409);
    assert.deepEqual(second.json(), first.json());
  });

  it('hands over a quota in parts, with its co-payment, and never more than is left', async () => {
    const entitlement = f.fuel(2);
    const take = (quantity: number) =>
      post(
        '/api/v1/redemptions',
        {
          entitlementId: entitlement,
          quantity,
          proof: documentProof(2),
          coPayment: { method: 'cash' },
        },
        { 'idempotency-key': newKey() },
      );
    const part = await take(15);
    assert.equal(part.statusCode, 201, part.body);
    assert.equal(part.json().entitlement.remaining, 25);
    assert.deepEqual(part.json().redemption.coPayment, { method: 'cash', amount: '750' });
    const tooMuch = await take(26);
    assert.equal(tooMuch.statusCode, 400);
    assert.equal(tooMuch.json().error.field, 'quantity');
    const rest = await take(25);
    assert.equal(rest.statusCode, 201, rest.body);
    assert.equal(rest.json().entitlement.state, 'redeemed');
    assert.equal((await take(1)).statusCode, 409);
    assert.deepEqual(
      (await redemptions(entitlement)).map((r) => r.quantity).sort((a, b) => a - b),
      [15, 25],
    );
  });

  it('accepts a valid card and refuses a revoked one, offering other proofs', async () => {
    const qrText = await cardFor(t.app, f.people[3]!.id);
    const seen = await post('/api/v1/pos/identify', { qrText });
    assert.equal(seen.statusCode, 200, seen.body);
    assert.equal(seen.json().person.id, f.people[3]!.id);
    assert.ok(
      seen
        .json()
        .entitlements.some(
          (e: { id: string; state: string }) => e.id === f.food(3) && e.state === 'redeemable',
        ),
    );
    const r = await post(
      '/api/v1/redemptions',
      { entitlementId: f.food(3), quantity: 1, proof: { kind: 'card', qrText } },
      { 'idempotency-key': newKey() },
    );
    assert.equal(r.statusCode, 201, r.body);
    assert.equal(r.json().redemption.proofKind, 'card');
    const [row] = await redemptions(f.food(3));
    assert.equal(row!.proof_kind, 'card');
    assert.ok(!row!.proof_details.includes(qrText), 'the QR text itself is not kept');
  });

  it('proves a person without a card by a one-time code sent to the phone on record', async () => {
    const p = f.people[4]!;
    const sent = await post('/api/v1/proof-codes', {
      registryNumber: p.registryNumber,
      birthDate: p.birthDate,
    });
    assert.equal(sent.statusCode, 201, sent.body);
    assert.match(sent.json().phoneHint, /1004$/);
    const sms = (await queuedNotices(t.app.db.kysely, p.id)).find(
      (n) => n.template === 'proof_code',
    );
    assert.ok(sms, 'the code was written to the outbox');
    const code = sms.params.code!;
    const wrong = code === '000000' ? '111111' : '000000';
    const bad = await post(
      '/api/v1/redemptions',
      {
        entitlementId: f.food(4),
        quantity: 1,
        proof: { kind: 'sms_code', codeId: sent.json().codeId, code: wrong },
      },
      { 'idempotency-key': newKey() },
    );
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().error.field, 'proof.code');
    const good = await post(
      '/api/v1/redemptions',
      {
        entitlementId: f.food(4),
        quantity: 1,
        proof: { kind: 'sms_code', codeId: sent.json().codeId, code },
      },
      { 'idempotency-key': newKey() },
    );
    assert.equal(good.statusCode, 201, good.body);
    const reuse = await post(
      '/api/v1/redemptions',
      {
        entitlementId: f.fuel(4),
        quantity: 1,
        proof: { kind: 'sms_code', codeId: sent.json().codeId, code },
      },
      { 'idempotency-key': newKey() },
    );
    assert.equal(reuse.statusCode, 409, 'a code is used once');
    const wrongBirth = await post('/api/v1/proof-codes', {
      registryNumber: p.registryNumber,
      birthDate: '1900-01-01',
    });
    assert.equal(wrongBirth.statusCode, 404);
  });

  it('lets someone else collect only as the holder’s nominee', async () => {
    const holder = f.people[5]!;
    const friend = f.people[6]!;
    const body = { entitlementId: f.food(5), quantity: 1, proof: documentProof(6) };
    const refused = await post('/api/v1/redemptions', body, { 'idempotency-key': newKey() });
    assert.equal(refused.statusCode, 403, refused.body);
    // A registrar records the nominee the holder designated, with her consent.
    const registrar = await signedInAgent(t, [{ role: 'registrar', regions: ['VE-A'] }]);
    const named = await registrar.request({
      method: 'POST',
      url: `/api/v1/persons/${holder.id}/nominees`,
      payload: { nomineeRegistryNumber: friend.registryNumber, consent: 'in_person_signed' },
      purpose: 'enrolment',
    });
    assert.equal(named.statusCode, 201, named.body);
    const seen = await post('/api/v1/pos/identify', {
      registryNumber: friend.registryNumber,
      birthDate: friend.birthDate,
    });
    assert.equal(seen.json().collectFor[0].person.id, holder.id);
    const ok = await post('/api/v1/redemptions', body, { 'idempotency-key': newKey() });
    assert.equal(ok.statusCode, 201, ok.body);
    assert.equal(ok.json().redemption.collectedAs, 'nominee');
    const [row] = await redemptions(f.food(5));
    assert.equal(row!.collected_by_person_id, friend.id);
    // Revoked, the nominee collects no more (here: the holder's fuel).
    const revoked = await registrar.request({
      method: 'POST',
      url: `/api/v1/persons/${holder.id}/nominees/${named.json().nominee.id}/revoke`,
      payload: { reason: 'La titular lo pidió en la oficina' },
      purpose: 'enrolment',
    });
    assert.equal(revoked.statusCode, 200, revoked.body);
    const afterRevoke = await post(
      '/api/v1/redemptions',
      { entitlementId: f.fuel(5), quantity: 1, proof: documentProof(6) },
      { 'idempotency-key': newKey() },
    );
    assert.equal(afterRevoke.statusCode, 403, afterRevoke.body);
  });

  it('refuses bad input clearly, and writes nothing', async () => {
    const before = await t.app.db.kysely
      .selectFrom('redemptions')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    const malformed = await t.server.inject({
      method: 'POST',
      url: '/api/v1/redemptions',
      payload: '{"entitlementId": ',
      headers: {
        authorization: `Bearer ${device.token}`,
        'x-purpose': 'service_delivery',
        'content-type': 'application/json',
        'idempotency-key': newKey(),
      },
    });
    assert.equal(malformed.statusCode, 400);
    assert.equal(malformed.json().error.code, 'MALFORMED_JSON');
    const noKey = await post('/api/v1/redemptions', {
      entitlementId: f.food(7),
      quantity: 1,
      proof: documentProof(7),
    });
    assert.equal(noKey.statusCode, 400);
    assert.equal(noKey.json().error.field, 'Idempotency-Key');
    const wrongType = await post(
      '/api/v1/redemptions',
      { entitlementId: f.food(7), quantity: '1', proof: documentProof(7) },
      { 'idempotency-key': newKey() },
    );
    assert.equal(wrongType.statusCode, 400);
    assert.match(wrongType.json().error.field ?? wrongType.body, /quantity/);
    const badProof = await post(
      '/api/v1/redemptions',
      { entitlementId: f.food(7), quantity: 1, proof: { kind: 'card', qrText: 'HC1:not a card' } },
      { 'idempotency-key': newKey() },
    );
    assert.equal(badProof.statusCode, 409, badProof.body);
    assert.equal(badProof.json().error.field, 'proof');
    const noPurpose = await post(
      '/api/v1/redemptions',
      { entitlementId: f.food(7), quantity: 1, proof: documentProof(7) },
      { 'idempotency-key': newKey(), 'x-purpose': '' },
    );
    assert.equal(noPurpose.statusCode, 400);
    const after = await t.app.db.kysely
      .selectFrom('redemptions')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    assert.equal(Number(after.n), Number(before.n));
  });

  it('takes a co-payment from the wallet with the PIN, and nothing when the PIN is wrong', async () => {
    const p = f.people[10]!;
    const system = { actor: systemActor('test') };
    await setWalletPin(t.app, withPurpose(staff('registrar', ['VE-A']), 'enrolment'), p.id, {
      pin: '2719',
      identityDocument: 'national_id_card',
      reason: 'Entrega del monedero',
    });
    await createAccounts(t.app, system, {
      accounts: [
        { id: 'rd-fund', ledger: 'VES', code: 'programme_fund' },
        { id: 'rd-depot', ledger: 'VES', code: 'merchant', regionCode: 'VE-A' },
        {
          id: walletAccountId(p.id),
          ledger: 'VES',
          code: 'wallet',
          flags: { debitsMustNotExceedCredits: true, history: true },
          regionCode: 'VE-A',
        },
      ],
    });
    await createTransfers(t.app, system, {
      transfers: [
        {
          id: 'rd-benefit',
          debitAccountId: 'rd-fund',
          creditAccountId: walletAccountId(p.id),
          amount: 2_000n,
          ledger: 'VES',
          code: 'benefit',
        },
      ],
    });
    await t.app.db.kysely
      .updateTable('points')
      .set({ merchant_account_id: 'rd-depot' })
      .where('id', '=', f.pointId)
      .execute();
    const take = (pin: string, quantity: number) =>
      post(
        '/api/v1/redemptions',
        {
          entitlementId: f.fuel(10),
          quantity,
          proof: documentProof(10),
          coPayment: { method: 'wallet', pin },
        },
        { 'idempotency-key': newKey() },
      );
    const wrong = await take('1111', 10);
    assert.equal(wrong.statusCode, 403, wrong.body);
    assert.equal((await redemptions(f.fuel(10))).length, 0, 'no PIN, no delivery');
    const paid = await take('2719', 10);
    assert.equal(paid.statusCode, 201, paid.body);
    assert.deepEqual(paid.json().redemption.coPayment, { method: 'wallet', amount: '500' });
    const wallet = await getAccount(t.app, system, walletAccountId(p.id));
    assert.equal(wallet.debitsPosted, 500n);
    assert.equal(wallet.debitsPending, 0n);
    const depot = await getAccount(t.app, system, 'rd-depot');
    assert.equal(depot.creditsPosted, 500n);
    await t.app.db.kysely
      .updateTable('entitlements')
      .set({ quantity: 80 })
      .where('cycle_id', '=', f.fuelCycleId)
      .where('person_id', '=', p.id)
      .execute();
    const tooDear = await take('2719', 40);
    assert.equal(tooDear.statusCode, 409, tooDear.body);
    assert.equal((await redemptions(f.fuel(10))).length, 1, 'the wallet holds 1,500, not 2,000');
  });

  it('stops a revoked device at once', async () => {
    const second = await enrolDeviceFor(t.app, operator, f.pointId);
    const { revokeDevice } = await import('./devices');
    await revokeDevice(t.app, { actor: systemActor('test') }, second.deviceId, 'Teléfono robado');
    const r = await post(
      '/api/v1/redemptions',
      { entitlementId: f.food(8), quantity: 1, proof: documentProof(8) },
      { 'idempotency-key': newKey() },
      second.token,
    );
    assert.equal(r.statusCode, 401, r.body);
    assert.equal((await redemptions(f.food(8))).length, 0);
  });
});
