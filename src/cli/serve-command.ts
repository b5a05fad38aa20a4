import cluster, { type Worker } from 'node:cluster';
import type { Command } from 'commander';
import type { Authenticator } from '../http/server';
import type { ErrorTranslator } from '../http/errors';
import type { RouteDefinition } from '../http/route';
import { deferCheckpoints, sqliteFilePath, startSqliteCheckpointer } from '../db';
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
    .option('--workers <n>', 'processes serving HTTP on the one port (default TESSERA_WORKERS, 1)')
    .action(async (options: { demo?: boolean; workers?: string }) => {
      if (options.workers !== undefined) process.env.TESSERA_WORKERS = options.workers;
      const settings = settingsFromEnv();
      if (cluster.isWorker) await serveHttp(deps, settings, false);
      else if (settings.workers === 1) await serveAlone(deps, settings, options.demo === true);
      else await superviseWorkers(deps, settings, options.demo === true);
    });
}

// One process (the default): migrations, demo, HTTP and the background jobs.
async function serveAlone(deps: ServeDependencies, settings: Settings, demo: boolean) {
  const app = await prepareApp(deps, settings, demo);
  await deferCheckpoints(app.db);
  const server = await listen(deps, app, settings);
  const stopJobs = deps.startJobs(app, (e) =>
    server.log.error({ err: { message: String(e) } }, 'background job failed'),
  );
  stopJobs.push(
    ...checkpointer(settings, (e) =>
      server.log.error({ err: { message: String(e) } }, 'background job failed'),
    ),
  );
  printBanner(app, settings, app.demoLines);
  const stop = async () => {
    await server.close();
    for (const stopJob of stopJobs) await stopJob();
    await app.db.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

// Several processes on one port (node:cluster; the primary hands each new connection to the
// next worker). One process is one JavaScript thread: on PostgreSQL more processes use more
// cores. On SQLite one process is faster, now that a commit's fsync no longer stops it
// (src/db/sqlite-wal-sync.ts), since each commit by one process empties the page cache of the
// others (bench/redeem: a median of 2,494 redemptions/s with one, 2,299 with two). The
// primary runs the migrations and the demo before any worker starts, then only the background
// jobs (the audit sealer, the notice sender: each must run once) and serves no request.
// Everything workers share is in the database — idempotency keys, sessions, sign-in
// throttles, read volumes, caches that another process believes for at most two seconds; the
// per-address request limit is counted per process, so each worker allows its share of it. A
// worker that dies is replaced; SIGTERM stops the workers (each finishes its requests), then
// the jobs.
async function superviseWorkers(deps: ServeDependencies, settings: Settings, demo: boolean) {
  const app = await prepareApp(deps, settings, demo);
  const onError = (e: unknown) => process.stderr.write(`background job failed: ${String(e)}\n`);
  const stopJobs = [...deps.startJobs(app, onError), ...checkpointer(settings, onError)];
  let stopping = false;
  // The start waits until `settings.workers` processes listen. One that exits with an error
  // before it listens (a setting, a key file, a bug) fails the start: another would fail the
  // same way. One killed by a signal meanwhile is only replaced, as later on: /healthz answers
  // as soon as the first listens, so a supervisor may well kill one that is still starting.
  const serving = new Set<number>();
  let startFailed: Error | null = null;
  let startSettled: (() => void) | null = null;
  const allServing = new Promise<void>((resolve) => (startSettled = resolve));
  const fork = () => {
    const worker = cluster.fork();
    worker.once('listening', () => {
      serving.add(worker.id);
      if (serving.size === settings.workers) startSettled?.();
    });
    // A worker killed while the primary hands it a connection makes that send fail, emitted as
    // 'error' on the worker: unheard, it would end the primary and close the port. The
    // connection is lost (its client retries); the 'exit' below replaces the worker.
    worker.on('error', (e) => process.stderr.write(`a server process: ${String(e)}\n`));
    worker.once('exit', (code, signal) => {
      const listened = serving.delete(worker.id);
      if (stopping) return;
      if (startSettled && !listened && signal === null) {
        startFailed = new Error(`a server process exited with ${code} before it listened`);
        startSettled();
        return;
      }
      process.stderr.write(
        `a server process stopped (${signal ?? `exit ${code}`}); starting another\n`,
      );
      setTimeout(fork, 1_000).unref();
    });
  };
  for (let i = 0; i < settings.workers; i++) fork();
  await allServing;
  startSettled = null;
  if (startFailed) {
    stopping = true;
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGKILL');
    for (const stopJob of stopJobs) await stopJob();
    await app.db.close();
    throw startFailed;
  }
  printBanner(app, settings, [
    `  processes    ${settings.workers} serving HTTP, and this one (pid ${process.pid}) for the background jobs`,
    ...app.demoLines,
  ]);
  const stop = async () => {
    stopping = true;
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w);
    await Promise.all(
      workers.map(
        (w) =>
          new Promise<void>((done) => {
            if (w.isDead()) return done();
            w.once('exit', () => done());
            w.process.kill('SIGTERM');
          }),
      ),
    );
    for (const stopJob of stopJobs) await stopJob();
    await app.db.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

// A worker: HTTP only. The primary has migrated the database already; running the migrations
// again finds nothing to do.
async function serveHttp(deps: ServeDependencies, settings: Settings, _demo: boolean) {
  const app = await deps.createApp(settings);
  deps.checkKeyFiles(app);
  await deferCheckpoints(app.db);
  const server = await listen(deps, app, settings);
  const stop = async () => {
    await server.close();
    await app.db.close();
    process.exit(0);
  };
  process.once('SIGINT', () => undefined);
  process.once('SIGTERM', () => void stop());
}

// SQLite's WAL checkpoints, off the request path (src/db/sqlite-checkpointer.ts).
function checkpointer(settings: Settings, onError: (e: unknown) => void) {
  const path = sqliteFilePath(settings.databaseUrl);
  return path ? [startSqliteCheckpointer(path, { onError })] : [];
}

async function prepareApp(deps: ServeDependencies, settings: Settings, demo: boolean) {
  const app = await deps.createApp(settings);
  try {
    deps.checkKeyFiles(app);
  } catch (e) {
    await app.db.close();
    throw e;
  }
  if (demo) process.stderr.write('loading demo data where the database is empty…\n');
  const demoLines = demo ? await deps.loadDemo(app) : [];
  return Object.assign(app, { demoLines });
}

async function listen(deps: ServeDependencies, app: AppContext, settings: Settings) {
  const server = await buildServer(app, {
    routes: deps.routes(),
    authenticator: deps.authenticator(),
    errorTranslators: deps.errorTranslators(),
    logger: process.env.TESSERA_LOG !== 'off',
    trustedProxies: settings.trustedProxies,
    // Each process counts the requests it serves: its share of the per-address limit.
    rateLimitMultiplier: settings.rateLimitPerMinute / 600 / settings.workers,
  });
  await server.listen({ host: settings.host, port: settings.port });
  return server;
}

function printBanner(app: AppContext, settings: Settings, lines: string[]) {
  const base = `http://${settings.host}:${settings.port}`;
  console.log(
    `\nTessera is running on ${app.db.engine === 'sqlite' ? `SQLite (${settings.databaseUrl})` : 'PostgreSQL'}`,
  );
  console.log(`  web app      ${base}/`);
  console.log(`  health       ${base}/healthz`);
  console.log(`  API docs     ${base}/docs   (OpenAPI: ${base}/openapi.json)`);
  for (const line of lines) console.log(line);
}
