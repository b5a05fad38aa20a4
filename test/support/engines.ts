// One contract suite, every engine: forEachEngine() declares the same tests on SQLite and on
// PostgreSQL, each suite on a fresh, migrated database of its own.
import { after, before, describe } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { migrateToLatest, openDatabase, type Database, type Engine } from '../../src/db';
import { migrations } from '../../src/modules';
import { startLocalPostgres, type LocalPg } from './local-pg';

/** The engines this run covers: both, unless TESSERA_TEST_ENGINES narrows it. */
export const testEngines: Engine[] =
  process.env.TESSERA_TEST_ENGINES === 'sqlite' ? ['sqlite'] : ['sqlite', 'postgres'];

let ownServer: Promise<LocalPg> | undefined;

async function postgresAdminUrl(): Promise<string> {
  const fromEnv = process.env.TESSERA_TEST_DATABASE_URL;
  if (fromEnv) return fromEnv;
  // Run by hand without scripts/run-tests.ts: start a server for this process only.
  ownServer ??= startLocalPostgres();
  return (await ownServer).url;
}

/** A fresh, migrated, empty database on the given engine, and how to throw it away. */
export async function createTestDatabase(
  engine: Engine,
): Promise<{ db: Database; url: string; dispose: () => Promise<void> }> {
  if (engine === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-sqlite-'));
    const url = join(dir, 'test.db');
    const db = await openDatabase({ url });
    await migrateToLatest(db, migrations);
    return {
      db,
      url,
      dispose: async () => {
        await db.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const admin = await postgresAdminUrl();
  const name = `t_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  await client.query(`create database ${name}`);
  await client.end();
  const url = admin.replace(/\/[^/?]*(\?|$)/, `/${name}$1`);
  const db = await openDatabase({ url, poolSizeMax: 5 });
  await migrateToLatest(db, migrations);
  return {
    db,
    url,
    dispose: async () => {
      await db.close();
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

/** Declares `suite` once per engine, as "title [sqlite]" and "title [postgres]". */
export function forEachEngine(
  title: string,
  suite: (context: { db: () => Database; url: () => string; engine: Engine }) => void,
): void {
  for (const engine of testEngines) {
    describe(`${title} [${engine}]`, () => {
      let current: Awaited<ReturnType<typeof createTestDatabase>> | undefined;
      before(async () => {
        current = await createTestDatabase(engine);
      });
      after(async () => {
        await current?.dispose();
      });
      suite({
        engine,
        db: () => {
          if (!current) throw new Error('test database not ready: use db() inside a test');
          return current.db;
        },
        url: () => {
          if (!current) throw new Error('test database not ready: use url() inside a test');
          return current.url;
        },
      });
    });
  }
}

after(async () => {
  if (ownServer) (await ownServer).stop();
});
