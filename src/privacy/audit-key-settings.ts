// Which key signs seals and which keys verification trusts, per application context: from
// the environment by default (TESSERA_AUDIT_KEY_FILE, TESSERA_AUDIT_SEAL_PUBKEYS[_FILE]),
// or set by a test. Both are functions, read when used, so that a server picks up a rotated
// key and a command that only verifies never touches the private key.
import { createPublicKey } from 'node:crypto';
import type { AppContext } from '../shared/context';
import { auditSealKeyFromEnv, type AuditSealKey } from './audit-seal-keys';
import { pinnedSealKeysFromEnv, requirePinned, type PinnedSealKeys } from './pinned-seal-keys';

/** The audit log's keys for one application context. */
export interface AuditKeySettings {
  /** The signing key; refused unless it is pinned. */
  sealKey: () => AuditSealKey;
  /** The keys a seal or an anchor may be signed with. */
  pinnedKeys: () => PinnedSealKeys;
}

const settingsByApp = new WeakMap<AppContext, AuditKeySettings>();

/** Settings from the environment (see the README's configuration table). */
export function auditKeySettingsFromEnv(
  app: AppContext,
  env: NodeJS.ProcessEnv = process.env,
): AuditKeySettings {
  return {
    sealKey: () => {
      const key = auditSealKeyFromEnv(env);
      requirePinned(key, app.now().toISOString(), env);
      return key;
    },
    pinnedKeys: () => pinnedSealKeysFromEnv(env),
  };
}

/** Sets the audit keys of one application context (tests; a server uses the environment). */
export function configureAuditKeys(app: AppContext, settings: AuditKeySettings): void {
  settingsByApp.set(app, settings);
}

/** Signs with `key` and trusts exactly `trusted` (default: `key` alone), pinned in memory. */
export function pinAuditKeysInMemory(
  app: AppContext,
  key: AuditSealKey,
  trusted: readonly AuditSealKey[] = [key],
): void {
  const keys = new Map(trusted.map((k) => [k.keyId, createPublicKey(k.privateKey)]));
  configureAuditKeys(app, {
    sealKey: () => key,
    pinnedKeys: () => ({ keys, source: 'the keys pinned in memory', file: null }),
  });
}

/** The audit keys of an application context (from the environment unless configured). */
export function auditKeySettings(app: AppContext): AuditKeySettings {
  let settings = settingsByApp.get(app);
  if (!settings) {
    settings = auditKeySettingsFromEnv(app);
    settingsByApp.set(app, settings);
  }
  return settings;
}
