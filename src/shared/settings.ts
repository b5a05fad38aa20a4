// Settings read from the environment, with the embedded defaults (see the README's table).
import { isIP } from 'node:net';
import { join } from 'node:path';
import type { AppConfig } from './context';
import { defaultRegions } from './regions';
import { defaultTimeZone, readLimitPerHourDefault } from './limits';
import { loadOrCreateKey } from './secrets';

/** Where the application runs and how it is configured. */
export interface Settings {
  databaseUrl: string;
  /** A PostgreSQL replica for reads that may be a moment old (TESSERA_DATABASE_READ_URL). */
  databaseReadUrl?: string;
  dataDir: string;
  host: string;
  port: number;
  /** Proxies whose forwarded headers are believed (empty: none is). */
  trustedProxies: string[];
  /** Requests one client (address) may make per minute; route limits scale with it. */
  rateLimitPerMinute: number;
  /** HTTP server processes (TESSERA_WORKERS, default 1): see serve-command.ts. */
  workers: number;
  config: AppConfig;
}

/** The names proxy-addr knows for whole address ranges. */
const proxyRangeNames = ['loopback', 'linklocal', 'uniquelocal'];

/**
 * Parses TESSERA_TRUSTED_PROXIES: addresses and CIDR ranges, comma-separated (for example
 * `127.0.0.1,10.0.0.0/8`). Throws on anything else, so that a typo does not silently trust
 * nobody, or everybody.
 */
export function parseTrustedProxies(value: string | undefined): string[] {
  const entries = (value ?? '')
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x !== '');
  for (const entry of entries) {
    if (proxyRangeNames.includes(entry)) continue;
    const [address = '', prefix, ...rest] = entry.split('/');
    const family = isIP(address);
    const bits = family === 4 ? 32 : 128;
    const prefixOk = prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= bits);
    if (family === 0 || rest.length > 0 || !prefixOk)
      throw new Error(
        `TESSERA_TRUSTED_PROXIES: "${entry}" is not an IP address or CIDR range (such as 10.0.0.0/8)`,
      );
  }
  return entries;
}

/** Parses a whole number of at least 0 from the variable `name`, or gives `fallback`. */
function wholeNumber(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const value = env[name];
  if (value === undefined || value.trim() === '') return fallback;
  if (!/^\d{1,9}$/.test(value.trim()))
    throw new Error(`${name}: "${value}" is not a whole number of 0 or more`);
  return Number(value.trim());
}

/** TESSERA_WORKERS: how many processes serve HTTP, from 1 to 64. */
function workersFrom(env: NodeJS.ProcessEnv): number {
  const workers = wholeNumber(env, 'TESSERA_WORKERS', 1);
  if (workers < 1 || workers > 64)
    throw new Error(`TESSERA_WORKERS: "${env.TESSERA_WORKERS}" must be between 1 and 64`);
  return workers;
}

/** The deployment's time zone (TESSERA_TIME_ZONE), checked to be one this runtime knows. */
export function timeZoneFrom(value: string | undefined): string {
  const zone = value?.trim() || defaultTimeZone;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
  } catch {
    throw new Error(
      `TESSERA_TIME_ZONE: "${zone}" is not an IANA time zone (such as America/Caracas)`,
    );
  }
  return zone;
}

/** The calling code for national phone numbers (TESSERA_PHONE_COUNTRY_CODE, default 58). */
export function phoneCountryCodeFrom(value: string | undefined): string {
  const code = value?.trim().replace(/^\+/, '') || '58';
  if (!/^[1-9]\d{0,2}$/.test(code))
    throw new Error(`TESSERA_PHONE_COUNTRY_CODE: "${value}" is not a calling code (such as 58)`);
  return code;
}

/** TESSERA_OFFLINE_WALLET_LIMIT_PER_DAY: minor units, a whole number of 0 or more (0: off). */
export function offlineWalletLimitFrom(value: string | undefined): bigint {
  const text = value?.trim() ?? '';
  if (text === '') return 0n;
  if (!/^(0|[1-9][0-9]{0,17})$/.test(text))
    throw new Error(
      `TESSERA_OFFLINE_WALLET_LIMIT_PER_DAY: "${value}" is not a whole number of minor units (such as 20000)`,
    );
  return BigInt(text);
}

const postgresUrl = /^postgres(ql)?:\/\//;

/**
 * TESSERA_DATABASE_READ_URL: a PostgreSQL replica (a cluster's read address) beside a
 * PostgreSQL primary. Anything else stops the start: SQLite has no replicas, and a replica of
 * another engine cannot hold the same data.
 */
export function readReplicaUrl(value: string | undefined, databaseUrl: string): string | null {
  const text = value?.trim();
  if (!text) return null;
  if (!postgresUrl.test(text))
    throw new Error(
      'TESSERA_DATABASE_READ_URL: must be a postgres:// URL of a replica (such as the cluster’s read address)',
    );
  if (!postgresUrl.test(databaseUrl))
    throw new Error(
      'TESSERA_DATABASE_READ_URL: a read replica needs TESSERA_DATABASE_URL on PostgreSQL too; SQLite has no replicas',
    );
  return text;
}

/** Reads settings from the environment. */
export function settingsFromEnv(env: NodeJS.ProcessEnv = process.env): Settings {
  const dataDir = env.TESSERA_DATA_DIR ?? './data';
  const databaseUrl = env.TESSERA_DATABASE_URL ?? join(dataDir, 'tessera.db');
  const databaseReadUrl = readReplicaUrl(env.TESSERA_DATABASE_READ_URL, databaseUrl);
  return {
    databaseUrl,
    ...(databaseReadUrl ? { databaseReadUrl } : {}),
    dataDir,
    host: env.HOST ?? '127.0.0.1',
    port: Number(env.PORT ?? 8080),
    trustedProxies: parseTrustedProxies(env.TESSERA_TRUSTED_PROXIES),
    rateLimitPerMinute: Math.max(1, wholeNumber(env, 'TESSERA_RATE_LIMIT_PER_MINUTE', 600)),
    workers: workersFrom(env),
    config: {
      regions: defaultRegions,
      dataKey: loadOrCreateKey(
        env.TESSERA_DATA_KEY,
        env.TESSERA_DATA_KEY_FILE ?? join(dataDir, 'keys', 'data.key'),
      ),
      statsCellMin: Number(env.TESSERA_STATS_CELL_MIN ?? 10),
      readLimitPerHour: wholeNumber(env, 'TESSERA_READ_LIMIT_PER_HOUR', readLimitPerHourDefault),
      timeZone: timeZoneFrom(env.TESSERA_TIME_ZONE),
      phoneCountryCode: phoneCountryCodeFrom(env.TESSERA_PHONE_COUNTRY_CODE),
      offlineWalletLimitPerDay: offlineWalletLimitFrom(env.TESSERA_OFFLINE_WALLET_LIMIT_PER_DAY),
      ...(env.TESSERA_DEDUP_ON_DUPLICATE === 'refuse'
        ? { dedupOnDuplicate: 'refuse' as const }
        : {}),
    },
  };
}
