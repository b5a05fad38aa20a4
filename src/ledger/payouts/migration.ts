// The payout tables: providers, people's destinations at them, batches and their items, the
// claims that let each person be paid once per origin, exports, and the status reports applied.
import { sql } from 'kysely';
import { columnTypes } from '../../db/columns';
import type { MigrationStep } from '../../db';

/** Migration `2026-12-06-01-payouts`. */
export const payoutsInitial: MigrationStep = async (db, engine) => {
  const t = columnTypes(engine);
  await db.schema
    .createTable('payout_providers')
    .addColumn('id', t.text, (c) => c.primaryKey())
    .addColumn('name', t.text, (c) => c.notNull())
    .addColumn('kind', t.text, (c) => c.notNull())
    .addColumn('agent_id', t.text, (c) => c.notNull())
    .addColumn('adapter', t.text, (c) => c.notNull())
    .addColumn('endpoint', t.text, (c) => c.notNull())
    .addColumn('auth_token_env', t.text)
    .addColumn('currency', t.text, (c) => c.notNull())
    .addColumn('clearing_account_id', t.text, (c) => c.notNull())
    .addColumn('debtor_name', t.text, (c) => c.notNull())
    .addColumn('debtor_account', t.text, (c) => c.notNull())
    .addColumn('sender_id', t.text, (c) => c.notNull())
    .addColumn('callback_uri', t.text)
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('created_by', t.text, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_by', t.text, (c) => c.notNull())
    .addCheckConstraint('payout_providers_kind', sql`kind in ('bank', 'mobile_money')`)
    .addCheckConstraint('payout_providers_adapter', sql`adapter in ('folder', 'http', 'g2p')`)
    .execute();

  await db.schema
    .createTable('payout_destinations')
    .addColumn('id', t.text, (c) => c.primaryKey())
    .addColumn('person_id', t.text, (c) => c.notNull())
    .addColumn('provider_id', t.text, (c) => c.notNull().references('payout_providers.id'))
    .addColumn('kind', t.text, (c) => c.notNull())
    .addColumn('scheme', t.text, (c) => c.notNull())
    .addColumn('account', t.text, (c) => c.notNull())
    .addColumn('holder_name', t.text, (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('created_by', t.text, (c) => c.notNull())
    .addColumn('superseded_at', t.timestamp)
    .addColumn('superseded_by', t.text)
    .addCheckConstraint('payout_destinations_scheme', sql`scheme in ('iban', 'account', 'msisdn')`)
    .execute();
  await db.schema
    .createIndex('payout_destinations_current')
    .on('payout_destinations')
    .column('person_id')
    .unique()
    .where(sql.ref('superseded_at'), 'is', null)
    .execute();
  await db.schema
    .createIndex('payout_destinations_person')
    .on('payout_destinations')
    .columns(['person_id', 'created_at'])
    .execute();

  await db.schema
    .createTable('payout_batches')
    .addColumn('id', t.text, (c) => c.primaryKey())
    .addColumn('origin', t.text, (c) => c.notNull())
    .addColumn('label', t.text, (c) => c.notNull())
    .addColumn('fund_account_id', t.text, (c) => c.notNull())
    .addColumn('currency', t.text, (c) => c.notNull())
    .addColumn('execution_date', t.text, (c) => c.notNull())
    .addColumn('status', t.text, (c) => c.notNull())
    .addColumn('item_count', t.integer, (c) => c.notNull())
    .addColumn('total_minor', t.integer, (c) => c.notNull())
    .addColumn('regions', t.json, (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('created_by', t.text, (c) => c.notNull())
    .addColumn('approved_at', t.timestamp)
    .addColumn('approved_by', t.text)
    .addColumn('exported_at', t.timestamp)
    .addColumn('settled_at', t.timestamp)
    .addCheckConstraint(
      'payout_batches_status',
      sql`status in ('created', 'approved', 'exported', 'settled')`,
    )
    .addCheckConstraint(
      'payout_batches_four_eyes',
      sql`approved_by is null or approved_by <> created_by`,
    )
    .execute();

  await db.schema
    .createTable('payout_items')
    .addColumn('id', t.text, (c) => c.primaryKey())
    .addColumn('batch_id', t.text, (c) => c.notNull().references('payout_batches.id'))
    .addColumn('person_id', t.text, (c) => c.notNull())
    .addColumn('region_code', t.text, (c) => c.notNull())
    .addColumn('provider_id', t.text)
    .addColumn('destination_id', t.text)
    .addColumn('amount_minor', t.integer, (c) => c.notNull())
    .addColumn('attempt', t.integer, (c) => c.notNull())
    .addColumn('transfer_id', t.text, (c) => c.notNull())
    .addColumn('end_to_end_id', t.text, (c) => c.notNull())
    .addColumn('status', t.text, (c) => c.notNull())
    .addColumn('reason', t.text)
    .addColumn('export_id', t.text)
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .addCheckConstraint('payout_items_amount_positive', sql`amount_minor > 0`)
    .addCheckConstraint(
      'payout_items_status',
      sql`status in ('ready', 'exported', 'settled', 'failed', 'skipped')`,
    )
    .execute();
  await db.schema
    .createIndex('payout_items_person')
    .on('payout_items')
    .columns(['batch_id', 'person_id'])
    .unique()
    .execute();
  await db.schema
    .createIndex('payout_items_end_to_end')
    .on('payout_items')
    .column('end_to_end_id')
    .unique()
    .execute();
  await db.schema
    .createIndex('payout_items_work')
    .on('payout_items')
    .columns(['batch_id', 'status', 'provider_id', 'id'])
    .execute();
  await db.schema
    .createIndex('payout_items_export')
    .on('payout_items')
    .columns(['export_id', 'id'])
    .execute();

  await db.schema
    .createTable('payout_claims')
    .addColumn('origin', t.text, (c) => c.notNull())
    .addColumn('person_id', t.text, (c) => c.notNull())
    .addColumn('item_id', t.text, (c) => c.notNull())
    .addColumn('attempt', t.integer, (c) => c.notNull())
    .addColumn('state', t.text, (c) => c.notNull())
    .addPrimaryKeyConstraint('payout_claims_pk', ['origin', 'person_id'])
    .addCheckConstraint('payout_claims_state', sql`state in ('open', 'settled', 'failed')`)
    .execute();

  await db.schema
    .createTable('payout_exports')
    .addColumn('id', t.text, (c) => c.primaryKey())
    .addColumn('batch_id', t.text, (c) => c.notNull().references('payout_batches.id'))
    .addColumn('provider_id', t.text, (c) => c.notNull())
    .addColumn('adapter', t.text, (c) => c.notNull())
    .addColumn('status', t.text, (c) => c.notNull())
    .addColumn('item_count', t.integer, (c) => c.notNull())
    .addColumn('total_minor', t.integer, (c) => c.notNull())
    .addColumn('delivery', t.text)
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('created_by', t.text, (c) => c.notNull())
    .addColumn('sent_at', t.timestamp)
    .execute();
  await db.schema
    .createIndex('payout_exports_batch')
    .on('payout_exports')
    .columns(['batch_id', 'created_at'])
    .execute();

  await db.schema
    .createTable('payout_status_reports')
    .addColumn('id', t.text, (c) => c.primaryKey())
    .addColumn('fingerprint', t.text, (c) => c.notNull().unique())
    .addColumn('kind', t.text, (c) => c.notNull())
    .addColumn('message_id', t.text, (c) => c.notNull())
    .addColumn('report', t.json, (c) => c.notNull())
    .addColumn('imported_at', t.timestamp, (c) => c.notNull())
    .addColumn('imported_by', t.text, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('payout_item_events')
    .addColumn('id', t.text, (c) => c.primaryKey())
    .addColumn('item_id', t.text, (c) => c.notNull())
    .addColumn('attempt', t.integer, (c) => c.notNull())
    .addColumn('end_to_end_id', t.text, (c) => c.notNull())
    .addColumn('event', t.text, (c) => c.notNull())
    .addColumn('reason', t.text)
    .addColumn('report_id', t.text)
    .addColumn('at', t.timestamp, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('payout_item_events_end_to_end')
    .on('payout_item_events')
    .column('end_to_end_id')
    .execute();
  await db.schema
    .createIndex('payout_item_events_item')
    .on('payout_item_events')
    .columns(['item_id', 'at'])
    .execute();
};
