// The real server for a bench: `tessera serve` as its own process on loopback (so that the load
// generator in the bench's process does not share its event loop), run from the build of the
// sources (scripts/build-server.ts), with the per-address rate limits lifted because one client
// address carries the whole load, and autocannon as a promise. The perf harness is the same for
// every bench that goes over HTTP.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { ensureServerBuild } from '../scripts/build-server';
import { freePort } from '../test/support/local-pg';

const root = new URL('..', import.meta.url).pathname;

/** Starts `tessera serve` on the database and waits (two minutes at most) for /healthz. */
export async function startBenchServer(options: {
  databaseUrl: string;
  dataKey: Buffer;
  dataDir: string;
  /** Where the server writes a CPU profile when it stops, if anywhere. */
  profileDir?: string | undefined;
  /** Processes serving HTTP (TESSERA_WORKERS); 1 by default. */
  workers?: number | undefined;
}): Promise<{ base: string; child: ChildProcess }> {
  const port = await freePort();
  const program = await ensureServerBuild();
  const child: ChildProcess = spawn(
    process.execPath,
    [
      ...(options.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`] : []),
      program,
      'serve',
    ],
    {
      cwd: root,
      env: {
        ...process.env,
        TESSERA_DATABASE_URL: options.databaseUrl,
        TESSERA_DATA_DIR: options.dataDir,
        TESSERA_DATA_KEY: options.dataKey.toString('base64'),
        PORT: String(port),
        HOST: '127.0.0.1',
        TESSERA_LOG: 'off',
        TESSERA_RATE_LIMIT_PER_MINUTE: '100000000',
        TESSERA_READ_LIMIT_PER_HOUR: '0',
        TESSERA_WORKERS: String(options.workers ?? 1),
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}`);
    const up = await fetch(`${base}/healthz`)
      .then((r) => r.ok)
      .catch(() => false);
    if (up) return { base, child };
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill('SIGKILL');
  throw new Error('the server did not start within two minutes');
}

/**
 * Stops a bench server (SIGTERM, so that a CPU profile is written) and waits for it: a minute
 * at most, since closing a large SQLite database checkpoints its write-ahead log first.
 */
export async function stopBenchServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((done) => child.once('exit', done));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  await exited;
  clearTimeout(timer);
}

/** autocannon, awaited. */
export function runAutocannon(options: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon(options, (err, result) => (err ? reject(err) : resolve(result)));
  });
}

/**
 * CPU time (user + system, ms) that a process and its living descendants (a server's worker
 * processes) have used so far, from /proc: per request, it is the server's cost whatever else
 * the machine is running, where a rate depends on the load.
 */
export function processCpuMs(pid: number): number {
  const stats = new Map<number, { ppid: number; ms: number }>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue; // it ended meanwhile
    }
    // The command name is in parentheses and may hold spaces: count fields after it.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    stats.set(Number(name), { ppid: Number(fields[1]), ms: (ticks * 1000) / 100 });
  }
  const inTree = (p: number): boolean => {
    for (let at = p, hops = 0; at > 1 && hops < 64; hops++) {
      if (at === pid) return true;
      at = stats.get(at)?.ppid ?? 0;
    }
    return false;
  };
  let ms = 0;
  for (const [p, s] of stats) if (inTree(p)) ms += s.ms;
  return ms;
}
