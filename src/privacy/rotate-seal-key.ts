// Replacing the key that seals the audit log. The old key seals what is pending, signs a
// statement naming the new key, and that statement and the new public key are appended to
// the pinned-keys file before the new private key replaces the old one (a rename, so that a
// running server never reads half a file, and picks the new key up at its next batch). The
// old public key stays pinned, so seals made with it still verify; its private half is gone.
import { existsSync, renameSync, rmSync } from 'node:fs';
import type { AppContext, Caller } from '../shared/context';
import { DomainError } from '../shared/errors';
import { appendAudit } from './append-audit';
import { readAuditHead } from './audit-head';
import { auditKeySettings } from './audit-key-settings';
import { auditSealKeyFile, loadAuditSealKey } from './audit-seal-keys';
import { sealPendingAudit } from './audit-sealer';
import { appendPinnedSealKey, signRotation, type SealKeyRotation } from './pinned-seal-keys';

/** What a rotation did. */
export interface SealKeyRotationResult {
  rotation: SealKeyRotation;
  /** The pinned-keys file the new key was appended to. */
  pinnedFile: string;
  /** The private key file, now holding the new key. */
  keyFile: string;
}

/** Rotates the seal key named by the environment (see the README's configuration table). */
export async function rotateSealKey(
  app: AppContext,
  caller: Caller,
  env: NodeJS.ProcessEnv = process.env,
): Promise<SealKeyRotationResult> {
  const settings = auditKeySettings(app);
  const previous = settings.sealKey();
  const pinned = settings.pinnedKeys();
  if (pinned.file === null) {
    throw new DomainError(
      'INVALID_STATE',
      `the seal keys are pinned in ${pinned.source}, which a rotation cannot append to: pin them in a file (TESSERA_AUDIT_SEAL_PUBKEYS_FILE) first`,
    );
  }
  await sealPendingAudit(app, { key: previous });
  const head = await readAuditHead(app.db.kysely);
  const { file: keyFile } = auditSealKeyFile(env);
  const nextFile = `${keyFile}.next`;
  // A leftover from a rotation that stopped before pinning is discarded: it was never used.
  if (existsSync(nextFile)) rmSync(nextFile);
  const next = loadAuditSealKey(nextFile, { create: true });
  const rotatedAt = app.now().toISOString();
  const rotation = signRotation(
    {
      newKeyId: next.keyId,
      newPublicKey: next.publicKeyPem,
      rotatedAt,
      lastSealedIndex: head?.chainIndex ?? null,
    },
    previous,
  );
  appendPinnedSealKey(pinned.file, next, rotation, rotatedAt);
  renameSync(nextFile, keyFile);
  const details = {
    previousKeyId: previous.keyId,
    newKeyId: next.keyId,
    lastSealedIndex: rotation.lastSealedIndex,
  };
  await app.db.transaction((trx) =>
    appendAudit(trx, app, caller, { operation: 'audit.seal_key_rotate', details }),
  );
  // The rotation's own entry is the first the new key seals.
  await sealPendingAudit(app, { key: next });
  return { rotation, pinnedFile: pinned.file, keyFile };
}
