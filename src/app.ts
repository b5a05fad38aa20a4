// Builds the application context: the database opened and migrated, the clock and id
// generator, and the domains connected as the module list says.
import type { CliContext } from './cli/cli-context';
import { migrateToLatest, openDatabase } from './db';
import type { Authenticator } from './http/server';
import type { ErrorTranslator } from './http/errors';
import type { StartJob } from './module';
import { auditOperations, migrations, modules, permissionMatrix, permissions } from './modules';
import { systemActor } from './shared/access';
import type { AppConfig, AppContext, Caller } from './shared/context';
import { newUuid } from './shared/ids';
import { settingsFromEnv, type Settings } from './shared/settings';

export { settingsFromEnv, type Settings } from './shared/settings';

/** A bare context over an open database: nothing connected yet (see wireDomains). */
export function appContext(
  db: AppContext['db'],
  config: AppConfig,
  now: () => Date = () => new Date(),
): AppContext {
  return {
    db,
    config,
    now,
    newId: newUuid,
    permissions,
    permissionMatrix,
    auditOperations,
    lifeEventHooks: [],
    approvalExecutors: {},
  };
}

/** Opens the database, applies migrations, and returns the context every operation uses. */
export async function createApp(
  settings: Pick<Settings, 'databaseUrl' | 'databaseReadUrl' | 'config'>,
): Promise<AppContext> {
  const db = await openDatabase({ url: settings.databaseUrl });
  await migrateToLatest(db, migrations);
  const app = appContext(db, settings.config);
  if (settings.databaseReadUrl) {
    // The replica is migrated by replication, never by us (it is read-only). Closing the
    // primary closes it too, so that every place that closes app.db needs no change.
    const replica = await openDatabase({ url: settings.databaseReadUrl });
    const closePrimary = db.close;
    db.close = async () => {
      await replica.close();
      await closePrimary();
    };
    app.readDb = replica;
  }
  wireDomains(app);
  return app;
}

/** Connects the domains: their life-event hooks, four-eyes executors and ports. */
export function wireDomains(app: AppContext): void {
  for (const m of modules) {
    if ('lifeEventHooks' in m) app.lifeEventHooks.push(...m.lifeEventHooks);
    if ('connect' in m) m.connect(app);
  }
}

/** The authenticator the HTTP server uses: the one domain that provides it. */
export function authenticator(): Authenticator {
  const found = modules.flatMap((m) => ('authenticator' in m ? [m.authenticator] : []));
  if (found.length !== 1) throw new Error(`expected one authenticator, found ${found.length}`);
  const cardholder = modules.flatMap((m) =>
    'cardholderAuthenticator' in m ? [m.cardholderAuthenticator] : [],
  );
  if (cardholder.length > 1) throw new Error('expected one cardholder authenticator');
  return { ...found[0]!, ...(cardholder[0] ?? {}) };
}

/** Every domain's error translator. */
export function errorTranslators(): ErrorTranslator[] {
  return modules.flatMap((m) => ('httpErrors' in m ? [m.httpErrors] : []));
}

/**
 * Runs every domain's start checks: each key file the server reads is read now, and one that
 * group or others can read (or that is missing where it must exist) stops the start.
 */
export function checkKeyFiles(app: AppContext): void {
  for (const m of modules) if ('startChecks' in m) for (const check of m.startChecks) check(app);
}

/** Every domain's background jobs. */
export function jobs(): StartJob[] {
  return modules.flatMap((m) => ('jobs' in m ? m.jobs : []));
}

/** Loads every domain's demo data into what is still empty; the lines to print. */
export async function loadDemo(app: AppContext): Promise<string[]> {
  const caller: Caller = { actor: systemActor('demo'), origin: 'demo' };
  const lines: string[] = [];
  for (const m of modules) if ('loadDemo' in m) lines.push(...(await m.loadDemo(app, caller)));
  return lines;
}

/** What CLI commands receive: the configured application, opened for one command. */
export const cliContext: CliContext = {
  permissions,
  withApp: async (what, fn) => {
    const settings = settingsFromEnv();
    const app = await createApp(settings);
    const caller: Caller = { actor: systemActor(`cli:${what}`), origin: 'cli' };
    try {
      return await fn(app, caller, settings);
    } finally {
      await app.db.close();
    }
  },
};
