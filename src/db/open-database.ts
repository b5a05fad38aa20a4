// Opens a database on either engine, with the same reading of integers on both.
//
// 64-bit integers read back exactly, or not as numbers at all. A value within
// ±(2^53 − 1) reads as a `number`, as every integer column and COUNT(*) always has, so
// existing code is unchanged; a value beyond reads as a `bigint` holding every digit, never
// as a rounded number. (Neither driver does this by itself: pg returns int8 as a string,
// and better-sqlite3 without safeIntegers silently rounds 2^53 + 1 to 2^53.)
//   - PostgreSQL: integer columns are bigint (int8, type id 20). This pool's own type parser
//     reads int8 text as above; the pg module's global parsers are left alone. int4 is a
//     number as pg reads it; numeric (what sum() of a bigint column returns) stays a string:
//     cast it, e.g. `cast(sum(amount) as bigint)`, to read it as an integer.
//   - SQLite: every statement that returns rows runs with safeIntegers, so integers arrive
//     as bigint and are narrowed to numbers when safe. Reals are unaffected.
// Money and any other column that may pass 2^53 must therefore be typed `number | bigint`
// and read with BigInt(value), which is exact for both; Number() would round it again.
// Parameters may be bigint on both engines (pg sends their decimal text).
import BetterSqlite3 from 'better-sqlite3';
import { CompiledQuery, Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import type { Driver, SqliteDatabase, SqliteStatement } from 'kysely';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import pg from 'pg';
import { groupCommit } from './group-commit';
import { DeferredWalSync, type FlushFile } from './sqlite-wal-sync';
import { trackTransaction } from './transaction-end';
import type { Schema } from './schema';
import type { Database, Engine, Queryable } from './types';

/** How many rows go into one multi-row INSERT (keeps bound parameters under both limits). */
const insertRowsPerStatementMax = 500;

/** Where the data lives: `postgres://…`, `sqlite:PATH`, a file path, or `:memory:`. */
export interface OpenDatabaseOptions {
  url: string;
  /** PostgreSQL pool size. */
  poolSizeMax?: number;
  /** SQLite: how a commit's WAL reaches the disk after the commit (tests hold it or fail it). */
  sqliteFlush?: FlushFile;
}

/** Which engine a database URL names. */
export function engineOf(url: string): Engine {
  return /^postgres(ql)?:\/\//.test(url) ? 'postgres' : 'sqlite';
}

const maxSafe = BigInt(Number.MAX_SAFE_INTEGER);

/** An integer as read from either engine: a number when that is exact, else a bigint. */
function exactInteger(value: bigint): number | bigint {
  return value >= -maxSafe && value <= maxSafe ? Number(value) : value;
}

// PostgreSQL int8 in text form: a safe integer as a number, a larger one as an exact bigint.
const int8Type = 20;
const pgTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format: 'text' | 'binary' = 'text') =>
    oid === int8Type && format === 'text'
      ? (text: string) => exactInteger(BigInt(text))
      : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
};

// SQLite rows with integers read exactly (safeIntegers), then narrowed where a number is exact.
function exactRow(row: unknown): unknown {
  if (row !== null && typeof row === 'object') {
    const record = row as Record<string, unknown>;
    for (const key in record) {
      const value = record[key];
      if (typeof value === 'bigint') record[key] = exactInteger(value);
    }
  }
  return row;
}

/** Statements kept prepared per SQL text: Kysely's SQL for one query shape is always the same. */
const preparedStatementsMax = 1000;

function exactIntegers(raw: BetterSqlite3.Database): SqliteDatabase {
  // Preparing a statement costs more than running a small one; a hot path (a redemption runs
  // a dozen queries) would spend a tenth of its time compiling the same SQL again.
  const kept = new Map<string, { raw: BetterSqlite3.Statement; wrapped: SqliteStatement }>();
  const wrap = (statement: BetterSqlite3.Statement): SqliteStatement => {
    if (!statement.reader) return statement;
    statement.safeIntegers(true);
    return {
      reader: true,
      all: (parameters) => statement.all(parameters).map(exactRow),
      run: (parameters) => statement.run(parameters),
      *iterate(parameters) {
        for (const row of statement.iterate(parameters)) yield exactRow(row);
      },
    };
  };
  return {
    close: () => raw.close(),
    prepare(query: string): SqliteStatement {
      const hit = kept.get(query);
      // A statement still being iterated (a stream) cannot run again: prepare another.
      if (hit && !hit.raw.busy) return hit.wrapped;
      const statement = raw.prepare(query);
      const wrapped = wrap(statement);
      if (!hit) {
        if (kept.size >= preparedStatementsMax) kept.delete(kept.keys().next().value!);
        kept.set(query, { raw: statement, wrapped });
      }
      return wrapped;
    },
  };
}

