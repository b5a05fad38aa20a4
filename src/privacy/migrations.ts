import { columnTypes } from '../db/columns';
import type { MigrationStep } from '../db';

/**
 * Chain format 2: each entry's hash also covers its rows in audit_subjects, so that deleting a
 * person's index rows (hiding entries from their access report) is detected. Entries sealed
 * before keep format 1 (chain_format null) and verify as they were sealed. The index on
 * audit_id lets the sealer and the verifier read an entry's rows.
 */
export const auditChainFormat2: MigrationStep = async (db) => {
  await db.schema.alterTable('audit_log').addColumn('chain_format', 'integer').execute();
  await db.schema
    .createIndex('audit_subjects_audit')
    .on('audit_subjects')
    .columns(['audit_id'])
    .execute();
};

/** Audit log, seals and approvals. */
export const privacyInitial: MigrationStep = async (db, engine) => {
  const t = columnTypes(engine);
  await db.schema
    .createTable('audit_log')
    .addColumn('id', t.text, (c) => c.primaryKey())
    .addColumn('at', t.timestamp, (c) => c.notNull())
    .addColumn('actor_id', t.text)
    .addColumn('actor_role', t.text)
    .addColumn('operation', t.text, (c) => c.notNull())
    .addColumn('purpose', t.text)
    .addColumn('subject_ids', t.json, (c) => c.notNull())
    .addColumn('details', t.json, (c) => c.notNull())
    .addColumn('origin', t.text)
    .addColumn('chain_index', t.integer, (c) => c.unique())
    .addColumn('hash', t.text)
    .execute();
  await db.schema.createIndex('audit_log_at').on('audit_log').columns(['at']).execute();
  await db.schema
    .createIndex('audit_log_actor')
    .on('audit_log')
    .columns(['actor_id', 'at'])
    .execute();
  await db.schema
    .createIndex('audit_log_operation')
    .on('audit_log')
    .columns(['operation', 'at'])
    .execute();

  await db.schema
    .createTable('audit_subjects')
    .addColumn('audit_id', t.text, (c) => c.notNull())
    .addColumn('person_id', t.text, (c) => c.notNull())
    .addColumn('at', t.timestamp, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('audit_subjects_person')
    .on('audit_subjects')
    .columns(['person_id', 'at'])
    .execute();

  await db.schema
    .createTable('audit_seals')
    .addColumn('chain_index', t.integer, (c) => c.primaryKey())
    .addColumn('head_hash', t.text, (c) => c.notNull())
    .addColumn('sealed_at', t.timestamp, (c) => c.notNull())
    .addColumn('key_id', t.text, (c) => c.notNull())
    .addColumn('signature', t.text, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('approvals')
    .addColumn('id', t.text, (c) => c.primaryKey())
    .addColumn('operation', t.text, (c) => c.notNull())
    .addColumn('payload', t.json, (c) => c.notNull())
    .addColumn('region_code', t.text)
    .addColumn('requested_by', t.text, (c) => c.notNull())
    .addColumn('requested_at', t.timestamp, (c) => c.notNull())
    .addColumn('request_reason', t.text, (c) => c.notNull())
    .addColumn('expires_at', t.timestamp, (c) => c.notNull())
    .addColumn('status', t.text, (c) => c.notNull())
    .addColumn('decided_by', t.text)
    .addColumn('decided_at', t.timestamp)
    .addColumn('decision_reason', t.text)
    .addColumn('result', t.json)
    .execute();
  await db.schema
    .createIndex('approvals_status')
    .on('approvals')
    .columns(['status', 'requested_at'])
    .execute();
};
