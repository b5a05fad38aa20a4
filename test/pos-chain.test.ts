// The point-of-service app's pure logic, run in Node with the same WebCrypto a browser has:
// offline entries chained and signed exactly as the server checks them (Node's own Ed25519
// verifies the signature over the canonical JSON, the hash is sha256 of canonical JSON, a dot
// and the signature, the first prev is 64 zeros, counters run 1, 2, 3…); packs verified with
// the pack key; leases found by the server's salted hashes; the offline refusals; and
// co-payments in whole minor units.
import assert from 'node:assert/strict';
import { createHash, createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import { describe, it } from 'node:test';
import { canonicalJson } from '../src/shared/canonical-json';
import {
  chainStart,
  entryHash,
  fromBase64url,
  newDeviceKeyPair,
  nextEntry,
  sha256Hex,
  toBase64url,
  type EntryFields,
} from '../web/pos/chain';
import {
  asPack,
  coPaymentFor,
  leaseHash,
  leasesByBirth,
  leasesByCard,
  leaseState,
  offlineRefusal,
  verifyPack,
  type Pack,
} from '../web/pos/pack';

const fields = (n: number): EntryFields => ({
  entitlementId: `cyc-1.per-${n}`,
  leaseId: `lease-${n}`,
  quantity: n,
  proof:
    n % 2 === 0
      ? { kind: 'card', serial: String(1000 + n), kid: 'kid-1' }
      : {
          kind: 'document',
          documentType: 'national_id',
          documentNumber: `V-${n}`,
          reason: 'Perdió la tarjeta; cédula vista',
        },
  coPayment: n % 2 === 0 ? { method: 'none', amount: '0' } : { method: 'cash', amount: '500' },
  redeemedAt: `2026-11-29T10:0${n}:00.000Z`,
});

describe('offline entries', () => {
  it('chains and signs entries the way the server checks them', async () => {
    const { keyPair, publicKey } = await newDeviceKeyPair();
    assert.match(publicKey, /^[A-Za-z0-9_-]{43}$/, 'raw Ed25519 public key, base64url');
    assert.equal(keyPair.privateKey.extractable, false, 'the private half never leaves');
    const nodeKey = createPublicKey({
      key: { kty: 'OKP', crv: 'Ed25519', x: publicKey },
      format: 'jwk',
    });
    let head = { counter: 0, hash: chainStart };
    for (let n = 1; n <= 4; n++) {
      const { signed, head: next } = await nextEntry('dev-1', head, fields(n), keyPair.privateKey);
      const { entry, signature } = signed;
      assert.equal(entry.v, 1);
      assert.equal(entry.counter, n);
      assert.equal(entry.prev, head.hash, 'each names the hash of the one before');
      assert.match(signature, /^[A-Za-z0-9_-]{86}$/);
      const bytes = Buffer.from(canonicalJson(entry), 'utf8');
      assert.ok(verify(null, bytes, nodeKey, Buffer.from(signature, 'base64url')), `entry ${n}`);
      const expected = createHash('sha256')
        .update(`${canonicalJson(entry)}.${signature}`, 'utf8')
        .digest('hex');
      assert.equal(next.hash, expected);
      assert.equal(await entryHash(entry, signature), expected);
      assert.equal(next.counter, n);
      head = next;
    }
  });

  it('gives a signature that fails once the entry is changed', async () => {
    const { keyPair, publicKey } = await newDeviceKeyPair();
    const { signed } = await nextEntry(
      'dev-1',
      { counter: 0, hash: chainStart },
      fields(1),
      keyPair.privateKey,
    );
    const changed = { ...signed.entry, quantity: 2 };
    const nodeKey = createPublicKey({
      key: { kty: 'OKP', crv: 'Ed25519', x: publicKey },
      format: 'jwk',
    });
    assert.equal(
      verify(
        null,
        Buffer.from(canonicalJson(changed)),
        nodeKey,
        Buffer.from(signed.signature, 'base64url'),
      ),
      false,
    );
  });

  it('writes base64url and hex as Node does', async () => {
    const bytes = Uint8Array.from({ length: 64 }, (_, i) => (i * 37) % 256);
    assert.equal(toBase64url(bytes), Buffer.from(bytes).toString('base64url'));
    assert.deepEqual(Buffer.from(fromBase64url(toBase64url(bytes))), Buffer.from(bytes));
    assert.throws(() => fromBase64url('not base64!'));
    assert.equal(await sha256Hex('ñandú'), createHash('sha256').update('ñandú').digest('hex'));
  });
});

function packOf(leases: Pack['leases'], overrides: Partial<Pack> = {}): Pack {
  return {
    v: 1,
    id: 'pack-1',
    deviceId: 'dev-1',
    pointId: 'pt-1',
    pointCode: 'DEP-1',
    createdAt: '2026-11-29T08:00:00.000Z',
    expiresAt: '2026-11-30T20:00:00.000Z',
    salt: 'c2FsdC1zYWx0LXNhbHQ',
    dailyCap: 50,
    trustList: { payload: 'x' },
    revocationList: { payload: 'y' },
    programmes: [],
    leases,
    ...overrides,
  };
}

const serverHash = (...parts: string[]) =>
  createHash('sha256').update(parts.join(':'), 'utf8').digest('hex');

describe('the offline pack', () => {
  const salt = 'c2FsdC1zYWx0LXNhbHQ';
  const lease = (rn: string, dob: string, overrides: Partial<Pack['leases'][number]> = {}) => ({
    leaseId: `lease-${rn}`,
    entitlementId: `cyc-1.per-${rn}`,
    programmeId: 'prog-1',
    rn: serverHash(salt, rn),
    rnDob: serverHash(salt, rn, dob),
    quantity: 40,
    remaining: 40,
    opensOn: '2026-11-01',
    closesOn: '2026-11-30',
    ...overrides,
  });

  it('finds leases by the server’s salted hashes, by card or by birth', async () => {
    const pack = packOf([lease('V-100', '1970-01-02'), lease('V-200', '1980-05')]);
    assert.equal(await leaseHash(salt, 'V-100'), serverHash(salt, 'V-100'));
    assert.deepEqual(
      (await leasesByCard(pack, 'V-200')).map((l) => l.leaseId),
      ['lease-V-200'],
    );
    assert.deepEqual(
      (await leasesByBirth(pack, 'V-100', '1970-01-02')).map((l) => l.leaseId),
      ['lease-V-100'],
    );
    assert.deepEqual(await leasesByBirth(pack, 'V-100', '1970-01-03'), [], 'wrong date: nobody');
    assert.deepEqual(await leasesByCard(pack, 'V-300'), []);
  });

  it('checks the pack signature with the pack key, over its canonical JSON', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const packKey = String(publicKey.export({ format: 'jwk' }).x);
    const pack = packOf([lease('V-100', '1970-01-02')]);
    const signature = sign(null, Buffer.from(canonicalJson(pack)), privateKey).toString(
      'base64url',
    );
    // The pack as the device gets it: through JSON, keys in whatever order.
    const received = JSON.parse(
      JSON.stringify(Object.fromEntries(Object.entries(pack).reverse())),
    ) as unknown;
    assert.equal(await verifyPack(packKey, received, signature), true);
    assert.equal(asPack(received).id, 'pack-1');
    const altered = { ...pack, dailyCap: 5000 };
    assert.equal(await verifyPack(packKey, altered, signature), false, 'an altered pack fails');
    const other = generateKeyPairSync('ed25519');
    const otherKey = String(other.publicKey.export({ format: 'jwk' }).x);
    assert.equal(await verifyPack(otherKey, received, signature), false, 'another key fails');
    assert.equal(await verifyPack('garbage', received, signature), false);
    assert.throws(() => asPack({ v: 2 }), /version 1/);
  });

  it('says each lease’s state today, counting what was handed over offline', () => {
    const pack = packOf([]);
    const l = lease('V-100', '1970-01-02', { opensOn: '2026-11-10', closesOn: '2026-11-30' });
    const at = (iso: string) => new Date(iso);
    assert.equal(leaseState(pack, l, 0, at('2026-11-09T12:00:00Z')), 'not_yet_open');
    assert.equal(leaseState(pack, l, 0, at('2026-11-29T12:00:00Z')), 'redeemable');
    assert.equal(leaseState(pack, l, 40, at('2026-11-29T12:00:00Z')), 'redeemed');
    assert.equal(leaseState(pack, l, 0, at('2026-11-30T20:00:00Z')), 'pack_expired');
    const late = packOf([], { expiresAt: '2026-12-05T00:00:00.000Z' });
    assert.equal(leaseState(late, l, 0, at('2026-12-01T12:00:00Z')), 'closed');
  });

  it('refuses offline what the server would refuse, and keeps the daily cap', () => {
    const ok = { kind: 'quota', quantity: 10, remaining: 40, usedToday: 0, dailyCap: 50 };
    assert.equal(offlineRefusal(ok), null);
    assert.equal(offlineRefusal({ ...ok, quantity: 41 }), 'quantity');
    assert.equal(offlineRefusal({ ...ok, quantity: 0 }), 'quantity');
    assert.equal(offlineRefusal({ ...ok, quantity: 1.5 }), 'quantity');
    assert.equal(offlineRefusal({ ...ok, kind: 'basket', quantity: 1, remaining: 1 }), null);
    assert.equal(offlineRefusal({ ...ok, kind: 'basket', quantity: 1, remaining: 2 }), 'whole');
    assert.equal(offlineRefusal({ ...ok, usedToday: 45 }), 'daily_cap');
    assert.equal(offlineRefusal({ ...ok, usedToday: 40 }), null, 'exactly the cap is allowed');
  });

  it('reckons co-payments in whole minor units, beyond what a double holds', () => {
    assert.equal(coPaymentFor('50', 10), '500');
    assert.equal(coPaymentFor('0', 3), '0');
    assert.equal(coPaymentFor('900719925474099', 1000), '900719925474099000');
    assert.throws(() => coPaymentFor('1.5', 2));
    assert.throws(() => coPaymentFor('-5', 2));
  });
});
