// Settings read from the environment, with the embedded defaults (see the README's table).
import { join } from 'node:path';
import type { AppConfig } from './context';
import { defaultRegions } from './regions';
import { loadOrCreateKey } from './secrets';

/** Where the application runs and how it is configured. */
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
