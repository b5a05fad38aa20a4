// Deployment settings of the stored card service, held per application context. The
// key-encryption key (KEK) comes from TESSERA_KEK or a 0600 file in the data directory,
// never from the database that holds the ciphertexts it protects; it is read on first use,
// so a server that never signs anything never touches it.
import { join } from 'node:path';
import type { AppContext } from '../shared/context';
import { loadOrCreateKey } from '../shared/secrets';
import { cardLanguages, cardTexts, isCardLanguage } from './card-texts';
import type { CardLanguage } from './card-texts';
import { isIssuerUri } from './issue-card';
import { parseKeyEncryptionKey } from './protect-private-key';

/** How long a card is valid: five years, the usual span of an identity document. */
export const cardValidityDaysDefault = 5 * 365 + 1;

/** How long a published list may go unchanged before it is re-signed with a fresh issue time. */
export const listRefreshSecondsDefault = 60 * 60;

/** Settings of the card service. */
export interface CredentialSettings {
  /** The issuer written to every card's `iss` and every list: an absolute URI. */
  issuer: string;
  cardValidityDays: number;
  listRefreshSeconds: number;
  /** The card's printed language and the deployment's texts, in that language. */
  artwork: { language: CardLanguage; title: string; issuerName: string; reportLost: string };
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

/** The issuer when TESSERA_CARD_ISSUER is not set; a deployment sets its own. */
export const cardIssuerDefault = 'https://tessera.example';

/** TESSERA_CARD_ISSUER, checked: an absolute URI (Claim 169 v1.2.2 wants `iss` so). */
export function cardIssuerFromEnv(value: string | undefined): string {
  const issuer = value ?? cardIssuerDefault;
  if (!isIssuerUri(issuer)) {
    throw new Error(
      `TESSERA_CARD_ISSUER: "${issuer}" is not an absolute URI such as https://id.example.gob.ve / ` +
        `no es una URI absoluta, como https://id.example.gob.ve`,
    );
  }
  return issuer;
}

/** TESSERA_CARD_LANGUAGE, checked: the language cards are printed in (default Spanish). */
export function cardLanguageFromEnv(value: string | undefined): CardLanguage {
  const language = value ?? cardLanguages[0]!;
  if (!isCardLanguage(language)) {
    throw new Error(
      `TESSERA_CARD_LANGUAGE: "${language}" must be one of ${cardLanguages.join(', ')} / ` +
        `debe ser uno de ${cardLanguages.join(', ')}`,
    );
  }
  return language;
}

/** Settings from the environment, with the embedded defaults. */
export function credentialSettingsFromEnv(
  env: NodeJS.ProcessEnv = process.env,
): CredentialSettings {
  let kek: Uint8Array | undefined;
  const language = cardLanguageFromEnv(env.TESSERA_CARD_LANGUAGE);
  const texts = cardTexts[language];
  return {
    issuer: cardIssuerFromEnv(env.TESSERA_CARD_ISSUER),
    cardValidityDays: cardValidityDaysDefault,
    listRefreshSeconds: listRefreshSecondsDefault,
    artwork: {
      language,
      title: texts.title,
      issuerName: env.TESSERA_CARD_ISSUER_NAME ?? texts.defaultIssuerName,
      reportLost: env.TESSERA_CARD_REPORT_LOST ?? texts.defaultReportLost,
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
