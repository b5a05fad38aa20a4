// Tolerant in what it reads: the forms published Claim 169 encoders write for the same field
// all read alike, and the signature is checked before any claim is interpreted.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { encode } from 'cborg';
import { zlibSync } from 'fflate';
import { bytesToBase64, bytesToHex, concatBytes, utf8Bytes } from './bytes';
import { encodeBase45 } from './encode-base45';
import { generateIssuerKey, importSigningKey } from './generate-issuer-key';
import { importPublicJwk } from './import-public-key';
import { signCoseSign1 } from './sign-cose-sign1';
import { verifyCard } from './verify-card';

const pair = await generateIssuerKey();
const signing = await importSigningKey(pair.privateJwk, pair.kid);
const verification = await importPublicJwk(pair.publicJwk);
const now = new Date('2026-01-15T12:00:00Z');
const jpeg = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46]);

// Signs a CWT whose claim 169 is `claim` (a map, or anything an odd encoder might write).
async function card(
  claim: unknown,
  options: { cwtTag?: boolean; kidInUnprotected?: boolean } = {},
): Promise<string> {
  const cwt = new Map<number, unknown>([
    [1, 'https://id.example.org'],
    [4, 1900000000],
    [6, 1700000000],
    [169, claim],
  ]);
  const kid = utf8Bytes(signing.kid);
  const cose = await signCoseSign1({
    payload: encode(cwt),
    privateKey: signing.privateKey,
    alg: 'EdDSA',
    protectedHeader: new Map<number, unknown>(
      options.kidInUnprotected
        ? [[1, -8]]
        : [
            [1, -8],
            [4, kid],
          ],
    ),
    unprotectedHeader: new Map<number, unknown>(options.kidInUnprotected ? [[4, kid]] : []),
  });
  // CWT tag 61 (0xd8 0x3d) around the COSE_Sign1, as the specification's example writes it.
  const bytes = options.cwtTag ? concatBytes(new Uint8Array([0xd8, 0x3d]), cose) : cose;
  return encodeBase45(zlibSync(bytes));
}

async function claimsOf(qrText: string): Promise<Record<string, unknown> | null> {
  const verdict = await verifyCard(qrText, { keys: [verification], now });
  assert.equal(verdict.reason, 'VALID', verdict.message);
  return verdict.claims;
}

void describe('reading what other Claim 169 encoders write', () => {
  void test('gender as an integer, a numeric string or a word reads as the same code', async () => {
    for (const written of [2, '2', ' 2 ', 'Female', 'F', 'femenino']) {
      const claims = await claimsOf(await card(new Map<number, unknown>([[9, written]])));
      assert.equal(claims?.gender, 2, JSON.stringify(written));
    }
  });

  void test('face as one biometric map or as an array of them reads as an array', async () => {
    const entry = new Map<number, unknown>([
      [0, jpeg],
      [1, 0],
      [2, 1],
    ]);
    const expected = [{ data: bytesToBase64(jpeg), format: 0, subFormat: 1 }];
    for (const written of [entry, [entry]]) {
      const claims = await claimsOf(await card(new Map<number, unknown>([[62, written]])));
      assert.deepEqual(claims?.face, expected);
    }
  });

  void test('photo (16) as bytes, hex text or Base64 text reads as the same bytes', async () => {
    for (const written of [
      jpeg,
      bytesToHex(jpeg),
      bytesToHex(jpeg).toUpperCase(),
      bytesToBase64(jpeg),
    ]) {
      const claims = await claimsOf(await card(new Map<number, unknown>([[16, written]])));
      assert.equal(claims?.photo, bytesToBase64(jpeg), String(written));
    }
  });

  void test('claim 169 as a map or as a byte string wrapping it; with or without CWT tag 61', async () => {
    const claim = new Map<number, unknown>([
      [1, 'VE-1'],
      [4, 'Ana Díaz'],
    ]);
    for (const written of [claim, encode(claim)]) {
      for (const cwtTag of [false, true]) {
        for (const kidInUnprotected of [false, true]) {
          const claims = await claimsOf(await card(written, { cwtTag, kidInUnprotected }));
          assert.deepEqual(claims, { id: 'VE-1', fullName: 'Ana Díaz' });
        }
      }
    }
  });

  void test('a good signature over an odd claim is BAD_CLAIM, said to be genuinely signed, with its key id', async () => {
    for (const odd of [
      new Map<number, unknown>([[9, 'purple']]),
      new Map([[4, 17]]),
      'not a map',
    ]) {
      const verdict = await verifyCard(await card(odd), { keys: [verification], now });
      assert.equal(verdict.reason, 'BAD_CLAIM');
      assert.equal(verdict.signatureVerified, true);
      assert.equal(verdict.kid, signing.kid);
      assert.equal(verdict.issuer, 'https://id.example.org');
      assert.match(verdict.message, /signature is genuine/);
    }
  });

  void test('the signature is checked first: a forged card with an odd claim is BAD_SIGNATURE', async () => {
    const other = await generateIssuerKey();
    const stranger = await importPublicJwk(other.publicJwk, { kid: signing.kid });
    const verdict = await verifyCard(await card(new Map([[9, 'purple']])), {
      keys: [stranger],
      now,
    });
    assert.equal(verdict.reason, 'BAD_SIGNATURE');
    assert.equal(verdict.signatureVerified, false);
    assert.equal(verdict.kid, signing.kid);
    assert.equal(verdict.claims, null);
  });

  void test('an unknown key still reports the key id the card names', async () => {
    const verdict = await verifyCard(await card(new Map([[1, 'x']])), { keys: [], now });
    assert.equal(verdict.reason, 'UNKNOWN_KEY');
    assert.equal(verdict.kid, signing.kid);
  });
});
