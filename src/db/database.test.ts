import assert from 'node:assert/strict';
import { it } from 'node:test';
import { sql } from 'kysely';
import { forEachEngine } from '../../test/support/engines';

forEachEngine('database', ({ db, engine }) => {
  it('answers a query on the engine it says it is', async () => {
    const { rows } = await sql<{ one: number }>`select 1 as one`.execute(db().kysely);
    assert.equal(Number(rows[0]?.one), 1);
    assert.equal(db().engine, engine);
  });

  it('rolls a failed transaction back whole', async () => {
    const k = db().kysely;
    await sql`create table t_rollback (id integer primary key)`.execute(k);
    await assert.rejects(
      db().transaction(async (trx) => {
        await sql`insert into t_rollback (id) values (1)`.execute(trx);
        throw new Error('boom');
      }),
      /boom/,
    );
    const { rows } = await sql<{ n: number }>`select count(*) as n from t_rollback`.execute(k);
    assert.equal(Number(rows[0]?.n), 0);
  });
});
