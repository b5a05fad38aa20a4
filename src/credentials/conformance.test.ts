// Conformance with every published vector in test/fixtures/vectors: RFC 9285 Base45, the
// COSE WG Sign1, EdDSA, ECDSA and CWT examples, and the Claim 169 reference vectors.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { zlibSync } from 'fflate';
import { base64ToBytes, bytesToHex, hexToBytes, utf8Bytes } from './bytes';
import { decodeBase45 } from './decode-base45';
import { decodeCard } from './decode-card';
import { encodeBase45 } from './encode-base45';
import { CredentialError } from './errors';
import type { ReasonCode } from './errors';
import { importPublicKey } from './import-public-key';
import { parseCoseMessage } from './parse-cose-message';
import { signCoseSign1 } from './sign-cose-sign1';
import { listVectors, readVector, vectorPublicKey, vectorSigningKey } from './test-support';
import type { VectorKey } from './test-support';
import type { VerificationKey } from './types';
import { checkCardTime, verifyCard } from './verify-card';
import { signatureAlgorithmOf, verifyCoseSign1 } from './verify-cose-sign1';

function reasonOf(fn: () => unknown): ReasonCode | 'OK' {
  try {
    fn();
    return 'OK';
  } catch (error) {
    if (error instanceof CredentialError) return error.code;
    throw error;
  }
}

async function asyncReasonOf(fn: () => Promise<unknown>): Promise<ReasonCode | 'OK'> {
  try {
    await fn();
    return 'OK';
  } catch (error) {
    if (error instanceof CredentialError) return error.code;
    throw error;
  }
}

void describe('RFC 9285 Base45 vectors', () => {
  const vectors = readVector<{
    valid: { input_hex: string; encoded: string }[];
    invalid: { encoded: string; reason: string }[];
  }>('base45', 'vectors.json');

  for (const v of vectors.valid) {
    void test(`encodes and decodes ${JSON.stringify(v.encoded)}`, () => {
      assert.equal(encodeBase45(hexToBytes(v.input_hex)), v.encoded);
      assert.equal(bytesToHex(decodeBase45(v.encoded)), v.input_hex);
    });
  }
  for (const v of vectors.invalid) {
    void test(`refuses ${JSON.stringify(v.encoded)} (${v.reason})`, () => {
      assert.equal(
        reasonOf(() => decodeBase45(v.encoded)),
        'BAD_BASE45',
      );
    });
  }
});

interface CoseVector {
  title: string;
  fail?: boolean;
  input: {
    plaintext?: string;
    plaintext_hex?: string;
    sign0?: { key: VectorKey; external?: string; protected?: Record<string, unknown> };
    sign?: { signers: { key: VectorKey }[] };
  };
  output: { cbor: string };
}

// The outcome of checking a COSE message with the vector's own key: OK or a reason.
async function coseOutcome(v: CoseVector): Promise<ReasonCode | 'OK'> {
  return asyncReasonOf(async () => {
    const message = parseCoseMessage(hexToBytes(v.output.cbor));
    if (message.kind !== 'sign1') throw new CredentialError('UNSUPPORTED_COSE');
    signatureAlgorithmOf(message);
    const vectorKey = v.input.sign0?.key;
    assert.ok(vectorKey);
    const key = await vectorPublicKey(vectorKey).catch(() => null);
    const aad = v.input.sign0?.external ? hexToBytes(v.input.sign0.external) : undefined;
    if (!key || !(await verifyCoseSign1(message, key, aad)))
      throw new CredentialError('BAD_SIGNATURE');
  });
}

void describe('COSE WG sign1-tests', () => {
  const expected: Record<string, ReasonCode | 'OK'> = {
    'sign-pass-01.json': 'OK',
    'sign-pass-02.json': 'OK',
    'sign-pass-03.json': 'OK',
    'sign-fail-01.json': 'NOT_COSE',
    'sign-fail-02.json': 'BAD_SIGNATURE',
    'sign-fail-03.json': 'UNSUPPORTED_ALGORITHM',
    'sign-fail-04.json': 'UNSUPPORTED_ALGORITHM',
    'sign-fail-06.json': 'BAD_SIGNATURE',
    'sign-fail-07.json': 'BAD_SIGNATURE',
  };
  for (const name of listVectors('cose', 'sign1-tests')) {
    void test(`${name} ${expected[name] === 'OK' ? 'passes' : `fails with ${expected[name]}`}`, async () => {
      const v = readVector<CoseVector>('cose', 'sign1-tests', name);
      assert.equal(v.fail === true, expected[name] !== 'OK', 'vector label and expectation agree');
      assert.equal(await coseOutcome(v), expected[name]);
    });
  }
});

