import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import pg from 'pg';
import type { Schema } from './schema';
import type { Database, Engine, Queryable } from './types';

/** How many rows go into one multi-row INSERT (keeps bound parameters under both limits). */
const insertRowsPerStatementMax = 500;

/** Where the data lives: `postgres://…`, `sqlite:PATH`, a file path, or `:memory:`. */
export interface OpenDatabaseOptions {
  url: string;
  /** PostgreSQL pool size. */
  poolSizeMax?: number;
}

/** Which engine a database URL names. */
export function engineOf(url: string): Engine {
  return /^postgres(ql)?:\/\//.test(url) ? 'postgres' : 'sqlite';
}

// int8 (bigint) values come back as numbers; a value beyond 2^53 would lose digits, so refuse it.
pg.types.setTypeParser(20, (text: string) => {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new Error(`integer out of safe range: ${text}`);
  return value;
});

/** Opens (and, for SQLite, creates) a database. Run migrations separately. */
export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  return engineOf(options.url) === 'postgres' ? openPostgres(options) : openSqlite(options.url);
}

function openSqlite(url: string): Database {
  const path = url.replace(/^sqlite:(\/\/)?/, '');
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const raw = new BetterSqlite3(path);
  // WAL lets readers run beside the writer. synchronous=FULL fsyncs the WAL at every commit,
  // so a committed transaction survives a process crash and a power loss alike.
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = FULL');
  raw.pragma('foreign_keys = ON');
  raw.pragma('busy_timeout = 10000');
  raw.pragma('cache_size = -65536');
  const kysely = new Kysely<Schema>({ dialect: new SqliteDialect({ database: raw }) });
  const database = makeDatabase('sqlite', kysely, async () => {
    await kysely.destroy();
  });
  // SQLite has one connection, shared by Kysely and this path: a prepared statement run once per
  // row inside the caller's transaction is several times faster than compiling multi-row SQL.
  const statements = new Map<string, BetterSqlite3.Statement>();
  database.insertMany = async (_trx, table, rows) => {
    if (rows.length === 0) return;
    const columns = Object.keys(rows[0]!);
    const key = `${table}(${columns.join(',')})`;
    let statement = statements.get(key);
    if (!statement) {
      const names = columns.map((c) => `"${c.replace(/"/g, '""')}"`).join(', ');
      statement = raw.prepare(
        `insert into "${table}" (${names}) values (${columns.map(() => '?').join(', ')})`,
      );
      statements.set(key, statement);
    }
    for (const row of rows) statement.run(columns.map((c) => row[c] ?? null));
  };
  database.existingValues = async (_trx, table, column, values) => {
    const key = `exists:${table}.${column}`;
    let statement = statements.get(key);
    if (!statement) {
      statement = raw.prepare(`select 1 from "${table}" where "${column}" = ? limit 1`).pluck();
      statements.set(key, statement);
    }
    const found = new Set<string>();
    for (const v of values) if (statement.get(v) !== undefined) found.add(v);
    return found;
  };
  return database;
}

function openPostgres(options: OpenDatabaseOptions): Database {
  const pool = new pg.Pool({ connectionString: options.url, max: options.poolSizeMax ?? 10 });
  // An idle client that errors (server restart) must not crash the process.
  pool.on('error', () => {});
  const kysely = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
  return makeDatabase('postgres', kysely, async () => {
    await kysely.destroy();
  });
}

function makeDatabase(
  engine: Engine,
  kysely: Kysely<Schema>,
  close: () => Promise<void>,
): { -readonly [K in keyof Database]: Database[K] } {
  return {
    engine,
    kysely,
    transaction: (fn) => kysely.transaction().execute(fn),
    insertMany: (trx, table, rows) => insertMany(trx, table, rows),
    existingValues: async (trx, table, column, values) => {
      if (values.length === 0) return new Set();
      const { rows } = await sql<{
        v: string;
      }>`select ${sql.ref(column)} as v from ${sql.table(table)} where ${sql.ref(column)} = any(${[...values]})`.execute(
        trx,
      );
      return new Set(rows.map((r) => r.v));
    },
    close,
  };
}

async function insertMany(
  trx: Queryable,
  table: keyof Schema & string,
  rows: Record<string, unknown>[],
): Promise<void> {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0]!);
  const perStatement = Math.max(
    1,
    Math.min(insertRowsPerStatementMax, Math.floor(30000 / columns.length)),
  );
  for (let i = 0; i < rows.length; i += perStatement) {
    const chunk = rows.slice(i, i + perStatement);
    const values = chunk.map(
      (row) => sql`(${sql.join(columns.map((c) => sql`${row[c] ?? null}`))})`,
    );
    await sql`insert into ${sql.table(table)} (${sql.join(columns.map((c) => sql.ref(c)))}) values ${sql.join(values)}`.execute(
      trx,
    );
  }
}
