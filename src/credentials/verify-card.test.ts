// The verifier as a specification: a genuine card is valid, and each way a card can be
// wrong is refused with its own reason.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { encode } from 'cborg';
import fc from 'fast-check';
import { zlibSync } from 'fflate';
import { utf8Bytes } from './bytes';
import { decodeBase45 } from './decode-base45';
import { encodeBase45 } from './encode-base45';
import { adler32, inflateBounded } from './inflate-bounded';
import { createRevocationList } from './create-revocation-list';
import { createTrustList } from './create-trust-list';
import { generateIssuerKey, importSigningKey } from './generate-issuer-key';
import { importPublicJwk } from './import-public-key';
import { issueCard } from './issue-card';
import { readRevocationList } from './read-revocation-list';
import { readTrustList } from './read-trust-list';
import { verifyCard } from './verify-card';
import type { CardFace, SigningKey, VerificationKey } from './types';
import type { IssueCardOptions } from './issue-card';

const day = 24 * 3600 * 1000;
const issuedAt = new Date('2025-03-01T10:00:00Z');
const expiresAt = new Date(issuedAt.getTime() + 5 * 365 * day);
const now = new Date('2026-01-15T12:00:00Z');
const face: CardFace = {
  registryNumber: 'VE-0012-3456-7',
  givenNames: 'María José',
  surnames: 'Pérez Rodríguez',
  dateOfBirth: '1984-01-18',
  sex: 'female',
};

async function makeIssuer(): Promise<{
  signing: SigningKey;
  verification: VerificationKey;
  publicJwk: JsonWebKey;
}> {
  const pair = await generateIssuerKey();
  return {
    signing: await importSigningKey(pair.privateJwk, pair.kid),
    verification: await importPublicJwk(pair.publicJwk),
    publicJwk: pair.publicJwk,
  };
}

const issuer = await makeIssuer();

function issue(overrides: Partial<IssueCardOptions> = {}): Promise<string> {
  const options = {
    face,
    serial: 42,
    issuer: 'https://id.example.gob.ve',
    key: issuer.signing,
    issuedAt,
    expiresAt,
    ...overrides,
  };
  return issueCard(options).then((card) => card.qrText);
}

// Rebuilds QR text after changing the COSE bytes, as a forger would.
function tamper(qrText: string, change: (cose: Uint8Array) => void): string {
  const cose = inflateBounded(decodeBase45(qrText), { outputBytesMax: 1 << 16 }).slice();
  change(cose);
  return encodeBase45(zlibSync(cose));
}

