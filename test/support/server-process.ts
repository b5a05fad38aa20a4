// The real Tessera server (`tessera serve`) as a separate operating-system process, for tests
// that must kill it the way a machine does: SIGKILL at any moment, so that nothing of the
// server runs after it (no shutdown hook, no flush, no rollback by the process itself), then a
// restart on the same database to see what survived. An in-process server cannot be killed
// like that: its database connection and its half-done requests live in the test's process.
//
//   const server = await startServerProcess({ databaseUrl: url() });  // SQLite file or postgres://
//   after(() => server.stop());         // always: no server outlives its test file
//   await fetch(`${server.baseUrl()}/healthz`);
//   await server.kill();                // SIGKILL; resolves once the process has exited
//   await server.restart();             // same database, data dir and keys; same port
//   await server.restart({ newPort: true });
//   server.pause(); … server.resume();  // SIGSTOP / SIGCONT: a stalled server, requests held
//
// The server is started as `node dist/server/tessera.mjs serve` (the build of the sources the
// test runner makes first, see test/support/program.ts) or `node --import tsx src/main.ts
// serve`, never through tsx's command line (node_modules/tsx/dist/cli.mjs): that command runs
// the server as a child process of its own, so a SIGKILL sent to it would leave the real
// server running, orphaned, holding the port and the database. Here the process that is
// killed is the server itself.
//
// It listens on 127.0.0.1 only. Its settings come from the environment, as in production (see
// the README's Configuration): the database URL, a data dir of its own (a temporary folder,
// removed by stop(), where the KEK and the audit seal keys are created at the first start and
// found again at each restart), a data key fixed for its lifetime, and request logs off.
// Migrations run at every start, as `tessera serve` does; on a migrated database they do
// nothing. The test authenticates with an API token made beforehand on the same database
// (test/support/api-token.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tesseraProgram } from './program';

const root = fileURLToPath(new URL('../../', import.meta.url));
const host = '127.0.0.1';

/** How to start the server. */
export interface ServerProcessOptions {
  /** A SQLite file path or a `postgres://` URL, such as createTestDatabase(engine).url. */
  databaseUrl: string;
  /** The port; a free one unless given. */
  port?: number;
  /** More settings (`TESSERA_*`), over the defaults here; `TESSERA_LOG: 'on'` logs requests. */
  env?: Record<string, string>;
  /** Longest wait for `/healthz` at each start before it is a failure; 60 s unless given. */
  startTimeoutMs?: number;
}

/** A running (or killed) server process. */
export interface ServerProcess {
  /** `http://127.0.0.1:PORT`, of the current (or last) start. */
  baseUrl(): string;
  port(): number;
  /** The server's process id, or null while it is not running. */
  pid(): number | null;
  running(): boolean;
  /** How many times it has been started (1 after startServerProcess). */
  starts(): number;
  /** The last 64 KiB of its standard output and error, across restarts (for failure messages). */
  output(): string;
  /** SIGKILL, then waits until the process has exited. Does nothing when it is not running. */
  kill(): Promise<void>;
  /**
   * SIGSTOP: the server stalls as in a long pause. The kernel still accepts connections and
   * holds what is sent, which the server reads after resume() — a request that arrives late.
   */
  pause(): void;
  /** SIGCONT: a paused server goes on. */
  resume(): void;
  /**
   * Starts it again on the same database, data dir and keys, and waits for `/healthz`. A
   * running server is killed first (SIGKILL). Same port unless `newPort`.
   */
  restart(options?: { newPort?: boolean; env?: Record<string, string> }): Promise<void>;
  /** Resolves when the current process has exited (by itself, at a failpoint), with its signal. */
  exited(): Promise<NodeJS.Signals | null>;
  /**
   * The end: SIGTERM (the server closes its connections), SIGKILL after a grace period, and
   * the data dir removed. Safe to call twice, and after a failed start. The database is left
   * for its owner to dispose of.
   */
  stop(): Promise<void>;
}

/** Most bytes of output kept for failure messages. */
const outputKeptMax = 64 * 1024;
/** How long a SIGTERM is given before the SIGKILL in stop(). */
const stopGraceMs = 5_000;
/** How long the kernel is given to end a process after SIGKILL before that is a failure. */
const exitWaitMs = 10_000;
const healthPollMs = 50;

// Every server process still alive, and every data dir not yet removed, so that a test file
// that crashes or is cancelled leaves none behind: the processes are killed and the folders
// removed when this process exits or is told to end.
const live = new Set<ChildProcess>();
const dataDirs = new Set<string>();
let exitHooksInstalled = false;

function killAllLive(): void {
  for (const child of live) child.kill('SIGKILL');
  live.clear();
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
  dataDirs.clear();
}

