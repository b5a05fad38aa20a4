import { sql } from 'kysely';
import { columnTypes } from '../db/columns';
import type { MigrationStep } from '../db';

/** The registry's first schema. */
export const registryInitial: MigrationStep = async (db, engine) => {
  const t = columnTypes(engine);
  await db.schema
    .createTable('persons')
    .addColumn('id', t.text, (c) => c.primaryKey())
    .addColumn('registry_number', t.text, (c) => c.notNull().unique())
    .addColumn('external_id', t.text, (c) => c.unique())
    .addColumn('given_names', t.text, (c) => c.notNull())
    .addColumn('surname1', t.text)
    .addColumn('surname2', t.text)
    .addColumn('birth_date', t.text, (c) => c.notNull())
    .addColumn('birth_date_precision', t.text, (c) => c.notNull())
    .addColumn('sex', t.text)
    .addColumn('birth_place', t.text)
    .addColumn('region_code', t.text, (c) => c.notNull())
    .addColumn('locality', t.text)
    .addColumn('address_line', t.text)
    .addColumn('phone', t.text)
    .addColumn('status', t.text, (c) => c.notNull())
    .addColumn('merged_into', t.text)
    .addColumn('household_id', t.text)
    .addColumn('attributes', t.json, (c) => c.notNull())
    .addColumn('health_attributes', t.text)
    .addColumn('search_name', t.text, (c) => c.notNull())
    .addColumn('version', t.integer, (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('created_by', t.text, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_by', t.text, (c) => c.notNull())
    // On SQLite the rows live in the primary-key B-tree itself (ids are time-ordered, so
    // inserts append) instead of a rowid table plus a separate index on id.
    .$call((b) => (engine === 'sqlite' ? b.modifyEnd(sql`without rowid`) : b))
    .execute();
  // No index on region: every query that filters by region also filters by something narrower
  // (registry number, name) or scans on purpose (statistics, batch duplicate runs); an index
  // here cost a fifth of bulk-insert speed. Eligibility rules will add the indexes they use.

  await db.schema
    .createTable('person_versions')
    .addColumn('person_id', t.text, (c) => c.notNull())
    .addColumn('version', t.integer, (c) => c.notNull())
    .addColumn('snapshot', t.json, (c) => c.notNull())
    .addColumn('valid_from', t.timestamp, (c) => c.notNull())
    .addColumn('valid_to', t.timestamp, (c) => c.notNull())
    .addColumn('changed_by', t.text, (c) => c.notNull())
    .addColumn('change_reason', t.text, (c) => c.notNull())
    .addPrimaryKeyConstraint('person_versions_pk', ['person_id', 'version'])
    .execute();

  await db.schema
    .createTable('attribute_definitions')
    .addColumn('name', t.text, (c) => c.primaryKey())
    .addColumn('type', t.text, (c) => c.notNull())
    .addColumn('category', t.text, (c) => c.notNull())
    .addColumn('description', t.text, (c) => c.notNull())
    .addColumn('enum_values', t.json)
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('created_by', t.text, (c) => c.notNull())
    .addColumn('retired_at', t.timestamp)
    .execute();

  await db.schema
    .createTable('households')
    .addColumn('id', t.text, (c) => c.primaryKey())
    .addColumn('region_code', t.text, (c) => c.notNull())
    .addColumn('locality', t.text)
    .addColumn('address_line', t.text)
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('created_by', t.text, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('household_members')
    .addColumn('id', t.text, (c) => c.primaryKey())
    .addColumn('household_id', t.text, (c) => c.notNull())
    .addColumn('person_id', t.text, (c) => c.notNull())
    .addColumn('relationship', t.text, (c) => c.notNull())
    .addColumn('joined_at', t.timestamp, (c) => c.notNull())
    .addColumn('joined_reason', t.text, (c) => c.notNull())
    .addColumn('left_at', t.timestamp)
    .addColumn('left_reason', t.text)
    .addColumn('recorded_by', t.text, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('household_members_household')
    .on('household_members')
    .columns(['household_id', 'left_at'])
    .execute();
  // A person belongs to at most one household at a time: enforced by the database itself.
  await sql`create unique index household_members_one_current on household_members (person_id) where left_at is null`.execute(
    db,
  );

  await db.schema
    .createTable('life_events')
    .addColumn('id', t.text, (c) => c.primaryKey())
    .addColumn('person_id', t.text, (c) => c.notNull())
    .addColumn('kind', t.text, (c) => c.notNull())
    .addColumn('occurred_on', t.text, (c) => c.notNull())
    .addColumn('recorded_at', t.timestamp, (c) => c.notNull())
    .addColumn('recorded_by', t.text, (c) => c.notNull())
    .addColumn('details', t.json, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('life_events_person').on('life_events').column('person_id').execute();

  await db.schema
    .createTable('import_runs')
    .addColumn('id', t.text, (c) => c.primaryKey())
    .addColumn('source_name', t.text, (c) => c.notNull())
    .addColumn('started_at', t.timestamp, (c) => c.notNull())
    .addColumn('finished_at', t.timestamp)
    .addColumn('started_by', t.text, (c) => c.notNull())
    .addColumn('accepted', t.integer, (c) => c.notNull().defaultTo(0))
    .addColumn('rejected', t.integer, (c) => c.notNull().defaultTo(0))
    .addColumn('report', t.json)
    .execute();
};

/** Households remember the reference their import file gave them, so reruns find them. */
export const householdExternalRef: MigrationStep = async (db) => {
  await db.schema.alterTable('households').addColumn('external_ref', 'text').execute();
  await db.schema
    .createIndex('households_external_ref')
    .on('households')
    .column('external_ref')
    .unique()
    .execute();
};
