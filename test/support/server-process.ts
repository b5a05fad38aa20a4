// The real server as its own process (`tessera serve` on a database the test prepared), for
// tests that kill it: SIGKILL, no cleanup, then a restart on the same database and port. It
// listens on 127.0.0.1 only; `stop()` (or the process exiting) leaves nothing running. It is one
// process (node --import tsx, not the tsx wrapper, which would leave its child alive after a
// SIGKILL and keep answering on the port).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './local-pg';

const root = new URL('../..', import.meta.url).pathname;
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** A server process and how to kill, restart and stop it. */
export interface ServerProcess {
  baseUrl: string;
  /** Kills it with SIGKILL and waits until it is gone. */
  kill(): Promise<void>;
  /** Starts it again on the same database and port (with other environment, if given). */
  restart(env?: Record<string, string>): Promise<void>;
  /** Resolves when the process exits by itself (a failpoint); with its signal. */
  exited(): Promise<NodeJS.Signals | null>;
  stop(): Promise<void>;
}

/** Starts `tessera serve` on `databaseUrl` with the data key `dataKey`. */
export async function startServerProcess(options: {
  databaseUrl: string;
  dataKey: Buffer;
  env?: Record<string, string>;
}): Promise<ServerProcess> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'tessera-server-'));
  const baseUrl = `http://127.0.0.1:${port}`;
  let child: ChildProcess;
  let exit: Promise<NodeJS.Signals | null>;

  const launch = async (env: Record<string, string>) => {
    child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src/main.ts'), 'serve'], {
      cwd: root,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        TESSERA_DATABASE_URL: options.databaseUrl,
        TESSERA_DATA_DIR: dataDir,
        TESSERA_DATA_KEY: options.dataKey.toString('base64'),
        HOST: '127.0.0.1',
        PORT: String(port),
        TESSERA_LOG: 'off',
        TESSERA_RATE_LIMIT_PER_MINUTE: '1000000',
        ...env,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    running.add(child);
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    const current = child;
    exit = new Promise((resolve) =>
      current.once('exit', (_code, signal) => {
        running.delete(current);
        resolve(signal);
      }),
    );
    for (let i = 0; i < 300; i++) {
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(`the server exited while starting: ${stderr}`);
      const up = await fetch(`${baseUrl}/healthz`)
        .then((r) => r.ok)
        .catch(() => false);
      if (up) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    child.kill('SIGKILL');
    throw new Error(`the server did not answer within 30 s: ${stderr}`);
  };

  const kill = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exit;
  };
  await launch(options.env ?? {});
  return {
    baseUrl,
    kill,
    async restart(env) {
      await kill();
      await launch(env ?? options.env ?? {});
    },
    exited: () => exit,
    async stop() {
      await kill();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