void describe('COSE WG EdDSA and ECDSA examples', () => {
  void test('eddsa-sig-01 (Ed25519) is reproduced byte for byte', async () => {
    const v = readVector<CoseVector>('cose', 'eddsa-examples', 'eddsa-sig-01.json');
    const key = await vectorSigningKey(v.input.sign0!.key);
    const cose = await signCoseSign1({
      payload: utf8Bytes(v.input.plaintext!),
      privateKey: key.privateKey,
      alg: 'EdDSA',
      protectedHeader: new Map([
        [1, -8],
        [3, 0],
      ]),
      unprotectedHeader: new Map([[4, utf8Bytes('11')]]),
    });
    assert.equal(bytesToHex(cose).toUpperCase(), v.output.cbor);
    assert.equal(await coseOutcome(v), 'OK');
  });

  const expected: Record<string, ReasonCode | 'OK'> = {
    'eddsa-examples/eddsa-sig-01.json': 'OK',
    // Ed448: same COSE alg (EdDSA) but a 114-byte signature; cards accept Ed25519 only.
    'eddsa-examples/eddsa-sig-02.json': 'BAD_SIGNATURE',
    'eddsa-examples/eddsa-01.json': 'UNSUPPORTED_COSE',
    'eddsa-examples/eddsa-02.json': 'UNSUPPORTED_COSE',
    'ecdsa-examples/ecdsa-sig-01.json': 'OK',
    'ecdsa-examples/ecdsa-sig-02.json': 'UNSUPPORTED_ALGORITHM',
    'ecdsa-examples/ecdsa-sig-03.json': 'UNSUPPORTED_ALGORITHM',
    'ecdsa-examples/ecdsa-sig-04.json': 'UNSUPPORTED_ALGORITHM',
    'ecdsa-examples/ecdsa-01.json': 'UNSUPPORTED_COSE',
    'ecdsa-examples/ecdsa-02.json': 'UNSUPPORTED_COSE',
    'ecdsa-examples/ecdsa-03.json': 'UNSUPPORTED_COSE',
    'ecdsa-examples/ecdsa-04.json': 'UNSUPPORTED_COSE',
  };
  for (const folder of ['eddsa-examples', 'ecdsa-examples']) {
    for (const name of listVectors('cose', folder)) {
      const path = `${folder}/${name}`;
      void test(`${path}: ${expected[path]}`, async () => {
        const v = readVector<CoseVector>('cose', folder, name);
        assert.equal(await coseOutcome(v), expected[path]);
      });
    }
  }
});

// Wraps raw COSE bytes as a card QR would carry them, to drive the whole pipeline.
function asQrText(coseHex: string): string {
  return encodeBase45(zlibSync(hexToBytes(coseHex)));
}

void describe('RFC 8392 CWT examples', () => {
  void test('A.3 (ES256-signed CWT) verifies and its claims decode; it is no card (no claim 169)', async () => {
    const v = readVector<CoseVector>('cose', 'CWT', 'A_3.json');
    const key = await vectorPublicKey(v.input.sign0!.key);
    const qrText = asQrText(v.output.cbor);
    const card = await decodeCard(qrText);
    assert.deepEqual(card.cwt, {
      issuer: 'coap://as.example.com',
      subject: 'erikw',
      expiresAt: 1444064944,
      notBefore: 1443944944,
      issuedAt: 1443944944,
    });
    assert.equal(await verifyCoseSign1(card.message, key), true);
    const verdict = await verifyCard(qrText, { keys: [key], now: new Date(1444000000 * 1000) });
    assert.equal(verdict.reason, 'MISSING_CLAIM');
  });

  for (const [name, reason] of [
    ['A_4.json', 'UNSUPPORTED_COSE'], // COSE_Mac0: needs a shared secret
    ['A_5.json', 'UNSUPPORTED_COSE'], // COSE_Encrypt0 with AES-CCM, which WebCrypto lacks
    ['A_6.json', 'UNSUPPORTED_COSE'],
    ['A_7.json', 'UNSUPPORTED_COSE'],
  ] as const) {
    void test(`${name} is refused with ${reason}`, async () => {
      const v = readVector<CoseVector>('cose', 'CWT', name);
      const verdict = await verifyCard(asQrText(v.output.cbor), {
        keys: [],
        now: new Date(),
        decryptionKeys: [new Uint8Array(16)],
      });
      assert.equal(verdict.reason, reason);
    });
  }
});

interface Claim169Vector {
  name: string;
  qr_data: string;
  signing_key?: { algorithm: string; public_key_hex: string };
  encryption_key?: { symmetric_key_hex: string };
  expected_claim169?: Record<string, unknown>;
  expected_cwt_meta?: Record<string, unknown>;
  expected_error?: string;
}

// A time inside every valid vector's window (2025-06-15).
const claim169Now = new Date(1750000000 * 1000);

async function claim169Keys(v: Claim169Vector): Promise<VerificationKey[]> {
  return v.signing_key ? [await importPublicKey(v.signing_key.public_key_hex)] : [];
}

function decryptionKeys(v: Claim169Vector): Uint8Array[] {
  return v.encryption_key ? [hexToBytes(v.encryption_key.symmetric_key_hex)] : [];
}

const binaryFields = new Set([
  'photo',
  'face',
  'voice',
  'rightIris',
  'leftIris',
  'rightPalm',
  'leftPalm',
]);
const isBinaryField = (name: string) => binaryFields.has(name) || /(Thumb|Finger)$/.test(name);

