// A SQLite commit's fsync is done after COMMIT, off the event loop: nobody may be answered
// before it has returned, a failed one must stop the database taking writes, and the rest of
// the connection's work keeps synchronous=FULL.
import assert from 'node:assert/strict';
import {
  existsSync,
  fdatasync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { sql } from 'kysely';
import { openDatabase, type Database } from './index';
import type { FlushFile } from './sqlite-wal-sync';

const dir = mkdtempSync(join(tmpdir(), 'tessera-wal-sync-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let opened = 0;

/** A database whose flushes wait until the test lets each one go (or fail). */
async function withHeldFlushes(
  run: (db: Database, flushes: { fd: number; release: (e?: Error) => void }[]) => Promise<void>,
): Promise<void> {
  const flushes: { fd: number; release: (e?: Error) => void }[] = [];
  const held: FlushFile = (fd) =>
    new Promise((done, fail) => flushes.push({ fd, release: (e) => (e ? fail(e) : done()) }));
  const db = await openDatabase({ url: join(dir, `held-${++opened}.db`), sqliteFlush: held });
  try {
    await sql`create table probe (id text primary key)`.execute(db.kysely);
    await run(db, flushes);
  } finally {
    for (const f of flushes) f.release();
    await db.close();
  }
}

const insert = (db: Database, id: string) =>
  db.transaction(async (trx) => {
    await sql`insert into probe (id) values (${id})`.execute(trx);
    return id;
  });

const settledSoon = async (p: Promise<unknown>): Promise<boolean> => {
  let settled = false;
  p.then(
    () => (settled = true),
    () => (settled = true),
  );
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
  return settled;
};

const synchronousLevel = async (q: Database['kysely']) =>
  Number((await sql<{ synchronous: number }>`pragma synchronous`.execute(q)).rows[0]!.synchronous);

test('a committed transaction is answered only once its flush has returned', async () => {
  await withHeldFlushes(async (db, flushes) => {
    const first = insert(db, 'a');
    assert.equal(await settledSoon(first), false, 'answered before the flush');
    assert.equal(flushes.length, 1);
    assert.match(readlinkSync(`/proc/self/fd/${flushes[0]!.fd}`), /held-\d+\.db-wal$/);
    // Committed (another read sees it), but not acknowledged.
    const seen = await sql<{ n: number }>`select count(*) as n from probe`.execute(db.kysely);
    assert.equal(Number(seen.rows[0]!.n), 1);
    flushes[0]!.release();
    assert.equal(await first, 'a');
  });
});

test('the next group commits while the last flush is on the disk, and waits for a flush of its own', async () => {
  await withHeldFlushes(async (db, flushes) => {
    const first = insert(db, 'a');
    await settledSoon(first);
    const second = insert(db, 'b');
    const third = insert(db, 'c');
    assert.equal(await settledSoon(second), false);
    const rows = await sql<{ id: string }>`select id from probe order by id`.execute(db.kysely);
    assert.deepEqual(
      rows.rows.map((r) => r.id),
      ['a', 'b', 'c'],
      'the later groups committed while the first flush was held',
    );
    // Only one flush runs at a time: the later commits wait for the next, which they share.
    assert.equal(flushes.length, 1);
    flushes[0]!.release();
    assert.equal(await first, 'a');
    assert.equal(await settledSoon(second), false, 'answered by a flush that began before it');
    assert.equal(flushes.length, 2);
    flushes[1]!.release();
    assert.deepEqual(await Promise.all([second, third]), ['b', 'c']);
  });
});

test('a transaction that fails still waits for the flush, and keeps its own error', async () => {
  await withHeldFlushes(async (db, flushes) => {
    const good = insert(db, 'a');
    const bad = db.transaction(async (trx) => {
      await sql`insert into probe (id) values ('x')`.execute(trx);
      throw new Error('refused');
    });
    assert.equal(await settledSoon(bad), false);
    flushes[0]!.release();
    assert.equal(await good, 'a');
    await assert.rejects(bad, /^Error: refused$/);
    const rows = await sql<{ id: string }>`select id from probe order by id`.execute(db.kysely);
    assert.deepEqual(
      rows.rows.map((r) => r.id),
      ['a'],
    );
  });
});

test('a failed flush fails its callers and every later transaction, until a restart', async () => {
  await withHeldFlushes(async (db, flushes) => {
    const lost = insert(db, 'a');
    await settledSoon(lost);
    flushes[0]!.release(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }));
    await assert.rejects(lost, /EIO/);
    await assert.rejects(insert(db, 'b'), /failed to confirm a write .*until the server restarts/);
    const rows = await sql<{ id: string }>`select id from probe where id = 'b'`.execute(db.kysely);
    assert.equal(rows.rows.length, 0, 'the refused transaction wrote nothing');
  });
});

test('only a transaction commits without its fsync: outside one, synchronous stays FULL', async () => {
  const db = await openDatabase({ url: join(dir, 'levels.db') });
  try {
    await sql`create table probe (id text primary key)`.execute(db.kysely);
    assert.equal(await synchronousLevel(db.kysely), 2, 'FULL outside a transaction');
    const inside = await db.transaction((trx) => synchronousLevel(trx));
    assert.equal(inside, 1, 'NORMAL inside, its flush done after the commit');
    assert.equal(await synchronousLevel(db.kysely), 2, 'FULL again after the commit');
    await assert.rejects(
      db.transaction(async () => {
        throw new Error('rolled back');
      }),
      /rolled back/,
    );
    assert.equal(await synchronousLevel(db.kysely), 2, 'FULL again after a rollback');
    // With the real fdatasync, many transactions at once are all answered and all stored.
    const ids = Array.from({ length: 300 }, (_, i) => `id-${i}`);
    assert.deepEqual(await Promise.all(ids.map((id) => insert(db, id))), ids);
  } finally {
    await db.close();
  }
  const again = await openDatabase({ url: join(dir, 'levels.db') });
  try {
    const n = await sql<{ n: number }>`select count(*) as n from probe`.execute(again.kysely);
    assert.equal(Number(n.rows[0]!.n), 300);
  } finally {
    await again.close();
  }
});

test('the real flush is an fdatasync of the WAL on the thread pool', async () => {
  const synced: string[] = [];
  const real: FlushFile = (fd) =>
    new Promise((done, fail) => {
      synced.push(readlinkSync(`/proc/self/fd/${fd}`));
      fdatasync(fd, (e) => (e ? fail(e) : done()));
    });
  const db = await openDatabase({ url: join(dir, 'real.db'), sqliteFlush: real });
  try {
    await sql`create table probe (id text primary key)`.execute(db.kysely);
    await insert(db, 'a');
    assert.deepEqual(synced, [join(dir, 'real.db-wal')]);
  } finally {
    await db.close();
  }
});

test('TESSERA_SQLITE_FLUSH: in-commit keeps the fsync inside COMMIT; a wrong value is named', async (t) => {
  const before = process.env.TESSERA_SQLITE_FLUSH;
  t.after(() => {
    if (before === undefined) delete process.env.TESSERA_SQLITE_FLUSH;
    else process.env.TESSERA_SQLITE_FLUSH = before;
  });
  process.env.TESSERA_SQLITE_FLUSH = 'in-commit';
  const synced: number[] = [];
  const db = await openDatabase({
    url: join(dir, 'in-commit.db'),
    sqliteFlush: async (fd) => void synced.push(fd),
  });
  try {
    await sql`create table probe (id text primary key)`.execute(db.kysely);
    assert.equal(await db.transaction((trx) => synchronousLevel(trx)), 2, 'FULL inside too');
    await insert(db, 'a');
    assert.deepEqual(synced, [], 'no flush after the commit');
  } finally {
    await db.close();
  }
  process.env.TESSERA_SQLITE_FLUSH = 'later';
  await assert.rejects(
    openDatabase({ url: join(dir, 'wrong', 'wrong.db') }),
    /^Error: TESSERA_SQLITE_FLUSH: "later" is not a flush mode; use deferred \(the default\) or in-commit\.$/,
  );
  assert.equal(existsSync(join(dir, 'wrong')), false, 'nothing was created');
});

test('no code opens a Kysely transaction of its own, which would commit without its flush', () => {
  // The driver lowers synchronous for every transaction; only Database.transaction (the group
  // commit) flushes after it. A transaction begun straight on Kysely would be acknowledged
  // before its WAL is on the disk.
  const src = new URL('..', import.meta.url).pathname;
  const offenders = readdirSync(src, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .filter((f) => /\.transaction\(\)\s*\.execute\(/.test(readFileSync(join(src, f), 'utf8')))
    .sort();
  assert.deepEqual(offenders, ['db/group-commit.ts', 'db/open-database.ts']);
});
