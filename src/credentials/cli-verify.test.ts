// `tessera verify` driven in-process: exit statuses, JSON output, every key form, images.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { Command } from 'commander';
import { registerVerifyCommand, runVerifyCommand } from './cli-verify';
import type { VerifyCommandOptions } from './cli-verify';
import { createRevocationList } from './create-revocation-list';
import { createTrustList } from './create-trust-list';
import { generateIssuerKey, importSigningKey } from './generate-issuer-key';
import { issueCard } from './issue-card';
import { renderCardFrontSvg } from './render-card-svg';
import { renderCardPng } from './render-card-png';
import { listVectors, readVector } from './test-support';

const dir = mkdtempSync(join(tmpdir(), 'tessera-verify-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const pair = await generateIssuerKey();
const key = await importSigningKey(pair.privateJwk, pair.kid);
const issuedAt = new Date('2025-03-01T00:00:00Z');
const expiresAt = new Date('2030-03-01T00:00:00Z');
const face = {
  registryNumber: 'VE-9',
  givenNames: 'Luis',
  surnames: 'Mora',
  dateOfBirth: '1970-05-02',
};
const card = await issueCard({
  face,
  serial: 5,
  issuer: 'https://id.example.gob.ve',
  key,
  issuedAt,
  expiresAt,
});
const revokedCard = await issueCard({
  face,
  serial: 6,
  issuer: 'https://id.example.gob.ve',
  key,
  issuedAt,
  expiresAt,
});

const paths = {
  jwk: join(dir, 'key.jwk'),
  trust: join(dir, 'trust.json'),
  revocations: join(dir, 'revocations.json'),
  png: join(dir, 'card.png'),
};
writeFileSync(paths.jwk, JSON.stringify(pair.publicJwk));
const entry = {
  kid: pair.kid,
  alg: 'EdDSA' as const,
  publicJwk: pair.publicJwk,
  validFrom: issuedAt.toISOString(),
};
writeFileSync(
  paths.trust,
  JSON.stringify(
    await createTrustList({
      issuer: 'https://id.example.gob.ve',
      issuedAt,
      keys: [entry],
      signingKey: key,
    }),
  ),
);
const listIssuedAt = new Date('2026-01-10T00:00:00Z');
writeFileSync(
  paths.revocations,
  JSON.stringify(
    await createRevocationList({
      issuer: 'https://id.example.gob.ve',
      issuedAt: listIssuedAt,
      revokedSerials: [6],
      signingKey: key,
    }),
  ),
);
writeFileSync(
  paths.png,
  renderCardPng(renderCardFrontSvg({ face, qrText: card.qrText, serial: 5, expiresAt })),
);

async function run(
  options: Omit<VerifyCommandOptions, 'stdout' | 'stderr'>,
): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runVerifyCommand({
    at: '2026-01-13T00:00:00Z',
    ...options,
    stdout: (l) => out.push(l),
    stderr: (l) => err.push(l),
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

void describe('tessera verify', () => {
  void test('a valid card with a trust list and revocation list: exit 0, JSON with the verdict and list age', async () => {
    const { code, out } = await run({
      input: card.qrText,
      trust: paths.trust,
      revocations: paths.revocations,
      json: true,
    });
    assert.equal(code, 0);
    const json = JSON.parse(out) as Record<string, unknown>;
    assert.equal(json.valid, true);
    assert.equal(json.reason, 'VALID');
    assert.equal(json.kid, pair.kid);
    assert.equal((json.claims as Record<string, unknown>).id, 'VE-9');
    assert.equal(json.issuedAt, issuedAt.toISOString());
    assert.equal(json.expiresAt, expiresAt.toISOString());
    assert.equal(json.revocationListAgeSeconds, 3 * 86400);
  });

  void test('a PNG image of the card, with the key as a JWK file: exit 0, plain-language output', async () => {
    const { code, out } = await run({
      input: paths.png,
      key: paths.jwk,
      revocations: paths.revocations,
    });
    assert.equal(code, 0);
    assert.match(out, /^VALID/);
    assert.match(out, /Luis Mora/);
    assert.match(out, /revocation list is 3 days old/);
  });

  void test('a revoked card: exit 1 with REVOKED', async () => {
    const { code, out } = await run({
      input: revokedCard.qrText,
      trust: paths.trust,
      revocations: paths.revocations,
    });
    assert.equal(code, 1);
    assert.match(out, /REFUSED \(REVOKED\)/);
  });

  void test('an expired card (--at after expiry): exit 1 with EXPIRED', async () => {
    const { code, out } = await run({
      input: card.qrText,
      key: paths.jwk,
      at: '2031-01-01T00:00:00Z',
      json: true,
    });
    assert.equal(code, 1);
    assert.equal((JSON.parse(out) as { reason: string }).reason, 'EXPIRED');
  });

  void test('bad usage exits 2: no key, a bad time, a missing image, an unreadable key', async () => {
    assert.equal((await run({ input: card.qrText })).code, 2);
    assert.equal((await run({ input: card.qrText, key: paths.jwk, at: 'yesterday' })).code, 2);
    assert.equal((await run({ input: join(dir, 'missing.png'), key: paths.jwk })).code, 2);
    const bad = await run({ input: card.qrText, key: 'nonsense' });
    assert.equal(bad.code, 2);
    assert.match(bad.err, /BAD_KEY/);
  });

  void test('registers as a commander subcommand', async () => {
    const program = new Command().exitOverride();
    const writes: string[] = [];
    registerVerifyCommand(program, { stdout: (line) => writes.push(line), stderr: () => {} });
    const previous = process.exitCode;
    const args = [
      'verify',
      card.qrText,
      '--key',
      paths.jwk,
      '--at',
      '2026-01-01T00:00:00Z',
      '--json',
    ];
    await program.parseAsync(args, { from: 'user' });
    assert.equal(process.exitCode, 0);
    assert.equal((JSON.parse(writes.join('')) as { valid: boolean }).valid, true);
    process.exitCode = previous;
  });

  void test('the shared encrypted Claim 169 vectors verify from the command line as through the library', async () => {
    interface Vector {
      qr_data: string;
      signing_key?: { public_key_hex: string };
      encryption_key?: { symmetric_key_hex: string };
    }
    // As conformance.test.ts labels them: encrypted-signed is a signed card inside the
    // encryption; encrypted-aes256 encrypts bare claims, which nobody signed.
    const expected: Record<string, string> = {
      'encrypted-signed.json': 'VALID',
      'encrypted-aes256.json': 'UNSIGNED',
    };
    const encrypted = listVectors('claim169', 'test-vectors', 'valid').filter((name) =>
      name.startsWith('encrypted'),
    );
    assert.deepEqual(encrypted.sort(), Object.keys(expected).sort());
    for (const name of encrypted) {
      const v = readVector<Vector>('claim169', 'test-vectors', 'valid', name);
      const secret = v.encryption_key?.symmetric_key_hex ?? '';
      const common = {
        input: v.qr_data,
        // An unsigned vector names no key; the command still wants one to trust.
        key: v.signing_key?.public_key_hex ?? paths.jwk,
        at: '2025-06-15T00:00:00Z',
      };
      const withKey = await run({ ...common, decryptKey: secret, json: true });
      assert.equal((JSON.parse(withKey.out) as { reason: string }).reason, expected[name], name);
      assert.equal(withKey.code, expected[name] === 'VALID' ? 0 : 1, name);
      // The same key as Base64, in a file, among others that do not open it.
      const file = join(dir, `${name}.key`);
      writeFileSync(file, Buffer.from(secret, 'hex').toString('base64'));
      const fromFile = await run({ ...common, decryptKey: ['00'.repeat(32), file], json: true });
      assert.equal((JSON.parse(fromFile.out) as { reason: string }).reason, expected[name], name);
      const without = await run({ ...common, json: true });
      assert.equal((JSON.parse(without.out) as { reason: string }).reason, 'ENCRYPTED', name);
    }
    const signed = readVector<Vector>('claim169', 'test-vectors', 'valid', 'encrypted-signed.json');
    const human = await run({
      input: signed.qr_data,
      key: signed.signing_key?.public_key_hex ?? '',
      decryptKey: signed.encryption_key?.symmetric_key_hex ?? '',
      at: '2025-06-15T00:00:00Z',
    });
    assert.match(human.out, /^VALID/);
    assert.match(human.out, /Encrypted Signed Test Person/);
  });

  void test('a decryption key that is not 16, 24 or 32 bytes of hex or Base64 is bad usage', async () => {
    for (const bad of ['abc', '00'.repeat(20), 'not base64!']) {
      const result = await run({ input: card.qrText, key: paths.jwk, decryptKey: bad });
      assert.equal(result.code, 2, bad);
      assert.match(result.err, /--decrypt-key must be an AES key/);
    }
  });

  void test('a birth known only by its year is shown as the year', async () => {
    const yearOnly = await issueCard({
      face: { ...face, dateOfBirth: '1970' },
      serial: 7,
      issuer: 'https://id.example.gob.ve',
      key,
      issuedAt,
      expiresAt,
    });
    const { out } = await run({ input: yearOnly.qrText, key: paths.jwk });
    assert.match(out, /date of birth: {2}1970$/m);
  });
});