function indexOf(haystack: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

void describe('verifyCard', () => {
  void test('a genuine card is valid and shows what its face shows', async () => {
    const verdict = await verifyCard(await issue(), { keys: [issuer.verification], now });
    assert.equal(verdict.reason, 'VALID');
    assert.equal(verdict.valid, true);
    assert.equal(verdict.kid, issuer.signing.kid);
    assert.deepEqual(verdict.claims, {
      id: 'VE-0012-3456-7',
      fullName: 'María José Pérez Rodríguez',
      firstName: 'María José',
      lastName: 'Pérez Rodríguez',
      dateOfBirth: '19840118',
      gender: 2,
    });
    assert.equal(verdict.cardSerial, '42');
    assert.equal(verdict.issuer, 'https://id.example.gob.ve');
    assert.equal(verdict.issuedAt, issuedAt.toISOString());
    assert.equal(verdict.expiresAt, expiresAt.toISOString());
  });

  void test('one flipped signature byte: BAD_SIGNATURE, and no claims are shown', async () => {
    const forged = tamper(await issue(), (cose) => {
      cose[cose.length - 10]! ^= 0x01;
    });
    const verdict = await verifyCard(forged, { keys: [issuer.verification], now });
    assert.equal(verdict.reason, 'BAD_SIGNATURE');
    assert.equal(verdict.claims, null);
  });

  void test('one changed letter of the name: BAD_SIGNATURE', async () => {
    const forged = tamper(await issue(), (cose) => {
      const at = indexOf(cose, utf8Bytes('Pérez'));
      assert.ok(at > 0);
      cose[at] = 'G'.charCodeAt(0);
    });
    assert.equal(
      (await verifyCard(forged, { keys: [issuer.verification], now })).reason,
      'BAD_SIGNATURE',
    );
  });

  void test('a key the verifier does not trust: UNKNOWN_KEY', async () => {
    const other = await makeIssuer();
    const trustList = await readTrustList(
      await createTrustList({
        issuer: 'https://id.example.gob.ve',
        issuedAt,
        keys: [
          {
            kid: other.signing.kid,
            alg: 'EdDSA',
            publicJwk: other.publicJwk,
            validFrom: issuedAt.toISOString(),
          },
        ],
        signingKey: other.signing,
      }),
    );
    assert.equal((await verifyCard(await issue(), { trustList, now })).reason, 'UNKNOWN_KEY');
  });

  void test('an expired card: EXPIRED, with its claims for the operator', async () => {
    const verdict = await verifyCard(await issue(), {
      keys: [issuer.verification],
      now: new Date(expiresAt.getTime() + 1000),
    });
    assert.equal(verdict.reason, 'EXPIRED');
    assert.equal(verdict.claims?.id, 'VE-0012-3456-7');
  });

  void test('a card issued in the future: NOT_YET_VALID', async () => {
    const verdict = await verifyCard(await issue(), {
      keys: [issuer.verification],
      now: new Date(issuedAt.getTime() - day),
    });
    assert.equal(verdict.reason, 'NOT_YET_VALID');
  });

  void test('a revoked card: REVOKED; others on the same list stay valid; the list age is reported', async () => {
    const list = await createRevocationList({
      issuer: 'https://id.example.gob.ve',
      issuedAt: new Date(now.getTime() - 3 * day),
      revokedSerials: [7, 42],
      signingKey: issuer.signing,
    });
    const revocations = await readRevocationList(list, {
      keys: [{ ...issuer.verification, kid: issuer.signing.kid }],
    });
    const revoked = await verifyCard(await issue(), {
      keys: [issuer.verification],
      revocations,
      now,
    });
    assert.equal(revoked.reason, 'REVOKED');
    assert.equal(revoked.revocationListAgeSeconds, 3 * 24 * 3600);
    const current = await verifyCard(await issue({ serial: 43 }), {
      keys: [issuer.verification],
      revocations,
      now,
    });
    assert.equal(current.reason, 'VALID');
    assert.equal(current.revocationChecked, true);
    const stale = await verifyCard(await issue({ serial: 43 }), {
      keys: [issuer.verification],
      revocations,
      now,
      revocationListAgeSecondsMax: 24 * 3600,
    });
    assert.equal(stale.reason, 'REVOCATION_LIST_STALE');
  });

  void test('a 10 MB QR text is refused with TOO_LARGE before it is read', async () => {
    const verdict = await verifyCard('A'.repeat(10 * 1024 * 1024), {
      keys: [issuer.verification],
      now,
    });
    assert.equal(verdict.reason, 'TOO_LARGE');
  });

  void test('computes Adler-32 as RFC 1950 does', () => {
    assert.equal(adler32(utf8Bytes('Wikipedia')), 0x11e60398);
    assert.equal(adler32(new Uint8Array(0)), 1);
    // Long enough to need the modulo inside the loop (zlib's NMAX block of 5552 bytes).
    assert.equal(adler32(new Uint8Array(100_000).fill(0xff)), 0x149a302c);
  });

  void test('a card whose zlib checksum was changed is refused with BAD_COMPRESSION', async () => {
    const qrText = await issue();
    const deflated = decodeBase45(qrText).slice();
    deflated[deflated.length - 1]! ^= 0x01;
    const verdict = await verifyCard(encodeBase45(deflated), { keys: [issuer.verification], now });
    assert.equal(verdict.reason, 'BAD_COMPRESSION');
    assert.equal((await verifyCard(qrText, { keys: [issuer.verification], now })).reason, 'VALID');
  });

  void test('a zlib bomb is refused with TOO_LARGE', async () => {
    const bomb = encodeBase45(zlibSync(new Uint8Array(2_000_000), { level: 9 }));
    assert.ok(bomb.length < 4296);
    assert.equal(
      (await verifyCard(bomb, { keys: [issuer.verification], now })).reason,
      'TOO_LARGE',
    );
  });

  void test('deeply nested CBOR is refused with TOO_DEEP', async () => {
    const deep = encodeBase45(zlibSync(new Uint8Array(2000).fill(0x81)));
    assert.equal((await verifyCard(deep, { keys: [issuer.verification], now })).reason, 'TOO_DEEP');
  });

  void test('a COSE_Sign1 with an empty signature is refused as UNSIGNED', async () => {
    const unsigned = encodeBase45(
      zlibSync(
        encode([
          new Uint8Array([0xa1, 0x01, 0x27]),
          new Map(),
          encode(new Map([[4, 1]])),
          new Uint8Array(0),
        ]),
      ),
    );
    assert.equal(
      (await verifyCard(unsigned, { keys: [issuer.verification], now })).reason,
      'UNSIGNED',
    );
  });

  void test('a configured prefix is required and stripped; the alphabet space is never trimmed', async () => {
    const qrText = await issue({ prefix: 'TS1:' });
    assert.equal(
      (await verifyCard(qrText, { keys: [issuer.verification], now, prefix: 'TS1:' })).reason,
      'VALID',
    );
    assert.equal(
      (await verifyCard(qrText.slice(4), { keys: [issuer.verification], now, prefix: 'TS1:' }))
        .reason,
      'BAD_PREFIX',
    );
    assert.equal(
      (await verifyCard(` ${qrText.slice(4)}`, { keys: [issuer.verification], now })).valid,
      false,
    );
  });

  void test('never throws on arbitrary text', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 300 }), async (text) => {
        const verdict = await verifyCard(text, { keys: [issuer.verification], now });
        assert.equal(verdict.valid, false);
      }),
      { numRuns: 300 },
    );
  });

  void test('never throws on arbitrary bytes behind valid Base45 and zlib', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), async (bytes) => {
        const verdict = await verifyCard(encodeBase45(zlibSync(bytes)), {
          keys: [issuer.verification],
          now,
        });
        assert.equal(verdict.valid, false);
      }),
      { numRuns: 300 },
    );
  });
});

