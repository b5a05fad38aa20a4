import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  base32Decode,
  base32Encode,
  generateTotpSecret,
  hotp,
  otpauthUri,
  totpCode,
  totpStep,
  verifyTotp,
} from './totp';

const rfcKey = Buffer.from('12345678901234567890', 'ascii');
const rfcSecret = base32Encode(rfcKey);

void describe('Base32 (RFC 4648 section 10 vectors)', () => {
  const vectors: [string, string][] = [
    ['', ''],
    ['f', 'MY'],
    ['fo', 'MZXQ'],
    ['foo', 'MZXW6'],
    ['foob', 'MZXW6YQ'],
    ['fooba', 'MZXW6YTB'],
    ['foobar', 'MZXW6YTBOI'],
  ];
  void it('encodes and decodes each vector', () => {
    for (const [plain, encoded] of vectors) {
      assert.equal(base32Encode(Buffer.from(plain)), encoded);
      assert.equal(base32Decode(encoded).toString(), plain);
    }
  });
  void it('decodes lowercase, spaced and padded input', () => {
    assert.equal(base32Decode('mzxw 6ytb-oi======').toString(), 'foobar');
  });
  void it('refuses characters outside the alphabet', () => {
    assert.throws(() => base32Decode('MZXW1'), /Base32/);
  });
  void it('round-trips the RFC 6238 secret', () => {
    assert.equal(rfcSecret, 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
    assert.deepEqual(base32Decode(rfcSecret), rfcKey);
  });
});

void describe('HOTP (RFC 4226 appendix D)', () => {
  void it('computes the ten published codes', () => {
    const expected = [
      '755224',
      '287082',
      '359152',
      '969429',
      '338314',
      '254676',
      '287922',
      '162583',
      '399871',
      '520489',
    ];
    expected.forEach((code, counter) => assert.equal(hotp(rfcKey, counter), code));
  });
});

void describe('TOTP (RFC 6238 appendix B, SHA-1)', () => {
  const vectors: [number, string][] = [
    [59, '94287082'],
    [1111111109, '07081804'],
    [1111111111, '14050471'],
    [1234567890, '89005924'],
    [2000000000, '69279037'],
    [20000000000, '65353130'],
  ];
  void it('computes the published 8-digit codes', () => {
    for (const [seconds, code] of vectors)
      assert.equal(totpCode(rfcSecret, seconds * 1000, 8), code);
  });
  void it('gives the last six digits as the 6-digit code', () => {
    for (const [seconds, code] of vectors) {
      assert.equal(totpCode(rfcSecret, seconds * 1000), code.slice(2));
    }
  });
});

void describe('verifyTotp', () => {
  const at = 1111111111 * 1000;
  const step = totpStep(at);

  void it('accepts the current code and returns its step', () => {
    assert.deepEqual(verifyTotp(rfcSecret, '050471', { atMs: at }), { ok: true, step });
  });

  void it('accepts one step of drift either way by default, not two', () => {
    const prev = totpCode(rfcSecret, at - 30_000);
    const next = totpCode(rfcSecret, at + 30_000);
    const far = totpCode(rfcSecret, at - 60_000);
    assert.deepEqual(verifyTotp(rfcSecret, prev, { atMs: at }), { ok: true, step: step - 1 });
    assert.deepEqual(verifyTotp(rfcSecret, next, { atMs: at }), { ok: true, step: step + 1 });
    assert.deepEqual(verifyTotp(rfcSecret, far, { atMs: at }), { ok: false, reason: 'wrong' });
    assert.deepEqual(verifyTotp(rfcSecret, far, { atMs: at, window: 2 }), {
      ok: true,
      step: step - 2,
    });
    assert.deepEqual(verifyTotp(rfcSecret, prev, { atMs: at, window: 0 }), {
      ok: false,
      reason: 'wrong',
    });
  });

  void it('refuses a replayed code, and an older one after a newer was used', () => {
    const code = totpCode(rfcSecret, at);
    const first = verifyTotp(rfcSecret, code, { atMs: at });
    assert.ok(first.ok);
    const again = verifyTotp(rfcSecret, code, { atMs: at + 5_000, lastUsedStep: first.step });
    assert.deepEqual(again, { ok: false, reason: 'replayed' });
    const older = totpCode(rfcSecret, at - 30_000);
    assert.deepEqual(verifyTotp(rfcSecret, older, { atMs: at, lastUsedStep: step }), {
      ok: false,
      reason: 'replayed',
    });
    const next = totpCode(rfcSecret, at + 30_000);
    assert.deepEqual(verifyTotp(rfcSecret, next, { atMs: at + 30_000, lastUsedStep: step }), {
      ok: true,
      step: step + 1,
    });
  });

  void it('refuses a wrong code and malformed input', () => {
    assert.deepEqual(verifyTotp(rfcSecret, '000000', { atMs: at }), { ok: false, reason: 'wrong' });
    for (const bad of ['', '12345', '1234567', 'abcdef', '12 34 5x', '٠١٢٣٤٥']) {
      assert.deepEqual(verifyTotp(rfcSecret, bad, { atMs: at }), {
        ok: false,
        reason: 'malformed',
      });
    }
  });

  void it('accepts a code typed with a space in the middle', () => {
    assert.equal(verifyTotp(rfcSecret, '050 471', { atMs: at }).ok, true);
  });

  void it('refuses an absurd window (a caller bug, not user input)', () => {
    assert.throws(() => verifyTotp(rfcSecret, '050471', { atMs: at, window: 100 }));
  });
});

void describe('secrets and enrolment URI', () => {
  void it('generates 20-byte secrets', () => {
    const secret = generateTotpSecret();
    assert.match(secret, /^[A-Z2-7]{32}$/);
    assert.equal(base32Decode(secret).length, 20);
    assert.notEqual(generateTotpSecret(), secret);
    assert.equal(
      generateTotpSecret((n) => new Uint8Array(n)),
      'A'.repeat(32),
    );
  });

  void it('builds an otpauth URI apps understand', () => {
    const uri = otpauthUri(rfcSecret.toLowerCase(), 'amina@tessera', 'Tessera Ministry');
    assert.equal(
      uri,
      'otpauth://totp/Tessera%20Ministry:amina%40tessera?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ' +
        '&issuer=Tessera+Ministry&algorithm=SHA1&digits=6&period=30',
    );
  });
});