/**
 * SQLite's dialect with transactions that take the write lock when they begin (`begin
 * immediate`). A deferred transaction that reads and then writes, after another process
 * committed in between, fails at once with SQLITE_BUSY — the busy timeout cannot help, since
 * waiting could deadlock — so a CLI job or a second server beside the server turned into
 * random 500s under load. Taken at the start, the lock is waited for under busy_timeout, and
 * what the transaction reads is then current. One process has one connection, so nothing
 * changes there.
 */
class ImmediateSqliteDialect extends SqliteDialect {
  readonly #raw: BetterSqlite3.Database;
  readonly #wal: DeferredWalSync | undefined;

  constructor(raw: BetterSqlite3.Database, wal: DeferredWalSync | undefined) {
    super({ database: exactIntegers(raw) });
    this.#raw = raw;
    this.#wal = wal;
  }

  override createDriver(): Driver {
    const driver = super.createDriver();
    const raw = this.#raw;
    const wal = this.#wal;
    // While another process (a second worker, a CLI job) holds the write lock, SQLite's busy
    // handler would sleep inside the call — better-sqlite3 is synchronous, so this whole
    // process would stop: no request parsed, none answered, for up to the busy timeout. So the
    // begin is tried without waiting, and on SQLITE_BUSY retried after a timer, the event loop
    // running meanwhile; after `busyTimeoutMs` in all it fails as before.
    driver.beginTransaction = async (connection) => {
      const deadline = performance.now() + busyTimeoutMs;
      // The commit's fsync is done afterwards, off the event loop (sqlite-wal-sync.ts).
      wal?.beforeBegin();
      let begun = false;
      raw.pragma('busy_timeout = 0');
      try {
        for (let pauseMs = 1; ; pauseMs = Math.min(pauseMs * 2, 16)) {
          try {
            await connection.executeQuery(beginImmediate);
            begun = true;
            return;
          } catch (e) {
            if ((e as { code?: unknown }).code !== 'SQLITE_BUSY' || performance.now() > deadline)
              throw e;
          }
          await new Promise((done) => setTimeout(done, pauseMs));
        }
      } finally {
        raw.pragma(`busy_timeout = ${busyTimeoutMs}`);
        if (!begun) wal?.afterEnd();
      }
    };
    if (wal) {
      driver.commitTransaction = async (connection) => {
        try {
          await connection.executeQuery(commit);
        } finally {
          wal.afterEnd();
        }
      };
      driver.rollbackTransaction = async (connection) => {
        try {
          await connection.executeQuery(rollback);
        } finally {
          wal.afterEnd();
        }
      };
    }
    return driver;
  }
}

const beginImmediate = CompiledQuery.raw('begin immediate');
const commit = CompiledQuery.raw('commit');
const rollback = CompiledQuery.raw('rollback');
/** How long a statement waits for a lock another process holds before it fails. */
const busyTimeoutMs = 10_000;

/** Opens (and, for SQLite, creates) a database. Run migrations separately. */
export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  return engineOf(options.url) === 'postgres'
    ? openPostgres(options)
    : openSqlite(options.url, options.sqliteFlush);
}

