// The notices domain's schema. An applied migration never changes: the first one is the
// outbox as released; the second makes it a notification service (retries, dead letter,
// delivery receipts, idempotent ids, preferences, programme wordings, inbound texts).
import { sql } from 'kysely';
import { columnTypes, type MigrationStep } from '../db';

/** The first outbox (2026-12-06). */
export const noticesInitial: MigrationStep = async (db, engine) => {
  const t = columnTypes(engine);
  await db.schema
    .createTable('notice_outbox')
    .addColumn('id', t.text, (c) => c.primaryKey())
    .addColumn('person_id', t.text, (c) => c.notNull())
    .addColumn('channel', t.text, (c) => c.notNull())
    .addColumn('template', t.text, (c) => c.notNull())
    .addColumn('params', t.json, (c) => c.notNull())
    .addColumn('status', t.text, (c) => c.notNull())
    .addColumn('attempts', t.integer, (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('sent_at', t.timestamp)
    .addColumn('last_error', t.text)
    .execute();
  await sql`create index notice_outbox_queued on notice_outbox (created_at) where status = 'queued'`.execute(
    db,
  );
  await db.schema
    .createIndex('notice_outbox_person')
    .on('notice_outbox')
    .columns(['person_id', 'created_at'])
    .execute();
};

/** The notification service (2026-12-10). */
export const noticesService: MigrationStep = async (db, engine) => {
  const t = columnTypes(engine);
  for (const [name, type] of [
    ['event', t.text],
    ['programme_id', t.text],
    ['dedupe_key', t.text],
    ['next_attempt_at', t.timestamp],
    ['claimed_until', t.timestamp],
    ['delivered_at', t.timestamp],
    ['language', t.text],
    ['gateway', t.text],
    ['parts', t.integer],
    ['template_version', t.integer],
  ] as const)
    await db.schema.alterTable('notice_outbox').addColumn(name, type).execute();
  // Rows of the first release: their event from their template, due now.
  await sql`update notice_outbox set next_attempt_at = created_at,
    event = case template when 'proof_code' then 'one_time_code' else template end`.execute(db);
  await sql`create unique index notice_outbox_dedupe on notice_outbox (dedupe_key) where dedupe_key is not null`.execute(
    db,
  );
  await sql`create index notice_outbox_due on notice_outbox (next_attempt_at) where status = 'queued'`.execute(
    db,
  );
  await sql`create index notice_outbox_claimed on notice_outbox (claimed_until) where status = 'sending'`.execute(
    db,
  );
  await db.schema
    .createTable('notice_gateway_ids')
    .addColumn('gateway', t.text, (c) => c.notNull())
    .addColumn('gateway_message_id', t.text, (c) => c.notNull())
    .addColumn('outbox_id', t.text, (c) => c.notNull())
    .addColumn('part', t.integer, (c) => c.notNull())
    .addColumn('status', t.text, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .addPrimaryKeyConstraint('notice_gateway_ids_pk', ['gateway', 'gateway_message_id'])
    .execute();
  await db.schema
    .createIndex('notice_gateway_ids_outbox')
    .on('notice_gateway_ids')
    .columns(['outbox_id'])
    .execute();
  await db.schema
    .createTable('notice_preferences')
    .addColumn('person_id', t.text, (c) => c.primaryKey())
    .addColumn('language', t.text, (c) => c.notNull())
    .addColumn('opt_out_non_essential', t.integer, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('notice_programme_templates')
    .addColumn('id', t.text, (c) => c.primaryKey())
    .addColumn('programme_id', t.text, (c) => c.notNull())
    .addColumn('event', t.text, (c) => c.notNull())
    .addColumn('version', t.integer, (c) => c.notNull())
    .addColumn('text_es', t.text, (c) => c.notNull())
    .addColumn('text_en', t.text, (c) => c.notNull())
    .addColumn('status', t.text, (c) => c.notNull())
    .addColumn('created_by', t.text, (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('reason', t.text, (c) => c.notNull())
    .addColumn('decided_by', t.text)
    .addColumn('decided_at', t.timestamp)
    .addColumn('decision_reason', t.text)
    .addUniqueConstraint('notice_programme_templates_version', ['programme_id', 'event', 'version'])
    .execute();
  // At most one approved wording per programme and event.
  await sql`create unique index notice_programme_templates_approved on notice_programme_templates (programme_id, event) where status = 'approved'`.execute(
    db,
  );
  await db.schema
    .createTable('notice_inbound')
    .addColumn('id', t.text, (c) => c.primaryKey())
    .addColumn('from', t.text, (c) => c.notNull())
    .addColumn('text', t.text, (c) => c.notNull())
    .addColumn('received_at', t.timestamp, (c) => c.notNull())
    .addColumn('gateway', t.text, (c) => c.notNull())
    .addColumn('handled', t.integer, (c) => c.notNull())
    .execute();
  await sql`create index notice_inbound_unhandled on notice_inbound (received_at) where handled = 0`.execute(
    db,
  );
};
