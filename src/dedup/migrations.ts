import { columnTypes } from '../db/columns';
import type { MigrationStep } from '../db';

/** The review queue, its decisions, merges and batch runs. */
export const dedupInitial: MigrationStep = async (db, engine) => {
  const t = columnTypes(engine);
  await db.schema
    .createTable('dedup_pairs')
    .addColumn('id', t.text, (c) => c.primaryKey())
    .addColumn('pair_key', t.text, (c) => c.notNull().unique())
    .addColumn('left_id', t.text, (c) => c.notNull())
    .addColumn('right_id', t.text, (c) => c.notNull())
    .addColumn('outcome', t.text, (c) => c.notNull())
    .addColumn('match_weight_centibits', t.integer, (c) => c.notNull())
    .addColumn('explanation', t.json, (c) => c.notNull())
    .addColumn('source', t.text, (c) => c.notNull())
    .addColumn('source_id', t.text)
    .addColumn('status', t.text, (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .addColumn('approval_id', t.text)
    .addColumn('survivor_id', t.text)
    .execute();
  await db.schema
    .createIndex('dedup_pairs_status')
    .on('dedup_pairs')
    .columns(['status', 'id'])
    .execute();
  await db.schema.createIndex('dedup_pairs_left').on('dedup_pairs').columns(['left_id']).execute();
  await db.schema
    .createIndex('dedup_pairs_right')
    .on('dedup_pairs')
    .columns(['right_id'])
    .execute();

  await db.schema
    .createTable('dedup_decisions')
    .addColumn('id', t.text, (c) => c.primaryKey())
    .addColumn('pair_id', t.text, (c) => c.notNull())
    .addColumn('decision', t.text, (c) => c.notNull())
    .addColumn('decided_by', t.text, (c) => c.notNull())
    .addColumn('decided_at', t.timestamp, (c) => c.notNull())
    .addColumn('reason', t.text, (c) => c.notNull())
    .addColumn('approval_id', t.text)
    .execute();
  await db.schema
    .createIndex('dedup_decisions_pair')
    .on('dedup_decisions')
    .columns(['pair_id', 'decided_at'])
    .execute();

  await db.schema
    .createTable('person_merges')
    .addColumn('id', t.text, (c) => c.primaryKey())
    .addColumn('pair_id', t.text, (c) => c.notNull())
    .addColumn('survivor_id', t.text, (c) => c.notNull())
    .addColumn('merged_id', t.text, (c) => c.notNull())
    .addColumn('merge_approval_id', t.text, (c) => c.notNull())
    .addColumn('merged_at', t.timestamp, (c) => c.notNull())
    .addColumn('merged_by', t.text, (c) => c.notNull())
    .addColumn('household_action', t.json, (c) => c.notNull())
    .addColumn('unmerge_approval_id', t.text)
    .addColumn('unmerged_at', t.timestamp)
    .addColumn('unmerged_by', t.text)
    .execute();
  await db.schema
    .createIndex('person_merges_survivor')
    .on('person_merges')
    .columns(['survivor_id'])
    .execute();
  await db.schema
    .createIndex('person_merges_merged')
    .on('person_merges')
    .columns(['merged_id'])
    .execute();
  await db.schema
    .createIndex('person_merges_pair')
    .on('person_merges')
    .columns(['pair_id'])
    .execute();

  await db.schema
    .createTable('dedup_runs')
    .addColumn('id', t.text, (c) => c.primaryKey())
    .addColumn('started_at', t.timestamp, (c) => c.notNull())
    .addColumn('started_by', t.text, (c) => c.notNull())
    .addColumn('finished_at', t.timestamp)
    .addColumn('status', t.text, (c) => c.notNull())
    .addColumn('cursor', t.text)
    .addColumn('records_total', t.integer, (c) => c.notNull())
    .addColumn('records_done', t.integer, (c) => c.notNull())
    .addColumn('pairs_found', t.integer, (c) => c.notNull())
    .addColumn('pairs_new', t.integer, (c) => c.notNull())
    .addColumn('summary', t.json)
    .execute();
};

/**
 * The enrolment check's blocking index (stored-keys.ts): one row per person and blocking key,
 * looked up by key and its refining values, and the watermark of the newest person keyed.
 */
export const dedupBlockKeys: MigrationStep = async (db, engine) => {
  const t = columnTypes(engine);
  await db.schema
    .createTable('dedup_block_keys')
    .addColumn('block_key', t.integer, (c) => c.notNull())
    .addColumn('refine1', t.integer, (c) => c.notNull())
    .addColumn('refine2', t.integer, (c) => c.notNull())
    .addColumn('person_id', t.text, (c) => c.notNull())
    .addPrimaryKeyConstraint('dedup_block_keys_pk', ['person_id', 'block_key'])
    .execute();
  await db.schema
    .createIndex('dedup_block_keys_lookup')
    .on('dedup_block_keys')
    .columns(['block_key', 'refine1', 'refine2'])
    .execute();
  await db.schema
    .createTable('dedup_key_progress')
    .addColumn('name', t.text, (c) => c.primaryKey())
    .addColumn('last_id', t.text, (c) => c.notNull())
    .execute();
};

/**
 * The key table's lookup index also holds the person id (dedup-scan): the enrolment check's
 * per-key fetch and the batch scan's read in key order are then read from the index alone,
 * without a lookup of the table row for every key row.
 */
export const dedupCoveringKeys: MigrationStep = async (db) => {
  await db.schema.dropIndex('dedup_block_keys_lookup').execute();
  await db.schema
    .createIndex('dedup_block_keys_scan')
    .on('dedup_block_keys')
    .columns(['block_key', 'refine1', 'refine2', 'person_id'])
    .execute();
};
