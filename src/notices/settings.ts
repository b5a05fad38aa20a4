// How notices are sent, from the environment: which gateway (file, http or smpp) and its
// address and secret, how fast, how often to retry, and what a part costs. Secrets come only
// from the environment or a file only its owner can read.
import { join } from 'node:path';
import { readSecretFile } from '../shared/secrets';
import type { NoticeLanguage } from './templates';

/** What the sender needs to know. */
export interface NoticeSettings {
  gateway: 'file' | 'http' | 'smpp';
  /** The file gateway's JSON Lines file. */
  smsFile: string;
  httpUrl: string | null;
  /** Read only when the http gateway is used (or a receipt arrives). */
  httpSecret: () => string;
  httpTimeoutMs: number;
  smppUrl: string | null;
  smppSystemId: string;
  smppPassword: () => string;
  smppSourceAddr: string;
  smppEnquireLinkMs: number;
  /** Messages per second through the gateway (each part counts). */
  ratePerSecond: number;
  /** Tries before a message is dead-lettered. */
  maxAttempts: number;
  /** The first retry's delay; each next one doubles, up to retryMaxSeconds. */
  retryBaseSeconds: number;
  retryMaxSeconds: number;
  /** What one SMS part costs, in minor units of the deployment's currency. */
  pricePerPartMinor: bigint;
  /** The language of a person who has not chosen one. */
  defaultLanguage: NoticeLanguage;
  /** How often the sender job looks for due messages. */
  pollMs: number;
}

function positive(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0)
    throw new Error(`${name} must be a positive number, not "${raw}"`);
  return n;
}

function secret(env: NodeJS.ProcessEnv, name: string): () => string {
  return () => {
    const inline = env[name];
    if (inline) return inline;
    const file = env[`${name}_FILE`];
    if (file) return readSecretFile(file).toString('utf8').trim();
    throw new Error(`${name} (or ${name}_FILE) is not set`);
  };
}

/** The notice settings from the environment; a bad value stops with its name. */
export function noticeSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): NoticeSettings {
  const gateway = env.TESSERA_SMS_GATEWAY ?? 'file';
  if (gateway !== 'file' && gateway !== 'http' && gateway !== 'smpp')
    throw new Error(`TESSERA_SMS_GATEWAY must be file, http or smpp, not "${gateway}"`);
  const language = env.TESSERA_NOTICE_LANGUAGE ?? 'es';
  if (language !== 'es' && language !== 'en')
    throw new Error(`TESSERA_NOTICE_LANGUAGE must be es or en, not "${language}"`);
  const price = env.TESSERA_SMS_PRICE_PER_PART_MINOR ?? '0';
  if (!/^\d{1,15}$/.test(price))
    throw new Error(`TESSERA_SMS_PRICE_PER_PART_MINOR must be whole minor units, not "${price}"`);
  return {
    gateway,
    smsFile: env.TESSERA_SMS_FILE ?? join(env.TESSERA_DATA_DIR ?? './data', 'notices', 'sms.jsonl'),
    httpUrl: env.TESSERA_SMS_HTTP_URL ?? null,
    httpSecret: secret(env, 'TESSERA_SMS_HTTP_SECRET'),
    httpTimeoutMs: positive(env, 'TESSERA_SMS_HTTP_TIMEOUT_MS', 10_000),
    smppUrl: env.TESSERA_SMPP_URL ?? null,
    smppSystemId: env.TESSERA_SMPP_SYSTEM_ID ?? 'tessera',
    smppPassword: secret(env, 'TESSERA_SMPP_PASSWORD'),
    smppSourceAddr: env.TESSERA_SMPP_SOURCE_ADDR ?? 'Tessera',
    smppEnquireLinkMs: positive(env, 'TESSERA_SMPP_ENQUIRE_LINK_MS', 30_000),
    ratePerSecond: positive(env, 'TESSERA_SMS_RATE_PER_SECOND', 10),
    maxAttempts: Math.floor(positive(env, 'TESSERA_SMS_MAX_ATTEMPTS', 6)),
    retryBaseSeconds: positive(env, 'TESSERA_SMS_RETRY_BASE_SECONDS', 30),
    retryMaxSeconds: positive(env, 'TESSERA_SMS_RETRY_MAX_SECONDS', 3600),
    pricePerPartMinor: BigInt(price),
    defaultLanguage: language,
    pollMs: positive(env, 'TESSERA_SMS_POLL_MS', 2000),
  };
}
