import type { Command } from 'commander';
import type { Authenticator } from '../http/server';
import type { ErrorTranslator } from '../http/errors';
import type { RouteDefinition } from '../http/route';
import { buildServer } from '../http/server';
import type { AppContext } from '../shared/context';
import { settingsFromEnv, type Settings } from '../shared/settings';

/** What `tessera serve` needs from the module list. */
export interface ServeDependencies {
  createApp(settings: Settings): Promise<AppContext>;
  routes(): RouteDefinition[];
  authenticator(): Authenticator;
  errorTranslators(): ErrorTranslator[];
  /** Reads every key file the server uses; throws, naming the file, on one others can read. */
  checkKeyFiles(app: AppContext): void;
  /** Background jobs; each returns its stop function. */
  startJobs(app: AppContext, onError: (e: unknown) => void): (() => Promise<void>)[];
  /** Demo data for what is still empty; lines to print. */
  loadDemo(app: AppContext): Promise<string[]>;
}

/** `tessera serve`. */
export function registerServeCommand(program: Command, deps: ServeDependencies): void {
  program
    .command('serve')
    .description('Run the HTTP server (migrations run first)')
    .option('--demo', 'on an empty database, load a demo registry and create demo staff')
    .action(async (options: { demo?: boolean }) => {
      const settings = settingsFromEnv();
      const app = await deps.createApp(settings);
      try {
        deps.checkKeyFiles(app);
      } catch (e) {
        await app.db.close();
        throw e;
      }
      if (options.demo) process.stderr.write('loading demo data where the database is empty…\n');
      const demoLines = options.demo ? await deps.loadDemo(app) : [];
      const server = await buildServer(app, {
        routes: deps.routes(),
        authenticator: deps.authenticator(),
        errorTranslators: deps.errorTranslators(),
        logger: process.env.TESSERA_LOG !== 'off',
        trustedProxies: settings.trustedProxies,
        rateLimitMultiplier: settings.rateLimitPerMinute / 600,
      });
      await server.listen({ host: settings.host, port: settings.port });
      const stopJobs = deps.startJobs(app, (e) =>
        server.log.error({ err: { message: String(e) } }, 'background job failed'),
      );
      const base = `http://${settings.host}:${settings.port}`;
      console.log(
        `\nTessera is running on ${app.db.engine === 'sqlite' ? `SQLite (${settings.databaseUrl})` : 'PostgreSQL'}`,
      );
      console.log(`  web app      ${base}/`);
      console.log(`  health       ${base}/healthz`);
      console.log(`  API docs     ${base}/docs   (OpenAPI: ${base}/openapi.json)`);
      for (const line of demoLines) console.log(line);
      const stop = async () => {
        await server.close();
        for (const stopJob of stopJobs) await stopJob();
        await app.db.close();
        process.exit(0);
      };
      process.once('SIGINT', () => void stop());
      process.once('SIGTERM', () => void stop());
    });
}
