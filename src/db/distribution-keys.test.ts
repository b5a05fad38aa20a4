// The Citus plan held against the migrated schema, on both engines: every table is placed
// (distributed, reference or coordinator), and every distributed table carries its
// distribution column, never null, typed as the rest of its co-location group.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { sql } from 'kysely';
import { forEachEngine } from '../../test/support/engines';
import {
  bookkeepingTables,
  coordinatorTables,
  distributedTables,
  primaryKeysToWiden,
  referenceTables,
  sqliteOnlyTables,
  type DistributedTable,
} from './distribution-keys';
import type { Database } from './types';

interface ColumnInfo {
  type: string;
  /** NOT NULL, or part of the primary key (SQLite lets a text primary key hold null). */
  required: boolean;
}

async function tablesOf(db: Database): Promise<string[]> {
  if (db.engine === 'sqlite') {
    const { rows } = await sql<{
      name: string;
    }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%'`.execute(
      db.kysely,
    );
    return rows.map((r) => r.name);
  }
  const { rows } = await sql<{
    name: string;
  }>`select table_name as name from information_schema.tables
     where table_schema = current_schema() and table_type = 'BASE TABLE'`.execute(db.kysely);
  return rows.map((r) => r.name);
}

async function columnsOf(db: Database, table: string): Promise<Map<string, ColumnInfo>> {
  if (db.engine === 'sqlite') {
    const { rows } = await sql<{
      name: string;
      type: string;
      notnull: number;
      pk: number;
    }>`select name, type, "notnull", pk from pragma_table_info(${table})`.execute(db.kysely);
    return new Map(
      rows.map((r) => [
        r.name,
        { type: r.type.toLowerCase(), required: r.notnull === 1 || r.pk > 0 },
      ]),
    );
  }
  const { rows } = await sql<{
    name: string;
    type: string;
    nullable: string;
  }>`select column_name as name, data_type as type, is_nullable as nullable
     from information_schema.columns
     where table_schema = current_schema() and table_name = ${table}`.execute(db.kysely);
  return new Map(rows.map((r) => [r.name, { type: r.type, required: r.nullable === 'NO' }]));
}

/** The columns of the table's primary key (none when it has none). */
async function primaryKeyOf(db: Database, table: string): Promise<string[]> {
  if (db.engine === 'sqlite') {
    const { rows } = await sql<{
      name: string;
    }>`select name from pragma_table_info(${table}) where pk > 0 order by pk`.execute(db.kysely);
    return rows.map((r) => r.name);
  }
  const { rows } = await sql<{ name: string }>`select a.attname as name
     from pg_index i join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey)
     where i.indrelid = to_regclass(${table}) and i.indisprimary`.execute(db.kysely);
  return rows.map((r) => r.name);
}

forEachEngine('Citus distribution keys', ({ db }) => {
  it('places every table of the schema exactly once', async () => {
    const placed = [
      ...Object.keys(distributedTables),
      ...referenceTables,
      ...coordinatorTables,
      ...bookkeepingTables,
    ];
    const twice = placed.filter((t, i) => placed.indexOf(t) !== i);
    assert.deepEqual(twice, [], 'tables placed more than once in src/db/distribution-keys.ts');
    const sqliteOnly: readonly string[] = sqliteOnlyTables;
    const tables = (await tablesOf(db())).filter((t) => !sqliteOnly.includes(t));
    const unplaced = tables.filter((t) => !placed.includes(t)).sort();
    assert.deepEqual(
      unplaced,
      [],
      'tables not placed in src/db/distribution-keys.ts: a large one needs its distribution column, a small one a place as reference or coordinator table',
    );
    const gone = placed.filter((t) => !tables.includes(t) && !t.startsWith('kysely_'));
    assert.deepEqual(
      gone,
      [],
      'tables placed in src/db/distribution-keys.ts but not in the schema',
    );
  });

  it('gives every distributed table its distribution column, never null, one type per group', async () => {
    const problems: string[] = [];
    const groupType = new Map<string, { type: string; table: string }>();
    for (const [table, key] of Object.entries(distributedTables) as [string, DistributedTable][]) {
      const column = (await columnsOf(db(), table)).get(key.column);
      if (!column) {
        problems.push(`${table}: no column ${key.column}`);
        continue;
      }
      if (!column.required) problems.push(`${table}.${key.column}: may be null`);
      if (key.colocation === 'own') continue;
      const seen = groupType.get(key.colocation);
      if (!seen) groupType.set(key.colocation, { type: column.type, table });
      else if (seen.type !== column.type)
        problems.push(
          `${table}.${key.column} is ${column.type}, but ${seen.table} of the ${key.colocation} group is ${seen.type}`,
        );
    }
    assert.deepEqual(problems, []);
  });

  it('lists exactly the distributed tables whose primary key still lacks the key', async () => {
    const lacking: string[] = [];
    for (const [table, key] of Object.entries(distributedTables) as [string, DistributedTable][]) {
      const pk = await primaryKeyOf(db(), table);
      if (pk.length > 0 && !pk.includes(key.column)) lacking.push(table);
    }
    assert.deepEqual(
      lacking.sort(),
      [...primaryKeysToWiden].sort(),
      'primaryKeysToWiden in src/db/distribution-keys.ts: put the distribution column in the primary key of a new table, and drop a widened one from the list',
    );
  });

  it('co-locates with persons every table the plan puts in the person group', () => {
    // The group's anchor must be persons itself, on its id: the other tables follow it.
    assert.deepEqual(distributedTables.persons, { column: 'id', colocation: 'person' });
    for (const table of ['person_versions', 'entitlements', 'redemptions', 'audit_subjects'])
      assert.equal(
        (distributedTables as Record<string, DistributedTable>)[table]?.colocation,
        'person',
        table,
      );
  });
});
