import assert from 'node:assert/strict';
import { it } from 'node:test';
import { sql } from 'kysely';
import { forEachEngine } from '../../test/support/engines';
import { columnTypes } from './columns';

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

  it('stores and reads back 64-bit integers beyond 2^53 exactly, and sums them exactly', async () => {
    const k = db().kysely;
    const big = 9007199254740993n; // 2^53 + 1: as a number it would read 9007199254740992
    await sql`create table t_bigint (id integer primary key, v ${sql.raw(columnTypes(engine).integer)} not null)`.execute(
      k,
    );
    await sql`insert into t_bigint (id, v) values (1, ${big}), (2, ${big}), (3, ${-big}), (4, ${2 ** 53 - 1})`.execute(
      k,
    );
    const { rows } = await sql<{
      id: number;
      v: number | bigint;
    }>`select id, v from t_bigint order by id`.execute(k);
    assert.deepEqual(
      rows.map((r) => r.v),
      [big, big, -big, 2 ** 53 - 1],
    );
    // Integers that fit a number still read as numbers, as the rest of the code expects.
    assert.equal(typeof rows[0]?.id, 'number');
    assert.equal(typeof rows[3]?.v, 'number');
    const { rows: sums } = await sql<{
      total: number | bigint;
      n: number | bigint;
    }>`select cast(sum(v) as bigint) as total, count(*) as n from t_bigint where id in (1, 2)`.execute(
      k,
    );
    assert.equal(sums[0]?.total, 18014398509481986n);
    assert.equal(sums[0]?.n, 2);
    assert.equal(BigInt(rows[0]!.v) + BigInt(rows[1]!.v), 18014398509481986n);
    // 2^53 itself is where a number stops being exact: a bigint, from a query and a CTE alike.
    const { rows: edge } = await sql<{
      v: number | bigint;
    }>`with x as (select cast(${2n ** 53n} as bigint) as v union all select cast(${2 ** 53 - 1} as bigint) as v) select v from x order by v`.execute(
      k,
    );
    assert.deepEqual(
      edge.map((r) => r.v),
      [2 ** 53 - 1, 2n ** 53n],
    );
    // A write that returns rows runs once, and what it returns is exact too.
    const { rows: returned } = await sql<{
      v: number | bigint;
    }>`insert into t_bigint (id, v) values (5, ${big}) returning v`.execute(k);
    assert.deepEqual(returned, [{ v: big }]);
    const { rows: count } = await sql<{
      n: number;
    }>`select count(*) as n from t_bigint where id = 5`.execute(k);
    assert.equal(Number(count[0]?.n), 1);
  });
});
