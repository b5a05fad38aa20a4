import { sql } from 'kysely';
import { columnTypes } from '../db/columns';
import type { MigrationStep } from '../db';

/**
 * Accounts, transfers, pending reservations and balance history. The balance rules are CHECK
 * constraints, so that a buggy write is refused by the database and not only by TypeScript.
 */
export const ledgerInitial: MigrationStep = async (db, engine) => {
  const t = columnTypes(engine);
  await db.schema
    .createTable('ledger_accounts')
    .addColumn('id', t.text, (c) => c.primaryKey())
    .addColumn('ledger', t.text, (c) => c.notNull())
    .addColumn('code', t.text, (c) => c.notNull())
    .addColumn('debits_must_not_exceed_credits', t.integer, (c) => c.notNull())
    .addColumn('credits_must_not_exceed_debits', t.integer, (c) => c.notNull())
    .addColumn('history', t.integer, (c) => c.notNull())
    .addColumn('region_code', t.text)
    .addColumn('debits_pending', t.integer, (c) => c.notNull())
    .addColumn('debits_posted', t.integer, (c) => c.notNull())
    .addColumn('credits_pending', t.integer, (c) => c.notNull())
    .addColumn('credits_posted', t.integer, (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addCheckConstraint(
      'ledger_accounts_balances_not_negative',
      sql`debits_pending >= 0 and debits_posted >= 0 and credits_pending >= 0 and credits_posted >= 0`,
    )
    .addCheckConstraint(
      'ledger_accounts_flags_exclusive',
      sql`not (debits_must_not_exceed_credits = 1 and credits_must_not_exceed_debits = 1)`,
    )
    .addCheckConstraint(
      'ledger_accounts_debits_within_credits',
      sql`debits_must_not_exceed_credits = 0 or debits_posted + debits_pending <= credits_posted`,
    )
    .addCheckConstraint(
      'ledger_accounts_credits_within_debits',
      sql`credits_must_not_exceed_debits = 0 or credits_posted + credits_pending <= debits_posted`,
    )
    .execute();

  await db.schema
    .createTable('ledger_transfers')
    .addColumn('id', t.text, (c) => c.primaryKey())
    .addColumn('debit_account_id', t.text, (c) => c.notNull().references('ledger_accounts.id'))
    .addColumn('credit_account_id', t.text, (c) => c.notNull().references('ledger_accounts.id'))
    .addColumn('amount', t.integer, (c) => c.notNull())
    .addColumn('ledger', t.text, (c) => c.notNull())
    .addColumn('code', t.text, (c) => c.notNull())
    .addColumn('flags', t.integer, (c) => c.notNull())
    .addColumn('pending_id', t.text, (c) => c.references('ledger_transfers.id'))
    .addColumn('timeout_seconds', t.integer, (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addCheckConstraint('ledger_transfers_amount_positive', sql`amount > 0`)
    .addCheckConstraint(
      'ledger_transfers_accounts_different',
      sql`debit_account_id <> credit_account_id`,
    )
    .execute();
  for (const side of ['debit', 'credit'] as const) {
    await db.schema
      .createIndex(`ledger_transfers_${side}`)
      .on('ledger_transfers')
      .columns([`${side}_account_id`, 'created_at', 'id'])
      .execute();
  }

  await db.schema
    .createTable('ledger_pending_transfers')
    .addColumn('transfer_id', t.text, (c) => c.primaryKey().references('ledger_transfers.id'))
    .addColumn('debit_account_id', t.text, (c) => c.notNull())
    .addColumn('credit_account_id', t.text, (c) => c.notNull())
    .addColumn('amount', t.integer, (c) => c.notNull())
    .addColumn('status', t.text, (c) => c.notNull())
    .addColumn('expires_at', t.timestamp)
    .addColumn('resolved_by', t.text)
    .addColumn('resolved_at', t.timestamp)
    .addCheckConstraint('ledger_pending_amount_positive', sql`amount > 0`)
    .addCheckConstraint(
      'ledger_pending_status',
      sql`status in ('pending', 'posted', 'voided', 'expired')`,
    )
    .execute();
  await db.schema
    .createIndex('ledger_pending_open')
    .on('ledger_pending_transfers')
    .columns(['status', 'expires_at'])
    .execute();

  await db.schema
    .createTable('ledger_account_history')
    .addColumn('account_id', t.text, (c) => c.notNull())
    .addColumn('transfer_id', t.text, (c) => c.notNull())
    .addColumn('event', t.text, (c) => c.notNull())
    .addColumn('at', t.timestamp, (c) => c.notNull())
    .addColumn('debits_pending', t.integer, (c) => c.notNull())
    .addColumn('debits_posted', t.integer, (c) => c.notNull())
    .addColumn('credits_pending', t.integer, (c) => c.notNull())
    .addColumn('credits_posted', t.integer, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('ledger_account_history_account')
    .on('ledger_account_history')
    .columns(['account_id', 'at'])
    .execute();
};

/** Wallet PINs: one per person, set at a registration office. */
export const walletPins: MigrationStep = async (db, engine) => {
  const t = columnTypes(engine);
  await db.schema
    .createTable('wallet_pins')
    .addColumn('person_id', t.text, (c) => c.primaryKey())
    .addColumn('pin_hash', t.text, (c) => c.notNull())
    .addColumn('failed_tries', t.integer, (c) => c.notNull())
    .addColumn('locked_until', t.timestamp)
    .addColumn('set_at', t.timestamp, (c) => c.notNull())
    .addColumn('set_by', t.text, (c) => c.notNull())
    .execute();
};
