// A PostgreSQL connection cut under a request (what a failover does to every session on the
// old primary) fails that request and nothing else: the process goes on, and the pool opens a
// fresh connection for the next one. The cut is pg_terminate_backend from another session,
// once between two queries of a transaction and once in the middle of a query.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { sql } from 'kysely';
import pg from 'pg';
import { forEachEngine } from '../../test/support/engines';
import { isConnectionLoss } from './open-database';
import type { Queryable } from './types';

forEachEngine('a lost connection', ({ db, url, engine }) => {
  const skip = engine === 'sqlite' ? 'SQLite runs in the process: no connection to lose' : false;

  /** Ends the backend serving `trx` and waits until PostgreSQL no longer lists it. */
  async function cut(trx: Queryable): Promise<void> {
    const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(trx);
    const pid = rows[0]!.pid;
    const admin = new pg.Client({ connectionString: url() });
    await admin.connect();
    try {
      await admin.query('select pg_terminate_backend($1)', [pid]);
      // Bounded: 100 looks, 50 ms apart.
      for (let i = 0; i < 100; i++) {
        const left = await admin.query('select 1 from pg_stat_activity where pid = $1', [pid]);
        if (left.rowCount === 0) return;
        await new Promise((done) => setTimeout(done, 50));
      }
      throw new Error(`backend ${pid} still there after pg_terminate_backend`);
    } finally {
      await admin.end();
    }
  }

  it('fails the transaction whose connection was cut between two queries', { skip }, async () => {
    await assert.rejects(
      db().transaction(async (trx) => {
        await cut(trx);
        // The error arrived while the pool had lent the connection out and nothing queried.
        await new Promise((done) => setImmediate(done));
        await sql`select 1`.execute(trx);
      }),
      (e: Error) => isConnectionLoss(e),
    );
    const { rows } = await sql<{ one: number }>`select 1 as one`.execute(db().kysely);
    assert.equal(rows[0]?.one, 1, 'the next query has a fresh connection');
  });

  it('fails the query in flight when its connection is cut', { skip }, async () => {
    await assert.rejects(
      db().transaction(async (trx) => {
        const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(trx);
        // Its failure is held until awaited below, so that it is not an unhandled rejection.
        const sleeping = sql`select pg_sleep(30)`.execute(trx).then(
          () => null,
          (e: unknown) => e,
        );
        const admin = new pg.Client({ connectionString: url() });
        await admin.connect();
        await admin.query('select pg_terminate_backend($1)', [rows[0]!.pid]);
        await admin.end();
        const failed = await sleeping;
        if (failed) throw failed;
      }),
      (e: Error) => isConnectionLoss(e),
    );
    // Every connection the pool may hold works afterwards (the pool of a test has five).
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => sql<{ one: number }>`select 1 as one`.execute(db().kysely)),
    );
    assert.deepEqual(
      answers.map((a) => a.rows[0]?.one),
      [1, 1, 1, 1, 1],
    );
  });

  it('tells a lost connection from other failures', () => {
    assert.ok(isConnectionLoss(Object.assign(new Error('x'), { code: '57P01' })));
    assert.ok(isConnectionLoss(Object.assign(new Error('x'), { code: '08006' })));
    assert.ok(isConnectionLoss(Object.assign(new Error('connect'), { code: 'ECONNREFUSED' })));
    assert.ok(isConnectionLoss(new Error('Connection terminated unexpectedly')));
    assert.ok(!isConnectionLoss(Object.assign(new Error('dup'), { code: '23505' })));
    assert.ok(!isConnectionLoss(new Error('invariant violated: boom')));
    assert.ok(!isConnectionLoss(null));
  });
});
