import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  consumeRecoveryCode,
  generateRecoveryCodes,
  hashRecoveryCode,
  matchRecoveryCode,
  normalizeRecoveryCode,
  unusedRecoveryCodes,
} from './recovery-codes';

void describe('recovery codes', () => {
  void it('generates ten distinct grouped codes and their hashes', () => {
    const { codes, hashes } = generateRecoveryCodes();
    assert.equal(codes.length, 10);
    assert.equal(new Set(codes).size, 10);
    for (const code of codes)
      assert.match(code, /^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/);
    assert.deepEqual(hashes, codes.map(hashRecoveryCode));
    for (const h of hashes) assert.match(h, /^[0-9a-f]{64}$/);
  });

  void it('is deterministic given the random source', () => {
    let n = 0;
    const counting = (size: number) => Uint8Array.from({ length: size }, () => n++);
    const { codes } = generateRecoveryCodes(2, counting);
    assert.deepEqual(codes, ['0123-4567-89AB-CDEF', 'GHJK-MNPQ-RSTV-WXYZ']);
  });

  void it('matches a code typed sloppily: lowercase, spaces, O for 0, l for 1', () => {
    const hashes = [
      hashRecoveryCode('0123-4567-89AB-CDEF'),
      hashRecoveryCode('GHJK-MNPQ-RSTV-WXYZ'),
    ];
    assert.deepEqual(matchRecoveryCode('ghjk mnpq rstv wxyz', hashes), { ok: true, index: 1 });
    assert.deepEqual(matchRecoveryCode('o l23 4567 89ab cdef', hashes), { ok: true, index: 0 });
    assert.equal(normalizeRecoveryCode('o123456789abcdeF'), '0123456789ABCDEF');
  });

  void it('refuses wrong and malformed codes', () => {
    const { hashes } = generateRecoveryCodes(3);
    assert.deepEqual(matchRecoveryCode('0000-0000-0000-0000', hashes), {
      ok: false,
      reason: 'wrong',
    });
    for (const bad of ['', '0123-4567', '0123-4567-89AB-CDEFG', '0123-4567-89AB-CDEU']) {
      assert.deepEqual(matchRecoveryCode(bad, hashes), { ok: false, reason: 'malformed' });
    }
    assert.throws(() => hashRecoveryCode('nope'));
  });

  void it('consumes a code exactly once and leaves the others usable', () => {
    const { codes, hashes } = generateRecoveryCodes(4);
    const first = consumeRecoveryCode(codes[2]!, hashes);
    assert.ok(first.ok);
    assert.equal(first.index, 2);
    assert.equal(first.remaining[2], null);
    assert.equal(unusedRecoveryCodes(first.remaining), 3);
    assert.deepEqual(consumeRecoveryCode(codes[2]!, first.remaining), {
      ok: false,
      reason: 'wrong',
    });
    const second = consumeRecoveryCode(codes[0]!, first.remaining);
    assert.ok(second.ok);
    assert.deepEqual(second.remaining, [null, hashes[1], null, hashes[3]]);
    assert.equal(hashes[2] !== null, true, 'the input list is not mutated');
  });

  void it('ignores corrupt stored entries instead of crashing the sign-in', () => {
    const { codes } = generateRecoveryCodes(1);
    assert.deepEqual(matchRecoveryCode(codes[0]!, ['xyz', null, 'z'.repeat(64)]), {
      ok: false,
      reason: 'wrong',
    });
  });

  void it('refuses an absurd count', () => {
    assert.throws(() => generateRecoveryCodes(0));
    assert.throws(() => generateRecoveryCodes(1000));
  });
});
