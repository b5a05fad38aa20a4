// Two processes writing one SQLite file — a server and a CLI job beside it, or two servers in a
// test. Each transaction here reads a counter, yields, then writes it back plus one, while a
// second process does the same as fast as it can. With deferred transactions the read-then-
// write after the other process's commit failed at once with SQLITE_BUSY (no busy wait can
// help a stale snapshot); transactions that begin immediate wait for the lock instead, so
// every increment of both processes lands and none is lost.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { it } from 'node:test';
import { sql } from 'kysely';
import { openDatabase } from './open-database';

const root = fileURLToPath(new URL('../../', import.meta.url));

const increment = async (
  db: Awaited<ReturnType<typeof openDatabase>>,
  pause: () => Promise<void>,
) =>
  db.transaction(async (trx) => {
    const { rows } = await sql<{ n: number }>`select n from counter`.execute(trx);
    await pause();
    await sql`update counter set n = ${Number(rows[0]!.n) + 1}`.execute(trx);
  });

it('lets two processes increment one SQLite counter without a lost update or a SQLITE_BUSY', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-sqlite-processes-'));
  try {
    const file = join(dir, 'shared.db');
    const db = await openDatabase({ url: file });
    await sql`create table counter (n integer not null)`.execute(db.kysely);
    await sql`insert into counter (n) values (0)`.execute(db.kysely);
    const perProcess = 150;
    const script = join(dir, 'other.mts');
    writeFileSync(
      script,
      `import { openDatabase } from ${JSON.stringify(join(root, 'src/db/open-database.ts'))};
import { sql } from ${JSON.stringify(join(root, 'node_modules/kysely/dist/esm/index.js'))};
const db = await openDatabase({ url: ${JSON.stringify(file)} });
process.stdout.write('ready\\n');
for (let i = 0; i < ${perProcess}; i++) {
  await db.transaction(async (trx) => {
    const { rows } = await sql\`select n from counter\`.execute(trx);
    await new Promise((r) => setTimeout(r, 1));
    await sql\`update counter set n = \${Number(rows[0].n) + 1}\`.execute(trx);
  });
}
await db.close();
`,
    );
    const other = spawn(process.execPath, ['--import', 'tsx', script], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // Both loops start together, so that each process commits between the other's read and write.
    await new Promise<void>((resolve) => other.stdout.once('data', () => resolve()));
    let stderr = '';
    other.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => other.once('exit', resolve));
    for (let i = 0; i < perProcess; i++) {
      await increment(db, () => new Promise((r) => setTimeout(r, 1)));
    }
    assert.equal(await exited, 0, stderr);
    const { rows } = await sql<{ n: number }>`select n from counter`.execute(db.kysely);
    assert.equal(Number(rows[0]!.n), 2 * perProcess);
    await db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it('waits for a write lock another process holds without stopping this process', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-sqlite-lock-'));
  try {
    const file = join(dir, 'shared.db');
    const db = await openDatabase({ url: file });
    await sql`create table marks (who text not null)`.execute(db.kysely);
    const script = join(dir, 'holder.mts');
    // The other process takes the write lock, says so, holds it for 800 ms, writes, commits.
    writeFileSync(
      script,
      `import Database from ${JSON.stringify(join(root, 'node_modules/better-sqlite3/lib/index.js'))};
const db = new Database(${JSON.stringify(file)});
db.pragma('journal_mode = WAL');
db.exec('begin immediate');
process.stdout.write('locked\\n');
await new Promise((r) => setTimeout(r, 800));
db.exec("insert into marks (who) values ('holder')");
db.exec('commit');
db.close();
`,
    );
    const other = spawn(process.execPath, ['--import', 'tsx', script], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    other.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => other.once('exit', resolve));
    await new Promise<void>((resolve) => other.stdout.once('data', () => resolve()));
    // While this process waits for the lock, its event loop goes on: timers fire.
    let ticks = 0;
    const timer = setInterval(() => (ticks += 1), 10);
    const seen = await db.transaction(async (trx) => {
      const { rows } = await sql<{ who: string }>`select who from marks`.execute(trx);
      await sql`insert into marks (who) values ('waiter')`.execute(trx);
      return rows.map((r) => r.who);
    });
    clearInterval(timer);
    assert.equal(await exited, 0, stderr);
    assert.deepEqual(seen, ['holder'], 'the transaction began once the holder had committed');
    assert.ok(ticks >= 10, `the event loop ran while waiting (${ticks} ticks of 10 ms)`);
    await db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
