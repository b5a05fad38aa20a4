// Deployment settings of the stored card service, held per application context. The
// key-encryption key (KEK) comes from TESSERA_KEK or a 0600 file in the data directory,
// never from the database that holds the ciphertexts it protects; it is read on first use,
// so a server that never signs anything never touches it.
import { join } from 'node:path';
import type { AppContext } from '../shared/context';
import { loadOrCreateKey } from '../shared/secrets';
import { parseKeyEncryptionKey } from './protect-private-key';

/** How long a card is valid: five years, the usual span of an identity document. */
export const cardValidityDaysDefault = 5 * 365 + 1;

/** How long a published list may go unchanged before it is re-signed with a fresh issue time. */
export const listRefreshSecondsDefault = 60 * 60;

/** Settings of the card service. */
export interface CredentialSettings {
  /** The issuer written to every card's `iss` and every list: a short name or domain. */
  issuer: string;
  cardValidityDays: number;
  listRefreshSeconds: number;
  /** Texts printed on the card. */
  artwork: { title: string; issuerName: string; reportLost: string };
  /** The 32-byte key-encryption key; a function so that it is read only when needed. */
  keyEncryptionKey: () => Uint8Array;
}

const settingsByApp = new WeakMap<AppContext, CredentialSettings>();

/** The KEK from TESSERA_KEK (base64 or hex), else `<data dir>/keys/kek.key`, created 0600 on first use. */
export function keyEncryptionKeyFromEnv(env: NodeJS.ProcessEnv = process.env): Uint8Array {
  if (env.TESSERA_KEK) return parseKeyEncryptionKey(env.TESSERA_KEK);
  const file = env.TESSERA_KEK_FILE ?? join(env.TESSERA_DATA_DIR ?? './data', 'keys', 'kek.key');
  return new Uint8Array(loadOrCreateKey(undefined, file));
}

/** Settings from the environment, with the embedded defaults. */
export function credentialSettingsFromEnv(
  env: NodeJS.ProcessEnv = process.env,
): CredentialSettings {
  let kek: Uint8Array | undefined;
  return {
    issuer: env.TESSERA_CARD_ISSUER ?? 'tessera',
    cardValidityDays: cardValidityDaysDefault,
    listRefreshSeconds: listRefreshSecondsDefault,
    artwork: {
      title: 'Identity card',
      issuerName: env.TESSERA_CARD_ISSUER_NAME ?? 'the Tessera registry',
      reportLost: env.TESSERA_CARD_REPORT_LOST ?? 'at any registration office',
    },
    keyEncryptionKey: () => (kek ??= keyEncryptionKeyFromEnv(env)),
  };
}

/** Sets (or overrides parts of) the card service's settings for one application context. */
export function configureCredentials(
  app: AppContext,
  overrides: Partial<Omit<CredentialSettings, 'keyEncryptionKey'>> & {
    keyEncryptionKey?: Uint8Array;
  } = {},
): CredentialSettings {
  const { keyEncryptionKey, ...rest } = overrides;
  const base = settingsByApp.get(app) ?? credentialSettingsFromEnv();
  const settings: CredentialSettings = {
    ...base,
    ...rest,
    ...(keyEncryptionKey ? { keyEncryptionKey: () => keyEncryptionKey } : {}),
  };
  settingsByApp.set(app, settings);
  return settings;
}

/** The card service's settings for an application context (from the environment by default). */
export function credentialSettings(app: AppContext): CredentialSettings {
  return settingsByApp.get(app) ?? configureCredentials(app);
}
