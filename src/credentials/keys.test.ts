// Issuer keys: every public-key form an operator may hold verifies the same card, and
// private keys at rest open only with their key-encryption key.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createPrivateKey, createPublicKey, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { bytesToHex, base64ToBytes } from './bytes';
import { generateIssuerKey, importSigningKey } from './generate-issuer-key';
import { importPublicKey } from './import-public-key';
import { issueCard } from './issue-card';
import {
  parseKeyEncryptionKey,
  protectPrivateKey,
  unprotectPrivateKey,
} from './protect-private-key';
import { verifyCard } from './verify-card';

const pair = await generateIssuerKey();
const signing = await importSigningKey(pair.privateJwk, pair.kid);
const issuedAt = new Date('2025-01-01T00:00:00Z');
const { qrText } = await issueCard({
  face: { registryNumber: 'VE-1', givenNames: 'Ana', surnames: 'Gil', dateOfBirth: '1990' },
  serial: 1,
  issuer: 'https://id.example.gob.ve',
  key: signing,
  issuedAt,
  expiresAt: new Date('2030-01-01T00:00:00Z'),
});
const now = new Date('2026-01-01T00:00:00Z');

async function reasonWith(keyText: string): Promise<string> {
  return (await verifyCard(qrText, { keys: [await importPublicKey(keyText)], now })).reason;
}

// A real self-signed X.509 certificate for the key, made by OpenSSL (an independent tool).
function certificateFor(privateJwk: JsonWebKey): string {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-cert-'));
  try {
    const pem = createPrivateKey({ key: privateJwk as never, format: 'jwk' }).export({
      type: 'pkcs8',
      format: 'pem',
    });
    writeFileSync(join(dir, 'key.pem'), pem, { mode: 0o600 });
    const args = [
      'req',
      '-x509',
      '-new',
      '-key',
      join(dir, 'key.pem'),
      '-subj',
      '/CN=Tessera test',
    ];
    execFileSync('openssl', [...args, '-days', '30', '-out', join(dir, 'cert.pem')], {
      stdio: 'ignore',
    });
    return readFileSync(join(dir, 'cert.pem'), 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void describe('importPublicKey', () => {
  void test('a JWK, PEM SPKI, X.509 PEM and base64 DER, and raw hex all verify the card', async () => {
    const spkiPem = createPublicKey({ key: pair.publicJwk as never, format: 'jwk' }).export({
      type: 'spki',
      format: 'pem',
    }) as string;
    const certPem = certificateFor(pair.privateJwk);
    const certDer = certPem.replace(/-----[A-Z ]+-----|\s/g, '');
    const rawHex = bytesToHex(base64ToBytes(pair.publicJwk.x!));
    assert.equal(await reasonWith(JSON.stringify(pair.publicJwk)), 'VALID');
    assert.equal(await reasonWith(spkiPem), 'VALID');
    assert.equal(await reasonWith(certPem), 'VALID');
    assert.equal(await reasonWith(certDer), 'VALID');
    assert.equal(await reasonWith(rawHex), 'VALID');
  });

  void test('another key fails the signature; malformed key text is BAD_KEY', async () => {
    const other = await generateIssuerKey();
    assert.equal(await reasonWith(bytesToHex(base64ToBytes(other.publicJwk.x!))), 'BAD_SIGNATURE');
    assert.equal(await reasonWith(JSON.stringify(other.publicJwk)), 'UNKNOWN_KEY');
    for (const bad of [
      '{"kty":"RSA"}',
      'abcd',
      '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----',
      'not a key',
      '{',
    ]) {
      await assert.rejects(importPublicKey(bad), { code: 'BAD_KEY' }, bad);
    }
  });
});

void describe('private keys at rest', () => {
  void test('round-trip under the KEK, bound to the kid; a wrong KEK or kid is refused without detail', () => {
    const kek = parseKeyEncryptionKey(randomBytes(32).toString('base64'));
    const stored = protectPrivateKey(pair.privateJwk, pair.kid, kek);
    assert.doesNotMatch(JSON.stringify(stored), new RegExp(pair.privateJwk.d!));
    assert.deepEqual(unprotectPrivateKey(stored, kek), JSON.parse(JSON.stringify(pair.privateJwk)));
    assert.throws(() => unprotectPrivateKey(stored, new Uint8Array(32)), { code: 'BAD_KEY' });
    assert.throws(() => unprotectPrivateKey({ ...stored, kid: 'other' }, kek), { code: 'BAD_KEY' });
    assert.throws(() => parseKeyEncryptionKey('short'), { code: 'BAD_KEY' });
    assert.equal(parseKeyEncryptionKey('ab'.repeat(32)).length, 32);
  });
});
