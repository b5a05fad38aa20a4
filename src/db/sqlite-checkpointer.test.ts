// The WAL checkpointer (SQLite only: PostgreSQL has its own checkpointer process). A connection
// that defers its checkpoints writes more than SQLite's default threshold of 1,000 WAL pages and
// never copies a page into the database file itself; the checkpointer's thread does, while the
// writes go on, and every committed row reads back afterwards from a fresh connection.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { sql } from 'kysely';
import { openDatabase } from './open-database';
import { deferCheckpoints, sqliteFilePath, startSqliteCheckpointer } from './sqlite-checkpointer';

const pageBytes = 4096;

async function writeRows(db: Awaited<ReturnType<typeof openDatabase>>, from: number, n: number) {
  await db.transaction(async (trx) => {
    for (let i = from; i < from + n; i++)
      await sql`insert into filler (id, body) values (${i}, ${'x'.repeat(2000)})`.execute(trx);
  });
}

it('names the SQLite file of a URL, and none for memory or PostgreSQL', () => {
  assert.equal(sqliteFilePath('sqlite:/var/t.db'), '/var/t.db');
  assert.equal(sqliteFilePath('data/t.db'), 'data/t.db');
  assert.equal(sqliteFilePath(':memory:'), null);
  assert.equal(sqliteFilePath('postgres://u@h/db'), null);
});

it('copies the WAL into the database file from its own thread, never in a commit', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-checkpointer-'));
  const file = join(dir, 't.db');
  try {
    const db = await openDatabase({ url: file });
    await sql`create table filler (id integer primary key, body text not null)`.execute(db.kysely);
    await sql`pragma wal_checkpoint(truncate)`.execute(db.kysely);
    await deferCheckpoints(db);
    const emptySize = statSync(file).size;
    // About 3,000 pages: three times the default threshold, under the deferred one.
    for (let k = 0; k < 30; k++) await writeRows(db, k * 200, 200);
    assert.ok(statSync(`${file}-wal`).size > 2_000 * pageBytes, 'the WAL holds the writes');
    assert.equal(statSync(file).size, emptySize, 'no commit copied the WAL into the file');

    const errors: unknown[] = [];
    const stop = startSqliteCheckpointer(file, { intervalMs: 20, onError: (e) => errors.push(e) });
    try {
      let copied = false;
      // All ten batches of writes go on while it runs, however soon it has copied.
      for (let i = 0; i < 300 && (!copied || i < 10); i++) {
        if (i < 10) await writeRows(db, 6_000 + i * 10, 10);
        await new Promise((r) => setTimeout(r, 50));
        copied = statSync(file).size > emptySize + 2_000 * pageBytes;
      }
      assert.ok(copied, 'the checkpointer copied the WAL into the database file');
    } finally {
      await stop();
    }
    assert.deepEqual(errors, []);
    await db.close();
    const again = await openDatabase({ url: file });
    const { rows } = await sql<{ n: number }>`select count(*) as n from filler`.execute(
      again.kysely,
    );
    assert.equal(rows[0]!.n, 6_100, 'every committed row');
    await again.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