void describe('key rotation through the trust list', () => {
  void test('an old key stays trusted for its cards until trustedUntil, and cannot sign after retiring', async () => {
    const old = issuer;
    const next = await makeIssuer();
    const rotatedAt = new Date('2025-06-01T00:00:00Z');
    const doc = await createTrustList({
      issuer: 'https://id.example.gob.ve',
      issuedAt: rotatedAt,
      keys: [
        {
          kid: old.signing.kid,
          alg: 'EdDSA',
          publicJwk: old.publicJwk,
          validFrom: '2025-01-01T00:00:00Z',
          signedUntil: rotatedAt.toISOString(),
          trustedUntil: new Date(rotatedAt.getTime() + 5 * 365 * day).toISOString(),
        },
        {
          kid: next.signing.kid,
          alg: 'EdDSA',
          publicJwk: next.publicJwk,
          validFrom: rotatedAt.toISOString(),
        },
      ],
      signingKey: next.signing,
    });
    const trustList = await readTrustList(JSON.stringify(doc));
    assert.equal(trustList.isAnchored, false);
    assert.equal((await verifyCard(await issue(), { trustList, now })).reason, 'VALID');
    const afterRetirement = await issue({ issuedAt: new Date(rotatedAt.getTime() + day) });
    assert.equal((await verifyCard(afterRetirement, { trustList, now })).reason, 'KEY_NOT_VALID');
    const byNext = await issue({
      key: next.signing,
      issuedAt: new Date(rotatedAt.getTime() + day),
    });
    assert.equal((await verifyCard(byNext, { trustList, now })).reason, 'VALID');
    const longAfter = new Date(rotatedAt.getTime() + 6 * 365 * day);
    const oldCard = await issue({ expiresAt: new Date(longAfter.getTime() + day) });
    assert.equal(
      (await verifyCard(oldCard, { trustList, now: longAfter })).reason,
      'KEY_NOT_VALID',
    );
  });

  void test('a trust list signed by a pinned anchor is anchored; one altered or signed by another key is refused', async () => {
    const anchor = await makeIssuer();
    const entry = {
      kid: issuer.signing.kid,
      alg: 'EdDSA' as const,
      publicJwk: issuer.publicJwk,
      validFrom: issuedAt.toISOString(),
    };
    const doc = await createTrustList({
      issuer: 'https://id.example.gob.ve',
      issuedAt,
      keys: [entry],
      signingKey: anchor.signing,
    });
    const anchors = [{ ...anchor.verification, kid: anchor.signing.kid }];
    assert.equal((await readTrustList(doc, { anchors })).isAnchored, true);
    await assert.rejects(
      readTrustList(doc, { anchors: [{ ...issuer.verification, kid: anchor.signing.kid }] }),
      { code: 'BAD_TRUST_LIST' },
    );
    await assert.rejects(
      readTrustList({ ...doc, payload: doc.payload.slice(0, -2) + 'fQ' }, { anchors }),
      { code: 'BAD_TRUST_LIST' },
    );
    const withPrivate = await createTrustList({
      issuer: 'https://id.example.gob.ve',
      issuedAt,
      keys: [{ ...entry, publicJwk: { ...issuer.publicJwk, d: 'secret' } }],
      signingKey: anchor.signing,
    });
    assert.doesNotMatch(Buffer.from(withPrivate.payload, 'base64url').toString(), /secret/);
  });
});

void describe('revocation list format', () => {
  void test('is a W3C-style GZIP bitstring, at least 16 KiB, with bit 0 as the high bit of byte 0', async () => {
    const doc = await createRevocationList({
      issuer: 'https://id.example.gob.ve',
      issuedAt,
      revokedSerials: [0, 9, 200_000],
      signingKey: issuer.signing,
    });
    const list = await readRevocationList(doc, {
      keys: [{ ...issuer.verification, kid: issuer.signing.kid }],
    });
    assert.equal(list.size >= 131_072, true);
    assert.equal(list.bits[0], 0x80);
    assert.equal(list.bits[1], 0x40);
    assert.ok(doc.payload.length < 2000, 'a sparse list compresses to little');
  });

  void test('a list signed by an unknown key is refused', async () => {
    const doc = await createRevocationList({
      issuer: 'https://id.example.gob.ve',
      issuedAt,
      revokedSerials: [1],
      signingKey: issuer.signing,
    });
    const other = await makeIssuer();
    await assert.rejects(
      readRevocationList(doc, { keys: [{ ...other.verification, kid: other.signing.kid }] }),
      { code: 'BAD_REVOCATION_LIST' },
    );
  });
});
