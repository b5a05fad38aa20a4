// Transactions that arrive together (grouped into one commit on SQLite, side by side on
// PostgreSQL) keep their own outcome: one that fails leaves nothing and fails alone, the others
// commit, and each sees what a serial run would show it.
import assert from 'node:assert/strict';
import { readdirSync, readlinkSync } from 'node:fs';
import { before, test } from 'node:test';
import { sql } from 'kysely';
import { forEachEngine } from '../../test/support/engines';

forEachEngine('transactions arriving together', ({ db, engine }) => {
  before(async () => {
    await sql`create table tx_probe (id text primary key, n integer not null)`.execute(db().kysely);
  });

  const insert = (id: string, n: number) =>
    db().transaction(async (trx) => {
      await sql`insert into tx_probe (id, n) values (${id}, ${n})`.execute(trx);
      return id;
    });

  test('a failing transaction among many fails alone and leaves nothing', async () => {
    const jobs = Array.from({ length: 40 }, (_, i) =>
      i % 7 === 3
        ? db().transaction(async (trx) => {
            await sql`insert into tx_probe (id, n) values (${`bad-${i}`}, ${i})`.execute(trx);
            throw new Error(`refused ${i}`);
          })
        : insert(`ok-${i}`, i),
    );
    const results = await Promise.allSettled(jobs);
    results.forEach((r, i) => {
      if (i % 7 === 3) {
        assert.equal(r.status, 'rejected');
        assert.match(String((r as PromiseRejectedResult).reason), new RegExp(`refused ${i}$`));
      } else assert.deepEqual(r, { status: 'fulfilled', value: `ok-${i}` });
    });
    const rows = await sql<{
      id: string;
    }>`select id from tx_probe order by id`.execute(db().kysely);
    const ids = rows.rows.map((r) => r.id);
    assert.equal(ids.filter((x) => x.startsWith('bad-')).length, 0);
    assert.equal(ids.length, 40 - results.filter((r) => r.status === 'rejected').length);
  });

  test('a unique violation in one transaction does not undo its neighbours', async () => {
    const results = await Promise.allSettled([
      insert('dup-a', 1),
      insert('dup-a', 2),
      insert('dup-b', 3),
    ]);
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 2);
    const { rows } = await sql<{
      id: string;
    }>`select id from tx_probe where id like 'dup-%' order by id`.execute(db().kysely);
    assert.deepEqual(
      rows.map((r) => r.id),
      ['dup-a', 'dup-b'],
    );
  });

  test('concurrent read-modify-write transactions lose no update', async () => {
    await insert('counter', 0);
    const bump = () =>
      db().transaction(async (trx) => {
        // Each takes what it read plus one: only a serial order gives the exact sum. On
        // PostgreSQL the row lock does it; on SQLite the one writer does.
        const { rows } = await sql<{
          n: number;
        }>`update tx_probe set n = n + 1 where id = 'counter' returning n`.execute(trx);
        return Number(rows[0]!.n);
      });
    const seen = await Promise.all(Array.from({ length: 50 }, bump));
    assert.deepEqual(
      [...seen].sort((a, b) => a - b),
      Array.from({ length: 50 }, (_, i) => i + 1),
    );
  });

  test('a transaction started after another was answered sees its writes', async () => {
    await insert('first', 1);
    const found = await db().transaction(
      async (trx) =>
        (await sql<{ n: number }>`select n from tx_probe where id = 'first'`.execute(trx)).rows,
    );
    assert.equal(found.length, 1);
  });

  // SQLite only: PostgreSQL's savepoints keep nothing in this process.
  if (engine === 'sqlite')
    test('a large grouped transaction keeps its savepoint journal in memory, and is undone from it', async () => {
      // SQLite's temporary files are unlinked as soon as they are opened: only the open file
      // descriptors show them.
      const temporaryFiles = () =>
        readdirSync('/proc/self/fd').filter((fd) => {
          try {
            return /etilqs_/.test(readlinkSync(`/proc/self/fd/${fd}`));
          } catch {
            return false; // closed between the listing and the look
          }
        }).length;
      await sql`create table tx_wide (id integer primary key, body text not null)`.execute(
        db().kysely,
      );
      await sql`insert into tx_wide (id, body) select value, printf('%.2000c', 'x') from json_each(${JSON.stringify(
        Array.from({ length: 200 }, (_, i) => i),
      )})`.execute(db().kysely);
      // Three at once share one commit, each in its own savepoint; each changes about a hundred
      // pages, far past the 64 KiB a file-backed sub-journal keeps in memory before it spills.
      // The last fails after its changes: they must be undone, from that journal.
      const rewrite = (c: string, fail = false) =>
        db().transaction(async (trx) => {
          await sql`update tx_wide set body = printf('%.2000c', ${c})`.execute(trx);
          if (fail) throw new Error('refused after writing');
          return temporaryFiles();
        });
      const seen = await Promise.allSettled([rewrite('y'), rewrite('z'), rewrite('w', true)]);
      assert.deepEqual(
        seen.map((s) => (s.status === 'fulfilled' ? s.value : (s.reason as Error).message)),
        [0, 0, 'refused after writing'],
      );
      const { rows } = await sql<{
        n: number;
      }>`select count(*) as n from tx_wide where body = printf('%.2000c', 'z')`.execute(
        db().kysely,
      );
      assert.equal(Number(rows[0]!.n), 200);
    });
});
