import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadAuditSealKey } from './audit-seal-keys';
import {
  appendPinnedSealKey,
  createPinnedSealKeysFile,
  parsePinnedSealKeys,
  pinnedSealKeysFromEnv,
  readPinnedSealKeysFile,
  requirePinned,
  signRotation,
} from './pinned-seal-keys';

const at = '2026-12-01T10:00:00.000Z';

function newKey(dir: string, name: string) {
  return loadAuditSealKey(join(dir, name), { create: true });
}

void describe('pinned audit seal keys', () => {
  void it('pins the key on the first start of a default install, then refuses any other key', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-pins-'));
    const env = { TESSERA_DATA_DIR: dir };
    const first = newKey(dir, 'a.pem');
    const pinned = requirePinned(first, at, env);
    const file = join(dir, 'keys', 'audit-seal-keys.pub');
    assert.equal(pinned.file, file);
    assert.deepEqual([...pinned.keys.keys()], [first.keyId]);
    assert.equal(statSync(file).mode & 0o777, 0o644);
    const other = newKey(dir, 'b.pem');
    assert.throws(
      () => requirePinned(other, at, env),
      new RegExp(`the audit seal key ${other.keyId} is not pinned in ${file}`),
    );
    assert.deepEqual([...pinnedSealKeysFromEnv(env).keys.keys()], [first.keyId], 'not re-pinned');
  });

  void it('never creates a file it was told to read, and never pins from nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-pins-'));
    const key = newKey(dir, 'a.pem');
    const named = { TESSERA_AUDIT_SEAL_PUBKEYS_FILE: join(dir, 'missing.pub') };
    assert.throws(
      () => requirePinned(key, at, named),
      /no audit seal keys are pinned: .*missing\.pub/,
    );
    assert.throws(() => pinnedSealKeysFromEnv({ TESSERA_DATA_DIR: dir }), /does not exist/);
  });

  void it('reads PEM blocks from the environment, with \\n for line breaks', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-pins-'));
    const a = newKey(dir, 'a.pem');
    const b = newKey(dir, 'b.pem');
    const inline = `${a.publicKeyPem}${b.publicKeyPem}`.replace(/\n/g, '\\n');
    const pinned = pinnedSealKeysFromEnv({ TESSERA_AUDIT_SEAL_PUBKEYS: inline });
    assert.deepEqual([...pinned.keys.keys()].sort(), [a.keyId, b.keyId].sort());
    assert.equal(pinned.file, null);
    assert.throws(
      () => pinnedSealKeysFromEnv({ TESSERA_AUDIT_SEAL_PUBKEYS: '' }),
      /holds no PEM public key/,
    );
  });

  void it('refuses a file others can write, naming it and the fix', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-pins-'));
    const file = join(dir, 'pins.pub');
    createPinnedSealKeysFile(file, newKey(dir, 'a.pem'), at);
    chmodSync(file, 0o666);
    assert.throws(
      () => readPinnedSealKeysFile(file),
      new RegExp(`${file} is writable by others \\(mode 666\\).*chmod 644 ${file}`),
    );
  });

  void it('refuses what is not an Ed25519 PEM public key, naming the line', () => {
    assert.throws(() => parsePinnedSealKeys('hello\n', 'pins'), /pins line 1: expected a PEM/);
    const broken = '# c\n-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n';
    assert.throws(() => parsePinnedSealKeys(broken, 'pins'), /pins line 4: not a PEM public key/);
    assert.throws(
      () => parsePinnedSealKeys('-----BEGIN PUBLIC KEY-----\nAAAA\n', 'pins'),
      /not terminated/,
    );
  });

  void it('appends a rotated key after its statement, and refuses a statement not by the old key', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-pins-'));
    const file = join(dir, 'pins.pub');
    const old = newKey(dir, 'old.pem');
    const next = newKey(dir, 'next.pem');
    createPinnedSealKeysFile(file, old, at);
    const rotation = signRotation(
      { newKeyId: next.keyId, newPublicKey: next.publicKeyPem, rotatedAt: at, lastSealedIndex: 9 },
      old,
    );
    appendPinnedSealKey(file, next, rotation, at);
    assert.deepEqual([...readPinnedSealKeysFile(file).keys()], [old.keyId, next.keyId]);
    const text = readFileSync(file, 'utf8');
    // A statement signed by someone else (here, by the new key itself) is refused.
    const forged = signRotation(
      { newKeyId: next.keyId, newPublicKey: next.publicKeyPem, rotatedAt: at, lastSealedIndex: 9 },
      { ...next, keyId: old.keyId },
    );
    const tampered = text.replace(JSON.stringify(rotation), JSON.stringify(forged));
    assert.notEqual(tampered, text);
    assert.throws(
      () => parsePinnedSealKeys(tampered, 'pins'),
      new RegExp(`the rotation to ${next.keyId} is refused: its signature is not by ${old.keyId}`),
    );
    // A statement followed by another key than the one it names is refused too.
    const third = newKey(dir, 'third.pem');
    const swapped = text.replace(next.publicKeyPem.trim(), third.publicKeyPem.trim());
    assert.throws(() => parsePinnedSealKeys(swapped, 'pins'), /names .*, not /);
  });
});
