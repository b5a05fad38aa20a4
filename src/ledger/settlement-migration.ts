// Settlement of points of service, statement lines for reconciliation, disputes, offline
// wallet payments, and stored refusals (2026-12-10).
import { sql } from 'kysely';
import { columnTypes } from '../db/columns';
import type { MigrationStep } from '../db';

/** The money tables of issue 13's second half. */
export const settlementInitial: MigrationStep = async (db, engine) => {
  const t = columnTypes(engine);
  await db.schema
    .createTable('settlement_rates')
    .addColumn('id', t.text, (c) => c.primaryKey())
    .addColumn('programme_id', t.text, (c) => c.notNull())
    .addColumn('currency', t.text, (c) => c.notNull())
    .addColumn('per_unit_minor', t.integer, (c) => c.notNull())
    .addColumn('fund_account_id', t.text, (c) => c.notNull().references('ledger_accounts.id'))
    .addColumn('effective_from', t.text, (c) => c.notNull())
    .addColumn('reason', t.text, (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('created_by', t.text, (c) => c.notNull())
    .addCheckConstraint('settlement_rates_not_negative', sql`per_unit_minor >= 0`)
    .execute();
  await db.schema
    .createIndex('settlement_rates_programme')
    .on('settlement_rates')
    .columns(['programme_id', 'effective_from', 'created_at'])
    .execute();

  await db.schema
    .createTable('settlements')
    .addColumn('id', t.text, (c) => c.primaryKey())
    .addColumn('point_id', t.text, (c) => c.notNull())
    .addColumn('day', t.text, (c) => c.notNull())
    .addColumn('region_code', t.text, (c) => c.notNull())
    .addColumn('merchant_account_id', t.text)
    .addColumn('status', t.text, (c) => c.notNull())
    .addColumn('computed_at', t.timestamp, (c) => c.notNull())
    .addColumn('computed_by', t.text, (c) => c.notNull())
    .addColumn('approved_at', t.timestamp)
    .addColumn('approved_by', t.text)
    .addUniqueConstraint('settlements_point_day', ['point_id', 'day'])
    .addCheckConstraint('settlements_status', sql`status in ('computed', 'approved')`)
    .addCheckConstraint(
      'settlements_four_eyes',
      sql`approved_by is null or approved_by <> computed_by`,
    )
    .execute();
  await db.schema
    .createIndex('settlements_day')
    .on('settlements')
    .columns(['day', 'point_id'])
    .execute();

  await db.schema
    .createTable('settlement_lines')
    .addColumn('settlement_id', t.text, (c) => c.notNull().references('settlements.id'))
    .addColumn('programme_id', t.text, (c) => c.notNull())
    .addColumn('currency', t.text, (c) => c.notNull())
    .addColumn('redemptions', t.integer, (c) => c.notNull())
    .addColumn('quantity', t.integer, (c) => c.notNull())
    .addColumn('cash_minor', t.integer, (c) => c.notNull())
    .addColumn('wallet_minor', t.integer, (c) => c.notNull())
    .addColumn('rate_id', t.text)
    .addColumn('per_unit_minor', t.integer, (c) => c.notNull())
    .addColumn('reimbursement_minor', t.integer, (c) => c.notNull())
    .addColumn('fund_account_id', t.text)
    .addColumn('transfer_id', t.text, (c) => c.notNull().unique())
    .addPrimaryKeyConstraint('settlement_lines_pk', ['settlement_id', 'programme_id'])
    .execute();

  await db.schema
    .createTable('settlement_disputes')
    .addColumn('id', t.text, (c) => c.primaryKey())
    .addColumn('settlement_id', t.text, (c) => c.notNull().references('settlements.id'))
    .addColumn('programme_id', t.text, (c) => c.notNull())
    .addColumn('point_id', t.text, (c) => c.notNull())
    .addColumn('region_code', t.text, (c) => c.notNull())
    .addColumn('direction', t.text, (c) => c.notNull())
    .addColumn('claimed_minor', t.integer, (c) => c.notNull())
    .addColumn('reason', t.text, (c) => c.notNull())
    .addColumn('status', t.text, (c) => c.notNull())
    .addColumn('opened_at', t.timestamp, (c) => c.notNull())
    .addColumn('opened_by', t.text, (c) => c.notNull())
    .addColumn('reviewed_at', t.timestamp)
    .addColumn('reviewed_by', t.text)
    .addColumn('resolved_at', t.timestamp)
    .addColumn('resolved_by', t.text)
    .addColumn('resolution_note', t.text)
    .addColumn('adjustment_minor', t.integer)
    .addColumn('transfer_id', t.text)
    .addCheckConstraint(
      'settlement_disputes_status',
      sql`status in ('open', 'under_review', 'upheld', 'rejected')`,
    )
    .addCheckConstraint(
      'settlement_disputes_four_eyes',
      sql`resolved_by is null or resolved_by <> opened_by`,
    )
    .execute();
  await db.schema
    .createIndex('settlement_disputes_status')
    .on('settlement_disputes')
    .columns(['status', 'opened_at'])
    .execute();

  await db.schema
    .createTable('payout_statement_lines')
    .addColumn('report_id', t.text, (c) => c.notNull())
    .addColumn('seq', t.integer, (c) => c.notNull())
    .addColumn('at', t.text, (c) => c.notNull())
    .addColumn('end_to_end_id', t.text, (c) => c.notNull())
    .addColumn('kind', t.text, (c) => c.notNull())
    .addColumn('outcome', t.text, (c) => c.notNull())
    .addColumn('reason', t.text)
    .addColumn('amount_minor', t.integer)
    .addColumn('currency', t.text)
    .addColumn('recorded_at', t.timestamp, (c) => c.notNull())
    .addPrimaryKeyConstraint('payout_statement_lines_pk', ['report_id', 'seq'])
    .execute();
  await db.schema
    .createIndex('payout_statement_lines_e2e')
    .on('payout_statement_lines')
    .columns(['end_to_end_id', 'recorded_at'])
    .execute();

  await db.schema
    .createTable('offline_wallet_payments')
    .addColumn('transfer_id', t.text, (c) => c.primaryKey().references('ledger_transfers.id'))
    .addColumn('device_id', t.text, (c) => c.notNull())
    .addColumn('day', t.text, (c) => c.notNull())
    .addColumn('person_id', t.text, (c) => c.notNull())
    .addColumn('amount_minor', t.integer, (c) => c.notNull())
    .addColumn('at', t.timestamp, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('offline_wallet_payments_device_day')
    .on('offline_wallet_payments')
    .columns(['device_id', 'day'])
    .execute();

  await db.schema
    .createTable('ledger_transfer_refusals')
    .addColumn('id', t.text, (c) => c.primaryKey())
    .addColumn('result', t.text, (c) => c.notNull())
    .addColumn('at', t.timestamp, (c) => c.notNull())
    .execute();
};
