// Prepared queries (built once per engine, then only bound) answer exactly what the ordinary
// query would, inside and outside transactions, and refuse a builder whose shape would depend
// on its arguments instead of silently running the first shape with other values.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import { forEachEngine } from '../../test/support/engines';
import { preparedQuery } from './prepared-query';

const insertKey = preparedQuery(3, (db, scope: string, key: string, at: string) =>
  db.insertInto('idempotency_keys').values({
    scope,
    key,
    request_hash: 'h',
    state: 'done',
    locked_until: at,
    status_code: 201,
    response: '{}',
    created_at: at,
    completed_at: at,
  }),
);
const keysOf = preparedQuery(2, (db, scope: string, from: string) =>
  db
    .selectFrom('idempotency_keys')
    .select(['key', 'status_code'])
    .where('scope', '=', scope)
    .where('key', '>=', from)
    .orderBy('key')
    .limit(3),
);
const setStatus = preparedQuery(3, (db, status: number, scope: string, key: string) =>
  db
    .updateTable('idempotency_keys')
    .set({ status_code: sql`${status} + 0` })
    .where('scope', '=', scope)
    .where('key', '=', key)
    .where('status_code', '<>', status),
);

forEachEngine('prepared queries', ({ db }) => {
  test('bind new values each call: the same rows as the ordinary query', async () => {
    const at = '2026-12-03T10:00:00.000Z';
    for (const scope of ['a', 'b'])
      for (const key of ['k1', 'k2', 'k3', 'k4', 'k5'])
        await insertKey(db().kysely, scope, `${scope}-${key}`, at);
    for (const [scope, from] of [
      ['a', 'a-k2'],
      ['b', 'b-k1'],
      ['b', 'b-k4'],
      ['c', ''],
    ] as const) {
      const { rows } = await keysOf(db().kysely, scope, from);
      const ordinary = await db()
        .kysely.selectFrom('idempotency_keys')
        .select(['key', 'status_code'])
        .where('scope', '=', scope)
        .where('key', '>=', from)
        .orderBy('key')
        .limit(3)
        .execute();
      assert.deepEqual(rows, ordinary);
      assert.ok(rows.length <= 3, 'the constant limit is kept');
    }
  });

  test('writes report the rows they touched, and roll back with their transaction', async () => {
    const first = await setStatus(db().kysely, 409, 'a', 'a-k1');
    assert.equal(first.numAffectedRows, 1n);
    const again = await setStatus(db().kysely, 409, 'a', 'a-k1');
    assert.equal(again.numAffectedRows, 0n, 'the argument used twice is bound twice');
    await assert.rejects(
      db().transaction(async (trx) => {
        assert.equal((await setStatus(trx, 500, 'b', 'b-k1')).numAffectedRows, 1n);
        throw new Error('undo');
      }),
      /undo/,
    );
    const { rows } = await keysOf(db().kysely, 'b', 'b-k1');
    assert.equal(rows[0]!.status_code, 201);
  });

  test('a builder that inlines, changes, ignores or branches on an argument is refused', async () => {
    const inlined = preparedQuery(1, (d, key: string) =>
      d.selectFrom('idempotency_keys').select('key').where('key', '=', sql.lit(key)),
    );
    await assert.rejects(inlined(db().kysely, 'x'), /reached the SQL text/);
    const changed = preparedQuery(1, (d, key: string) =>
      d.selectFrom('idempotency_keys').select('key').where('key', '=', key.toUpperCase()),
    );
    await assert.rejects(changed(db().kysely, 'x'), /never used|changed/);
    const wrapped = preparedQuery(1, (d, key: string) =>
      d.selectFrom('idempotency_keys').select('key').where('key', '=', `k:${key}`),
    );
    await assert.rejects(wrapped(db().kysely, 'x'), /changed before use/);
    const ignored = preparedQuery(2, (d, key: string, _other: string) =>
      d.selectFrom('idempotency_keys').select('key').where('key', '=', key),
    );
    await assert.rejects(ignored(db().kysely, 'x', 'y'), /1 of its 2 arguments are never used/);
    // Under the test runner every call is compared with the ordinary build.
    const branching = preparedQuery(1, (d, key: string) => {
      const q = d.selectFrom('idempotency_keys').select('key').where('scope', '=', key);
      return key.startsWith('\u0000') ? q : q.where('key', '=', key);
    });
    await assert.rejects(branching(db().kysely, 'x'), /depends on its arguments/);
  });
});
