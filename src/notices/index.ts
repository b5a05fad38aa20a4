// The notices domain's public surface: the outbox other domains write what a person is owed
// into (receipts, one-time codes), and the texts in both languages. Sending (SMS) builds on it.
import { sql } from 'kysely';
import { columnTypes, type MigrationStep } from '../db';
import { defineModule } from '../module';

export { enqueueNotice, queuedNotices } from './outbox';
export { noticeTemplates, renderNotice, type NoticeTemplate, type NoticeParams } from './templates';

const noticesInitial: MigrationStep = async (db, engine) => {
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

/** The notices domain, as the module list wires it. */
export const noticesModule = defineModule({
  name: 'notices',
  migrations: { '2026-12-06-02-notices': noticesInitial },
  // Nothing to call or audit yet: other domains write to the outbox inside their own
  // transactions (and audit what they did); sending comes with the SMS gateway.
  routes: [],
  auditOperations: {},
});