function withoutBinaryData(value: unknown): unknown {
  return Array.isArray(value)
    ? value.map((entry) => ({ ...(entry as object), data: undefined }))
    : undefined;
}

// The vectors' expected JSON is not a faithful image of binary fields: it omits photos and
// biometrics, or spells their bytes lossily (with-face's JPEG header FF D8 FF E0 reads as
// '//3+4AAQ', the bytes after a UTF-8 round trip). Text and integer fields must match
// exactly; binary fields must be present in the decoded card, and their bytes are checked
// separately below.
function assertClaimsMatch(actual: unknown, expected: Record<string, unknown> | undefined): void {
  assert.ok(actual && expected);
  const claims = actual as Record<string, unknown>;
  for (const [name, value] of Object.entries(claims)) {
    if (isBinaryField(name)) {
      if (name in expected && name !== 'photo')
        assert.deepEqual(withoutBinaryData(value), withoutBinaryData(expected[name]));
    } else {
      assert.deepEqual(value, expected[name], name);
    }
  }
  for (const name of Object.keys(expected)) assert.ok(name in claims, `${name} decoded`);
}

void describe('Claim 169 vectors', () => {
  const verdicts: Record<string, ReasonCode | 'VALID'> = {
    'valid/ed25519-signed.json': 'VALID',
    'valid/ecdsa-p256-signed.json': 'VALID',
    'valid/encrypted-signed.json': 'VALID',
    'invalid/bad-base45.json': 'BAD_BASE45',
    'invalid/bad-zlib.json': 'BAD_COMPRESSION',
    'invalid/not-cose.json': 'NOT_COSE',
  };
  for (const folder of ['valid', 'edge', 'invalid']) {
    for (const name of listVectors('claim169', 'test-vectors', folder)) {
      const path = `${folder}/${name}`;
      const expected = verdicts[path] ?? 'UNSIGNED';
      void test(`${path}: verifyCard says ${expected}`, async () => {
        const v = readVector<Claim169Vector>('claim169', 'test-vectors', folder, name);
        const verdict = await verifyCard(v.qr_data, {
          keys: await claim169Keys(v),
          decryptionKeys: decryptionKeys(v),
          now: claim169Now,
        });
        assert.equal(verdict.reason, expected, verdict.message);
        assert.equal(verdict.valid, expected === 'VALID');
        if (expected === 'VALID') assertClaimsMatch(verdict.claims, v.expected_claim169);
      });
    }
  }

  for (const folder of ['valid', 'edge']) {
    for (const name of listVectors('claim169', 'test-vectors', folder)) {
      void test(`${folder}/${name}: decodes to the expected claims and CWT meta`, async () => {
        const v = readVector<Claim169Vector>('claim169', 'test-vectors', folder, name);
        const card = await decodeCard(v.qr_data, { decryptionKeys: decryptionKeys(v) });
        assertClaimsMatch(card.claims, v.expected_claim169);
        const { claim169: _ignored, ...meta } = card.cwt;
        assert.deepEqual(meta, v.expected_cwt_meta);
      });
    }
  }

  void test('edge/unknown-fields keeps unknown keys out of the claims and reports them', async () => {
    const v = readVector<Claim169Vector>('claim169', 'test-vectors', 'edge', 'unknown-fields.json');
    const card = await decodeCard(v.qr_data);
    assert.ok(card.unknownClaimKeys.length > 0);
  });

  void test('edge/expired and edge/not-yet-valid follow the clock they are checked at', async () => {
    const expired = readVector<Claim169Vector>('claim169', 'test-vectors', 'edge', 'expired.json');
    const future = readVector<Claim169Vector>(
      'claim169',
      'test-vectors',
      'edge',
      'not-yet-valid.json',
    );
    const expiredCwt = (await decodeCard(expired.qr_data)).cwt;
    const futureCwt = (await decodeCard(future.qr_data)).cwt;
    assert.equal(checkCardTime(expiredCwt, 1750000000), 'EXPIRED');
    assert.equal(checkCardTime(expiredCwt, 1600000000), null);
    assert.equal(checkCardTime(futureCwt, 1750000000), 'NOT_YET_VALID');
    assert.equal(checkCardTime(futureCwt, 2530000000), null);
  });

  void test('with-face carries a JPEG header (FF D8 FF E0) in its face data', async () => {
    const v = readVector<Claim169Vector>('claim169', 'test-vectors', 'valid', 'with-face.json');
    const face = (await decodeCard(v.qr_data)).claims?.face as { data: string }[];
    assert.equal(bytesToHex(base64ToBytes(face[0]!.data)).slice(0, 8), 'ffd8ffe0');
  });

  void test('invalid/missing-169 decodes to a CWT without claim 169', async () => {
    const v = readVector<Claim169Vector>('claim169', 'test-vectors', 'invalid', 'missing-169.json');
    const card = await decodeCard(v.qr_data);
    assert.equal(card.claims, null);
  });
});
