// Builds the application context: configuration from the environment, the database opened
// and migrated, the clock and id generator, and the hooks between domains.
import { join } from 'node:path';
import { registerStaffApprovals } from './auth/accounts';
import { registerCredentials } from './credentials/register-credentials';
import { migrateToLatest, openDatabase } from './db';
import { registerDedup } from './dedup/register-dedup';
import { registerRegistryApprovals } from './registry/deactivate-person';
import { registerExportApprovals } from './registry/export-request';
import type { AppConfig, AppContext } from './shared/context';
import { newUuid } from './shared/ids';
import { defaultRegions } from './shared/regions';
import { loadOrCreateKey } from './shared/secrets';

/** Settings read from the environment, with the embedded defaults. */
export interface Settings {
  databaseUrl: string;
  dataDir: string;
  host: string;
  port: number;
  config: AppConfig;
}

/** Reads settings from the environment. */
export function settingsFromEnv(env: NodeJS.ProcessEnv = process.env): Settings {
  const dataDir = env.TESSERA_DATA_DIR ?? './data';
  return {
    databaseUrl: env.TESSERA_DATABASE_URL ?? join(dataDir, 'tessera.db'),
    dataDir,
    host: env.HOST ?? '127.0.0.1',
    port: Number(env.PORT ?? 8080),
    config: {
      regions: defaultRegions,
      dataKey: loadOrCreateKey(
        env.TESSERA_DATA_KEY,
        env.TESSERA_DATA_KEY_FILE ?? join(dataDir, 'keys', 'data.key'),
      ),
      statsCellMin: Number(env.TESSERA_STATS_CELL_MIN ?? 10),
      ...(env.TESSERA_DEDUP_ON_DUPLICATE === 'refuse'
        ? { dedupOnDuplicate: 'refuse' as const }
        : {}),
    },
  };
}

/** Opens the database, applies migrations, and returns the context every operation uses. */
export async function createApp(
  settings: Pick<Settings, 'databaseUrl' | 'config'>,
): Promise<AppContext> {
  const db = await openDatabase({ url: settings.databaseUrl });
  await migrateToLatest(db);
  const app: AppContext = {
    db,
    config: settings.config,
    now: () => new Date(),
    newId: newUuid,
    lifeEventHooks: [],
    approvalExecutors: {},
  };
  wireDomains(app);
  return app;
}

/** Connects the domains: what approved four-eyes requests do, who hears of life events. */
export function wireDomains(app: AppContext): void {
  registerStaffApprovals(app);
  registerRegistryApprovals(app);
  registerExportApprovals(app);
  registerCredentials(app);
  registerDedup(app);
}
