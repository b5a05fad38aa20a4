import type { Command } from 'commander';
import { insertGrant, insertStaff } from '../auth/accounts';
import { systemActor } from '../auth/actor';
import { createApp, settingsFromEnv } from '../app';
import { buildServer } from '../http/server';
import { allRoutes } from '../http/routes';
import { startAuditSealer } from '../privacy/audit-sealer';
import { loadDemoRegistry } from '../registry/demo';
import type { AppContext } from '../shared/context';

/** People in the demo registry that `npm start` loads into an empty database. */
const demoPeople = 3000;

/** Demo accounts besides the administrator, so that every screen can be tried at once. */
const demoStaff = [
  { username: 'admin', displayName: 'Demo administrator', role: 'admin', regions: '*' },
  {
    username: 'registradora',
    displayName: 'Demo registrar (Caracas, Miranda)',
    role: 'registrar',
    regions: ['VE-A', 'VE-M'],
  },
  { username: 'auditora', displayName: 'Demo auditor', role: 'auditor', regions: '*' },
] as const;

async function loadDemoIfEmpty(
  app: AppContext,
): Promise<{ username: string; password: string; role: string }[] | null> {
  const anyone = await app.db.kysely.selectFrom('staff').select('id').limit(1).execute();
  if (anyone.length > 0) return null;
  const caller = { actor: systemActor('demo'), origin: 'demo' };
  process.stderr.write(`empty database: loading a demo registry of ${demoPeople} people… `);
  const result = await loadDemoRegistry(app, caller, { people: demoPeople, seed: 42 });
  process.stderr.write(`${result.persons} people in ${result.households} households\n`);
  return app.db.transaction(async (trx) => {
    const accounts: { username: string; password: string; role: string }[] = [];
    for (const s of demoStaff) {
      const made = await insertStaff(trx, app, caller, {
        username: s.username,
        displayName: s.displayName,
      });
      await insertGrant(trx, app, caller, made.account.id, s.role, s.regions);
      accounts.push({
        username: s.username,
        password: made.oneTimePassword,
        role: `${s.role} (${s.regions === '*' ? 'national' : s.regions.join(', ')})`,
      });
    }
    return accounts;
  });
}

/** `tessera serve`. */
export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('Run the HTTP server (migrations run first)')
    .option('--demo', 'on an empty database, load a demo registry and create an administrator')
    .action(async (options: { demo?: boolean }) => {
      const settings = settingsFromEnv();
      const app = await createApp(settings);
      const credentials = options.demo ? await loadDemoIfEmpty(app) : null;
      const server = await buildServer(app, {
        routes: allRoutes(),
        logger: process.env.TESSERA_LOG !== 'off',
      });
      await server.listen({ host: settings.host, port: settings.port });
      // Chain and seal the audit log every few seconds, and once more on the way out.
      const stopSealer = startAuditSealer(app, {
        intervalMs: 5000,
        onError: (e) => server.log.error({ err: { message: String(e) } }, 'audit sealer failed'),
      });
      const base = `http://${settings.host}:${settings.port}`;
      console.log(
        `\nTessera is running on ${app.db.engine === 'sqlite' ? `SQLite (${settings.databaseUrl})` : 'PostgreSQL'}`,
      );
      console.log(`  web app      ${base}/`);
      console.log(`  health       ${base}/healthz`);
      console.log(`  API docs     ${base}/docs   (OpenAPI: ${base}/openapi.json)`);
      if (credentials) {
        console.log('\n  demo staff (one-time credentials, shown only now):');
        for (const c of credentials)
          console.log(`    ${c.username.padEnd(14)} ${c.password}   ${c.role}`);
        console.log(
          '  At first sign-in each enrols an authenticator app (TOTP), then chooses a new password.\n',
        );
      }
      const stop = async () => {
        await server.close();
        await stopSealer();
        await app.db.close();
        process.exit(0);
      };
      process.once('SIGINT', () => void stop());
      process.once('SIGTERM', () => void stop());
    });
}
