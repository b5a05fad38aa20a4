// A cardholder's wallet: one ledger account per person and currency, which may never go
// negative, with its history kept. Benefits are paid into it (programmes' cash cycles) and
// co-payments leave it at a point of service. Its statement is personal data: read with a
// purpose, inside the reader's regions, and audited like any read of the person's record.
import { z } from 'zod';
import type { Queryable } from '../db';
import { appendAudit } from '../privacy';
import { loadPersonInRegion } from '../registry';
import { requirePermission } from '../shared/access';
import type { AppContext, Caller } from '../shared/context';
import { DomainError } from '../shared/errors';
import { pageLimit } from '../shared/schemas';
import { amountToText } from './amount';
import { presentTransfer, type TransferView } from './present';
import { accountFromRow, transferFromRow } from './store';

/** The wallet account of a person in a currency (VES unless another is named). */
export function walletAccountId(personId: string, currency = 'VES'): string {
  return currency === 'VES' ? `wallet-${personId}` : `wallet-${currency}-${personId}`;
}

/** A page of a wallet's statement. */
export const statementQuery = z
  .object({
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, 'must be a three-letter currency code')
      .optional(),
    limit: pageLimit,
  })
  .strict();
/** A page of a wallet's statement, validated. */
export type StatementQuery = z.output<typeof statementQuery>;

/** One line of a statement, from the wallet's side. */
export interface StatementLine extends TransferView {
  /** money in (a benefit, a refund) or out (a co-payment). */
  direction: 'in' | 'out';
  /** A reservation not yet posted or voided (a co-payment in progress). */
  pending: boolean;
}

/** A wallet's balance and latest movements. */
export interface WalletStatement {
  personId: string;
  accountId: string;
  currency: string;
  /** Whether the wallet exists yet (it is opened by the first payment into it). */
  open: boolean;
  /** What the person can spend: posted credits less posted and reserved debits. */
  available: string;
  /** Reserved by co-payments in progress. */
  reserved: string;
  lines: StatementLine[];
}

/** Reads a person's wallet statement, with a purpose, inside the caller's regions; audited. */
export async function walletStatement(
  app: AppContext,
  caller: Caller,
  personId: string,
  query: StatementQuery = {},
): Promise<WalletStatement> {
  requirePermission(caller.actor, 'wallet:read');
  if (!caller.purpose)
    throw new DomainError(
      'PURPOSE_REQUIRED',
      'A wallet statement is personal data: declare a purpose (header X-Purpose).',
      'purpose',
    );
  return app.db.transaction(async (trx) => {
    await loadPersonInRegion(trx, caller, personId, 'wallet:read');
    await appendAudit(trx, app, caller, {
      operation: 'wallet.read',
      permission: 'wallet:read',
      subjectIds: [personId],
      details: { currency: query.currency ?? 'VES' },
    });
    return readWalletStatement(trx, personId, query);
  });
}

/**
 * Reads a wallet's balance and latest movements with no policy: the store behind the staff
 * route and the cardholder's own portal (each applies its own check first).
 */
export async function readWalletStatement(
  trx: Queryable,
  personId: string,
  query: StatementQuery = {},
): Promise<WalletStatement> {
  const currency = query.currency ?? 'VES';
  const accountId = walletAccountId(personId, currency);
  {
    const row = await trx
      .selectFrom('ledger_accounts')
      .selectAll()
      .where('id', '=', accountId)
      .executeTakeFirst();
    if (!row)
      return {
        personId,
        accountId,
        currency,
        open: false,
        available: '0',
        reserved: '0',
        lines: [],
      };
    const account = accountFromRow(row);
    const rows = await trx
      .selectFrom('ledger_transfers')
      .selectAll()
      .where((eb) =>
        eb.or([eb('debit_account_id', '=', accountId), eb('credit_account_id', '=', accountId)]),
      )
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(query.limit ?? 50)
      .execute();
    const pendingIds = new Set(
      (
        await trx
          .selectFrom('ledger_pending_transfers')
          .select('transfer_id')
          .where('status', '=', 'pending')
          .where('transfer_id', 'in', rows.length > 0 ? rows.map((r) => r.id) : [''])
          .execute()
      ).map((p) => p.transfer_id),
    );
    const lines = rows.map((r) => {
      const t = transferFromRow(r);
      return {
        ...presentTransfer(t),
        direction: t.creditAccountId === accountId ? ('in' as const) : ('out' as const),
        pending: pendingIds.has(t.id),
      };
    });
    const available = account.creditsPosted - account.debitsPosted - account.debitsPending;
    return {
      personId,
      accountId,
      currency,
      open: true,
      available: amountToText(available < 0n ? 0n : available),
      reserved: amountToText(account.debitsPending),
      lines,
    };
  }
}
