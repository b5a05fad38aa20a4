// The seal public keys verification trusts: pinned outside the database.
//
// Anyone who can write to the database can insert a public key of their own next to the
// seals, rewrite the chain and re-sign it; so a seal is trusted only when its key is pinned in
// configuration — the file TESSERA_AUDIT_SEAL_PUBKEYS_FILE (default
// `<data dir>/keys/audit-seal-keys.pub`), or the PEM blocks in TESSERA_AUDIT_SEAL_PUBKEYS.
// The file is public (it holds public keys) but it must not be writable by group or others:
// whoever can write it can pin a key of their own.
//
// The file is plain text: PEM public-key blocks, with `#` comment lines between them. A key
// added by rotation (`tessera audit rotate-seal-key`) comes after a `# rotation {…}` line: the
// statement, signed by the key it replaces, that names the new key. Loading the file checks
// every such statement, so a witness given the appended block can check that the new key was
// introduced by the holder of the old one.
import { createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import {
  appendFileSync,
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { canonicalJson } from './audit-chain';
import { auditSealKeyId, type AuditSealKey } from './audit-seal-keys';

/** The trusted seal keys and where they came from (named in every refusal). */
export interface PinnedSealKeys {
  keys: ReadonlyMap<string, KeyObject>;
  /** The file, or `TESSERA_AUDIT_SEAL_PUBKEYS` when pinned in the environment. */
  source: string;
  /** The file rotation appends to; null when the keys come from the environment. */
  file: string | null;
}

/** A signed statement "key `previousKeyId` hands sealing over to `newKeyId`". */
export interface SealKeyRotation {
  type: 'tessera.audit.seal-key-rotation.v1';
  previousKeyId: string;
  newKeyId: string;
  /** SPKI PEM of the new key. */
  newPublicKey: string;
  /** ISO 8601 instant of the rotation. */
  rotatedAt: string;
  /** The last chain index sealed by the previous key (null on an empty log). */
  lastSealedIndex: number | null;
  /** Ed25519 signature by the previous key, base64url, over the rest in canonical JSON. */
  signature: string;
}

/** Largest pinned-keys file read (thousands of keys; a bigger file is a mistake). */
export const pinnedKeysFileBytesMax = 1024 * 1024;

const rotationPrefix = '# rotation ';

function rotationSigningInput(rotation: Omit<SealKeyRotation, 'signature'>): Buffer {
  const { type, previousKeyId, newKeyId, newPublicKey, rotatedAt, lastSealedIndex } = rotation;
  const payload = { type, previousKeyId, newKeyId, newPublicKey, rotatedAt, lastSealedIndex };
  return Buffer.from(canonicalJson(payload), 'utf8');
}

/** Signs a rotation statement with the key being replaced. */
export function signRotation(
  rotation: Omit<SealKeyRotation, 'signature' | 'type' | 'previousKeyId'>,
  previous: AuditSealKey,
): SealKeyRotation {
  const unsigned = {
    type: 'tessera.audit.seal-key-rotation.v1' as const,
    previousKeyId: previous.keyId,
    ...rotation,
  };
  const signature = sign(null, rotationSigningInput(unsigned), previous.privateKey);
  return { ...unsigned, signature: signature.toString('base64url') };
}

function rotationProblem(
  rotation: SealKeyRotation,
  keys: ReadonlyMap<string, KeyObject>,
): string | null {
  const previous = keys.get(rotation.previousKeyId);
  if (!previous) return `it names ${rotation.previousKeyId}, which is not pinned before it`;
  let ok = false;
  try {
    const signature = Buffer.from(rotation.signature, 'base64url');
    ok = verify(null, rotationSigningInput(rotation), previous, signature);
  } catch {
    ok = false;
  }
  return ok ? null : `its signature is not by ${rotation.previousKeyId}`;
}

// The statement names the key by id and by its whole public key: both must be this key.
function rotationNames(rotation: SealKeyRotation, key: KeyObject): boolean {
  const der = key.export({ type: 'spki', format: 'der' });
  try {
    const named = createPublicKey(rotation.newPublicKey).export({ type: 'spki', format: 'der' });
    return rotation.newKeyId === auditSealKeyId(key) && named.equals(der);
  } catch {
    return false;
  }
}

function parseRotation(line: string): SealKeyRotation | null {
  try {
    const value = JSON.parse(line.slice(rotationPrefix.length)) as Partial<SealKeyRotation>;
    const fields = [value.previousKeyId, value.newKeyId, value.newPublicKey, value.rotatedAt];
    if (value.type !== 'tessera.audit.seal-key-rotation.v1') return null;
    if (!fields.every((f) => typeof f === 'string') || typeof value.signature !== 'string')
      return null;
    return value as SealKeyRotation;
  } catch {
    return null;
  }
}

/**
 * Parses pinned keys: PEM public-key blocks (Ed25519) and `#` comments; a `# rotation` line
 * must be valid and signed by a key pinned before it, and the next block must be the key it
 * names. Throws naming `source` and the block on anything else.
 */
export function parsePinnedSealKeys(text: string, source: string): Map<string, KeyObject> {
  const keys = new Map<string, KeyObject>();
  let rotation: SealKeyRotation | null = null;
  const lines = text.split('\n');
  let pem: string[] | null = null;
  for (const [i, raw] of lines.entries()) {
    const line = raw.trim();
    const where = `${source} line ${i + 1}`;
    if (pem) {
      pem.push(line);
      if (line !== '-----END PUBLIC KEY-----') continue;
      const key = readPinnedKey(pem.join('\n'), where);
      const keyId = auditSealKeyId(key);
      if (rotation && !rotationNames(rotation, key)) {
        throw new Error(
          `${where}: the rotation statement before this key names ${rotation.newKeyId}, not ${keyId}`,
        );
      }
      keys.set(keyId, key);
      pem = null;
      rotation = null;
    } else if (line === '-----BEGIN PUBLIC KEY-----') {
      pem = [line];
    } else if (line.startsWith(rotationPrefix)) {
      rotation = parseRotation(line);
      if (!rotation) throw new Error(`${where}: not a seal-key rotation statement`);
      const problem = rotationProblem(rotation, keys);
      if (problem)
        throw new Error(`${where}: the rotation to ${rotation.newKeyId} is refused: ${problem}`);
    } else if (line !== '' && !line.startsWith('#')) {
      throw new Error(`${where}: expected a PEM public key or a # comment`);
    }
  }
  if (pem) throw new Error(`${source}: a PEM public key is not terminated`);
  if (rotation)
    throw new Error(`${source}: the rotation to ${rotation.newKeyId} is not followed by its key`);
  return keys;
}

function readPinnedKey(pem: string, where: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch {
    throw new Error(`${where}: not a PEM public key`);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`${where}: not an Ed25519 key`);
  return key;
}

/** Reads the pinned-keys file, refusing one that group or others can write. */
export function readPinnedSealKeysFile(file: string): Map<string, KeyObject> {
  const stat = statSync(file);
  const mode = stat.mode & 0o777;
  if (mode & 0o022) {
    throw new Error(
      `the pinned audit seal keys file ${file} is writable by others (mode ${mode.toString(8)}), who could pin a key of their own: run chmod 644 ${file}`,
    );
  }
  if (stat.size > pinnedKeysFileBytesMax) {
    throw new Error(
      `the pinned audit seal keys file ${file} is larger than ${pinnedKeysFileBytesMax} bytes`,
    );
  }
  return parsePinnedSealKeys(readFileSync(file, 'utf8'), file);
}

/** Where the pinned keys come from, as the environment says. */
export function pinnedSealKeysSetting(env: NodeJS.ProcessEnv = process.env): {
  inline: string | undefined;
  file: string;
  isDefault: boolean;
} {
  const named = env.TESSERA_AUDIT_SEAL_PUBKEYS_FILE;
  const file = named ?? join(env.TESSERA_DATA_DIR ?? './data', 'keys', 'audit-seal-keys.pub');
  const inline = env.TESSERA_AUDIT_SEAL_PUBKEYS;
  return { inline, file, isDefault: named === undefined && inline === undefined };
}

/**
 * The pinned seal keys from TESSERA_AUDIT_SEAL_PUBKEYS (PEM blocks; `\n` may stand for line
 * breaks) or the file. Throws when none is configured: verification without a trust anchor
 * outside the database would prove nothing.
 */
export function pinnedSealKeysFromEnv(env: NodeJS.ProcessEnv = process.env): PinnedSealKeys {
  const { inline, file } = pinnedSealKeysSetting(env);
  if (inline !== undefined) {
    const source = 'TESSERA_AUDIT_SEAL_PUBKEYS';
    const keys = parsePinnedSealKeys(inline.replace(/\\n/g, '\n'), source);
    if (keys.size === 0) throw new Error(`${source} holds no PEM public key`);
    return { keys, source, file: null };
  }
  if (!existsSync(file)) {
    throw new Error(
      `no audit seal keys are pinned: ${file} does not exist (set TESSERA_AUDIT_SEAL_PUBKEYS_FILE, or start the server once to create it)`,
    );
  }
  return { keys: readPinnedSealKeysFile(file), source: file, file };
}

function keyBlock(key: AuditSealKey, at: string, rotation?: SealKeyRotation): string {
  const lines = [`# ${key.keyId}, pinned ${at}`];
  if (rotation) lines.push(`${rotationPrefix}${JSON.stringify(rotation)}`);
  lines.push(key.publicKeyPem.trim(), '');
  return lines.join('\n');
}

/** Creates a pinned-keys file holding `key` (mode 644); refuses to replace an existing one. */
export function createPinnedSealKeysFile(file: string, key: AuditSealKey, at: string): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const header = [
    '# Tessera audit seal public keys. Verification trusts a seal only when its key is here.',
    '# Keep a copy with every witness; never let the database user write to this file.',
    '',
  ].join('\n');
  writeFileSync(file, header + keyBlock(key, at), { mode: 0o644, flag: 'wx' });
  chmodSync(file, 0o644); // readable by auditors and witnesses whatever the umask
}

/** Appends a key introduced by `rotation` (signed by the key it replaces) to the pinned file. */
export function appendPinnedSealKey(
  file: string,
  key: AuditSealKey,
  rotation: SealKeyRotation,
  at: string,
): void {
  appendFileSync(file, `\n${keyBlock(key, at, rotation)}`);
  // Read it back: the file as written must still parse, and must now pin the new key.
  if (!readPinnedSealKeysFile(file).has(key.keyId)) {
    throw new Error(`invariant violated: ${file} does not pin ${key.keyId} after appending it`);
  }
}

/**
 * Refuses a signing key that is not pinned, since its seals would fail verification. On the
 * default settings a missing file is created with the key (the first start of a fresh
 * install, or the first start after upgrading to pinned keys).
 */
export function requirePinned(
  key: AuditSealKey,
  at: string,
  env: NodeJS.ProcessEnv = process.env,
): PinnedSealKeys {
  const setting = pinnedSealKeysSetting(env);
  if (setting.isDefault && !existsSync(setting.file)) {
    try {
      createPinnedSealKeysFile(setting.file, key, at);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  const pinned = pinnedSealKeysFromEnv(env);
  if (!pinned.keys.has(key.keyId)) {
    throw new Error(
      `the audit seal key ${key.keyId} is not pinned in ${pinned.source}: its seals would not verify (pin its public key, or rotate with tessera audit rotate-seal-key)`,
    );
  }
  return pinned;
}
