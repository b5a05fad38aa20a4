import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateToken, hashToken, safeEqual, tokenKind } from './tokens';

const fixed = (byte: number) => (size: number) => new Uint8Array(size).fill(byte);

void describe('tokens', () => {
  void it('builds prefix + 32 random bytes in base64url', () => {
    const api = generateToken('api', fixed(0xff));
    assert.equal(api, 'tsk_' + '_'.repeat(42) + '8');
    const session = generateToken('session', fixed(0));
    assert.equal(session, 'tss_' + 'A'.repeat(43));
  });

  void it('draws fresh randomness by default', () => {
    const a = generateToken('api');
    const b = generateToken('api');
    assert.notEqual(a, b);
    assert.match(a, /^tsk_[A-Za-z0-9_-]{43}$/);
  });

  void it('refuses a random source that returns too few bytes', () => {
    assert.throws(() => generateToken('api', () => new Uint8Array(16)), /short/);
  });

  void it('recognises each kind and nothing malformed', () => {
    assert.equal(tokenKind(generateToken('api')), 'api');
    assert.equal(tokenKind(generateToken('session')), 'session');
    for (const bad of ['', 'tsk_', 'tsk_abc', 'xyz_' + 'A'.repeat(43), 'tsk_' + 'A'.repeat(44)]) {
      assert.equal(tokenKind(bad), null, bad);
    }
    assert.equal(tokenKind('tsk_' + 'A'.repeat(42) + '='), null);
  });

  void it('hashes to SHA-256 hex (stable, so it can be looked up)', () => {
    assert.equal(
      hashToken('abc'),
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    const t = generateToken('session');
    assert.equal(hashToken(t), hashToken(t));
    assert.notEqual(hashToken(t), t);
  });

  void it('compares equal and unequal strings of any length', () => {
    assert.equal(safeEqual('secret', 'secret'), true);
    assert.equal(safeEqual('secret', 'secreT'), false);
    assert.equal(safeEqual('secret', 'secret2'), false);
    assert.equal(safeEqual('', ''), true);
  });
});
