// The key that signs audit seals, and the inventory of every such key's public half.
//
// The private key lives outside the database (environment-named file, or a 0600 file in
// the data directory created on first use), so that someone who can write to the database
// cannot re-sign a rewritten chain. Every public key that signed a seal is listed in
// `audit_seal_keys`, but only as an inventory: verification trusts the keys pinned outside
// the database (pinned-seal-keys.ts), never this table, since whoever can write to the
// database can add a key of their own to it.
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Queryable } from '../db';
import type { MigrationStep } from '../db';
import { columnTypes } from '../db/columns';
import { readSecretFile } from '../shared/secrets';

/** One public key that has signed (or may sign) audit seals. */
export type AuditSealKeysTable = {
  key_id: string;
  /** SPKI PEM of the Ed25519 public key. */
  public_key: string;
  created_at: string;
};

/** The table this file adds, for `kysely.withTables<SealKeyTables>()` (kept out of Schema). */
export type SealKeyTables = { audit_seal_keys: AuditSealKeysTable };

/** Migration: the table of seal public keys. */
export const auditSealKeysInitial: MigrationStep = async (db, engine) => {
  const t = columnTypes(engine);
  await db.schema
    .createTable('audit_seal_keys')
    .addColumn('key_id', t.text, (c) => c.primaryKey())
    .addColumn('public_key', t.text, (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .execute();
};

/** The system key that signs seals: never logged, never stored in the database. */
export interface AuditSealKey {
  keyId: string;
  privateKey: KeyObject;
  publicKeyPem: string;
}

/** The key id of an Ed25519 public key: `audit-` and 16 hex digits of its SPKI SHA-256. */
export function auditSealKeyId(publicKey: KeyObject): string {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return `audit-${createHash('sha256').update(der).digest('hex').slice(0, 16)}`;
}

function fromPrivateKey(privateKey: KeyObject, where: string): AuditSealKey {
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new Error(`the audit seal key in ${where} must be an Ed25519 key`);
  }
  const publicKey = createPublicKey(privateKey);
  const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  return { keyId: auditSealKeyId(publicKey), privateKey, publicKeyPem };
}

/**
 * Reads the seal key (PKCS#8 PEM) from `file`, refusing a file others can read. With
 * `create`, a missing file is made with a new key, mode 600, without overwriting a file
 * another process created meanwhile.
 */
export function loadAuditSealKey(file: string, options: { create: boolean }): AuditSealKey {
  if (!existsSync(file)) {
    if (!options.create) throw new Error(`the audit seal key file ${file} does not exist`);
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    const { privateKey } = generateKeyPairSync('ed25519');
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    try {
      writeFileSync(file, pem, { mode: 0o600, flag: 'wx' });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(readSecretFile(file));
  } catch (e) {
    // Say which file, never what it holds.
    const why =
      e instanceof Error && /readable by others/.test(e.message)
        ? e.message
        : 'not a PEM private key';
    throw new Error(`cannot use the audit seal key in ${file}: ${why}`);
  }
  return fromPrivateKey(privateKey, file);
}

const keysByFile = new Map<string, { stamp: string; key: AuditSealKey }>();

/** The seal key file TESSERA_AUDIT_KEY_FILE names, else the default in the data directory. */
export function auditSealKeyFile(env: NodeJS.ProcessEnv = process.env): {
  file: string;
  isDefault: boolean;
} {
  const named = env.TESSERA_AUDIT_KEY_FILE;
  // Same data directory default as settingsFromEnv() in src/shared/settings.ts.
  const file = named ?? join(env.TESSERA_DATA_DIR ?? './data', 'keys', 'audit-seal.pem');
  return { file, isDefault: named === undefined };
}

// Which version of the file a cached key came from: a rotation replaces the file (a new
// inode), and a running server must start sealing with the new key.
function fileStamp(file: string): string {
  if (!existsSync(file)) return 'missing';
  const s = statSync(file);
  return `${s.ino}:${s.mtimeMs}:${s.size}:${s.mode}`;
}

/**
 * The seal key named by TESSERA_AUDIT_KEY_FILE (which must exist), else
 * `<TESSERA_DATA_DIR or ./data>/keys/audit-seal.pem` (created on first use). Cached per file,
 * and read again when the file changes.
 */
export function auditSealKeyFromEnv(env: NodeJS.ProcessEnv = process.env): AuditSealKey {
  const { file, isDefault } = auditSealKeyFile(env);
  const stamp = fileStamp(file);
  const cached = keysByFile.get(file);
  if (cached && cached.stamp === stamp) return cached.key;
  const key = loadAuditSealKey(file, { create: isDefault });
  keysByFile.set(file, { stamp: fileStamp(file), key });
  return key;
}

/** Records the key's public half (once), in the transaction that first uses it. */
export async function recordSealKey(trx: Queryable, key: AuditSealKey, at: string): Promise<void> {
  await trx
    .withTables<SealKeyTables>()
    .insertInto('audit_seal_keys')
    .values({ key_id: key.keyId, public_key: key.publicKeyPem, created_at: at })
    .onConflict((oc) => oc.column('key_id').doNothing())
    .execute();
}