function installExitHooks(): void {
  if (exitHooksInstalled) return;
  exitHooksInstalled = true;
  process.on('exit', killAllLive);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    const onSignal = () => {
      killAllLive();
      // Then end as the signal would have ended this process without the hook.
      process.removeListener(signal, onSignal);
      process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}

/** A port that was free on 127.0.0.1 a moment ago. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, host, () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => (port > 0 ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Starts `tessera serve` on the database as a separate process and waits until `/healthz`
 * answers 200. Call stop() in an `after` hook whatever happens.
 */
export async function startServerProcess(options: ServerProcessOptions): Promise<ServerProcess> {
  installExitHooks();
  const dataDir = mkdtempSync(join(tmpdir(), 'tessera-server-'));
  dataDirs.add(dataDir);
  const dataKey = randomBytes(32).toString('base64');
  const startTimeoutMs = options.startTimeoutMs ?? 60_000;
  let port = options.port ?? (await freePort());
  let child: ChildProcess | null = null;
  let starts = 0;
  let stopped = false;
  let output = '';
  let settings = options.env ?? {};
  let lastSignal: Promise<NodeJS.Signals | null> = Promise.resolve(null);

  const keep = (text: string) => {
    output = (output + text).slice(-outputKeptMax);
  };
  const baseUrl = () => `http://${host}:${port}`;

  async function start(): Promise<void> {
    if (stopped) throw new Error('server process: stopped; start a new one');
    starts += 1;
    keep(`\n--- start ${starts} on port ${port} ---\n`);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      TESSERA_DATABASE_URL: options.databaseUrl,
      TESSERA_DATA_DIR: dataDir,
      TESSERA_DATA_KEY: dataKey,
      HOST: host,
      PORT: String(port),
      TESSERA_LOG: 'off',
      ...settings,
    };
    // The test runner's marker would make node treat the server as a test file.
    delete env.NODE_TEST_CONTEXT;
    const started = spawn(process.execPath, [...tesseraProgram(), 'serve'], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = started;
    live.add(started);
    started.stdout?.on('data', (chunk: Buffer) => keep(chunk.toString('utf8')));
    started.stderr?.on('data', (chunk: Buffer) => keep(chunk.toString('utf8')));
    lastSignal = new Promise((resolve) =>
      started.once('exit', (code, signal) => {
        live.delete(started);
        keep(`\n--- exited (${signal ?? `code ${code}`}) ---\n`);
        resolve(signal);
      }),
    );
    const deadline = Date.now() + startTimeoutMs;
    const gone = exited(started).then(() => 'exited' as const);
    // Bounded by the deadline: one health probe every 50 ms.
    while (Date.now() < deadline) {
      if (started.exitCode !== null || started.signalCode !== null) break;
      try {
        const response = await fetch(`${baseUrl()}/healthz`, {
          signal: AbortSignal.timeout(2_000),
        });
        await response.arrayBuffer();
        if (response.status === 200) return;
      } catch {
        // Not listening yet.
      }
      const waited = await Promise.race([
        gone,
        new Promise((resolve) => setTimeout(resolve, healthPollMs)),
      ]);
      if (waited === 'exited') break;
    }
    const why =
      started.exitCode !== null || started.signalCode !== null
        ? 'exited during its start'
        : `did not answer /healthz within ${startTimeoutMs} ms`;
    await kill();
    throw new Error(`server process ${why}:\n${output}`);
  }

  async function kill(): Promise<void> {
    const current = child;
    if (!current) return;
    child = null;
    current.kill('SIGKILL');
    await within(exited(current), exitWaitMs, 'server process after SIGKILL');
  }

  const removeDataDir = () => {
    rmSync(dataDir, { recursive: true, force: true });
    dataDirs.delete(dataDir);
  };
  await start().catch((e: unknown) => {
    stopped = true;
    removeDataDir();
    throw e;
  });

  return {
    baseUrl,
    port: () => port,
    pid: () => child?.pid ?? null,
    running: () => child !== null,
    starts: () => starts,
    output: () => output,
    kill,
    pause() {
      if (!child) throw new Error('server process: not running');
      child.kill('SIGSTOP');
    },
    resume() {
      if (!child) throw new Error('server process: not running');
      child.kill('SIGCONT');
    },
    async restart(restartOptions = {}) {
      await kill();
      if (restartOptions.newPort) port = await freePort();
      if (restartOptions.env) settings = restartOptions.env;
      await start();
    },
    exited: () => lastSignal,
    async stop() {
      if (stopped) return;
      stopped = true;
      const current = child;
      child = null;
      if (current) {
        current.kill('SIGTERM');
        try {
          await within(exited(current), stopGraceMs, 'server process after SIGTERM');
        } catch {
          current.kill('SIGKILL');
          await within(exited(current), exitWaitMs, 'server process after SIGKILL');
        }
      }
      removeDataDir();
    },
  };
}