function openSqlite(url: string, flushFile?: FlushFile): Database {
  // Checked before anything is opened or created.
  const flushMode = process.env.TESSERA_SQLITE_FLUSH ?? 'deferred';
  if (flushMode !== 'deferred' && flushMode !== 'in-commit')
    throw new Error(
      `TESSERA_SQLITE_FLUSH: "${flushMode}" is not a flush mode; use deferred (the default) or in-commit.`,
    );
  const path = url.replace(/^sqlite:(\/\/)?/, '');
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const raw = new BetterSqlite3(path);
  // WAL lets readers run beside the writer. synchronous=FULL fsyncs the WAL at every commit,
  // so a committed transaction survives a process crash and a power loss alike; transactions
  // that arrive together share one commit (group-commit.ts), so the fsync is paid once, and
  // it is paid after the commit, off the event loop, before anyone is answered
  // (sqlite-wal-sync.ts). An in-memory database has nothing to flush.
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = FULL');
  raw.pragma('foreign_keys = ON');
  raw.pragma(`busy_timeout = ${busyTimeoutMs}`);
  raw.pragma('cache_size = -65536');
  // Temporary storage in memory. Each grouped transaction runs in its own savepoint
  // (group-commit.ts), and SQLite keeps what a savepoint may have to undo in a sub-journal.
  // With temporary storage on files, a sub-journal past 64 KiB became a temporary file written
  // two calls a page: under a rush (bench/redeem) nearly three in four of the server's writes,
  // and a tenth of its one thread. In memory a group's sub-journal is a few hundred KiB. The
  // decrypted health values a medicine rule joins (programs/health-values.ts) then never reach
  // the disk either. Sorts still spill to files; a temporary table lasts one query or, for the
  // health values, one transaction.
  raw.pragma('temp_store = MEMORY');
  const wal =
    raw.memory ||
    raw.pragma('journal_mode', { simple: true }) !== 'wal' ||
    flushMode === 'in-commit'
      ? undefined
      : new DeferredWalSync(raw, path, flushFile);
  const kysely = new Kysely<Schema>({
    dialect: new ImmediateSqliteDialect(raw, wal),
  });
  const database = makeDatabase('sqlite', url, kysely, async () => {
    await kysely.destroy();
    wal?.close();
  });
  database.transaction = groupCommit(kysely, wal && (() => wal.flush()));
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
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSizeMax ?? 10,
    types: pgTypes,
  });
  // An idle client that errors (server restart) must not crash the process.
  pool.on('error', () => {});
  // Nor may one that a request holds: a failover cuts every session to the old primary, and
  // pg emits 'error' on a client whose connection breaks, which nothing hears while the pool
  // has lent it out — an unheard 'error' ends the process. The query it was running fails by
  // itself (the request fails, and its retry with the same key is answered once), and the
  // pool discards a client whose connection broke when it comes back, so the next request
  // opens a fresh connection: through the cluster's write address, to the new primary.
  pool.on('connect', (client) => client.on('error', () => {}));
  const kysely = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
  return makeDatabase('postgres', options.url, kysely, async () => {
    await kysely.destroy();
  });
}

function makeDatabase(
  engine: Engine,
  url: string,
  kysely: Kysely<Schema>,
  close: () => Promise<void>,
): { -readonly [K in keyof Database]: Database[K] } {
  return {
    engine,
    url,
    kysely,
    transaction: (fn) =>
      trackTransaction((opened) =>
        kysely.transaction().execute((trx) => {
          opened(trx);
          return fn(trx);
        }),
      ),
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

// SQLSTATEs of a lost or refused PostgreSQL connection: class 08 (connection exception), a
// server shutting down or crashed (57P01-57P03), and a write that reached a server that is no
// longer the primary (25006, read-only transaction) in the moment before the proxy notices.
const connectionLossStates = /^(08...|57P0[123]|25006)$/;
// What the socket and node-postgres say when the connection breaks or cannot be made.
const connectionLossCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT']);
const connectionLossMessages =
  /Connection terminated|not queryable|timeout exceeded when trying to connect/;

/**
 * Whether an error is the database connection lost or refused (a failover, a restart), not
 * a fault of the request: the request may be sent again (with the same idempotency key).
 */
export function isConnectionLoss(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : '';
  const message = typeof e?.message === 'string' ? e.message : '';
  return (
    connectionLossStates.test(code) ||
    connectionLossCodes.has(code) ||
    connectionLossMessages.test(message)
  );
}

/** Whether a database error is a unique-constraint violation, on either engine. */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return (
    code === '23505' ||
    code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
  );
}
