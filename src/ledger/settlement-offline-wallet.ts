// Wallet co-payments taken offline. A device with no network cannot check a PIN (the PIN's
// hash never leaves the server) nor a balance, so an offline wallet co-payment is authorised
// only by the device's own signature over its chained entry — and is therefore bounded: each
// device may take at most TESSERA_OFFLINE_WALLET_LIMIT_PER_DAY minor units from wallets per
// local day (0, the default, turns offline wallet payments off). On sync the payment is posted
// from the wallet to the point's merchant account if the wallet holds it; otherwise, or past
// the limit, the entry becomes a conflict for review, never a debt.
import { sql } from 'kysely';
import type { Queryable } from '../db';
import { systemActor } from '../shared/access';
import type { AppContext, Caller } from '../shared/context';
import { appendAudit } from '../privacy';
import { amountToText, readAmount } from './amount';
import { applyTransfersIn } from './create-transfers';
import { localDayOf } from '../shared/local-day';
import { walletAccountId } from './wallets';
import type { Transaction } from 'kysely';
import type { Schema } from '../db';

const ledgerCaller: Caller = { actor: systemActor('offline-wallet') };

/** The per-device, per-day limit in minor units (0: offline wallet payments are off). */
export function offlineWalletLimit(app: AppContext): bigint {
  return app.config.offlineWalletLimitPerDay ?? 0n;
}

/** What a device has taken from wallets offline on a local day, and what it may still take. */
export async function offlineWalletAllowance(
  db: Queryable,
  app: AppContext,
  deviceId: string,
  day: string = localDayOf(app, app.now()),
): Promise<{ day: string; limit: bigint; used: bigint; remaining: bigint }> {
  const limit = offlineWalletLimit(app);
  const { used } = await db
    .selectFrom('offline_wallet_payments')
    .select(sql<number | bigint>`cast(coalesce(sum(amount_minor), 0) as bigint)`.as('used'))
    .where('device_id', '=', deviceId)
    .where('day', '=', day)
    .executeTakeFirstOrThrow();
  const u = readAmount(used, 'used');
  return { day, limit, used: u, remaining: limit > u ? limit - u : 0n };
}

/** The ledger transfer of a redemption's wallet co-payment (online and offline alike). */
export function coPaymentTransferId(redemptionId: string): string {
  return `cop-${redemptionId}`;
}

/** One offline wallet co-payment to take on sync. */
export interface OfflineWalletPayment {
  deviceId: string;
  pointId: string;
  personId: string;
  amount: bigint;
  redemptionId: string;
  redeemedAt: string;
  /** The device's caller, named in the person's audit entry. */
  caller: Caller;
}

/**
 * Takes an offline wallet co-payment inside the sync's transaction: null when it was posted,
 * or the conflict reason why not (over the device's daily limit, no merchant account, no
 * wallet, not enough in it).
 */
export async function takeOfflineWalletPayment(
  trx: Transaction<Schema>,
  app: AppContext,
  p: OfflineWalletPayment,
): Promise<string | null> {
  if (p.amount <= 0n) return null;
  const day = localDayOf(app, p.redeemedAt);
  const allowance = await offlineWalletAllowance(trx, app, p.deviceId, day);
  if (allowance.limit === 0n) return 'wallet_offline_off';
  if (p.amount > allowance.remaining) return 'over_wallet_limit';
  const point = await trx
    .selectFrom('points')
    .select('merchant_account_id')
    .where('id', '=', p.pointId)
    .executeTakeFirst();
  if (!point?.merchant_account_id) return 'wallet_no_merchant_account';
  const merchant = await trx
    .selectFrom('ledger_accounts')
    .select('ledger')
    .where('id', '=', point.merchant_account_id)
    .executeTakeFirst();
  if (!merchant) return 'wallet_no_merchant_account';
  const transferId = coPaymentTransferId(p.redemptionId);
  const { results } = await applyTransfersIn(trx, app, ledgerCaller, [
    {
      id: transferId,
      debitAccountId: walletAccountId(p.personId, merchant.ledger),
      creditAccountId: point.merchant_account_id,
      amount: p.amount,
      ledger: merchant.ledger,
      code: 'co_payment',
    },
  ]);
  const result = results[0]!.result;
  if (result === 'debit_account_not_found') return 'wallet_not_open';
  if (result === 'exceeds_credits') return 'wallet_insufficient';
  if (result !== 'created') return `wallet_refused:${result}`;
  await trx
    .insertInto('offline_wallet_payments')
    .values({
      transfer_id: transferId,
      device_id: p.deviceId,
      day,
      person_id: p.personId,
      amount_minor: p.amount,
      at: app.now().toISOString(),
    })
    .execute();
  await appendAudit(trx, app, p.caller, {
    operation: 'wallet.co_payment',
    permission: 'sync:upload',
    subjectIds: [p.personId],
    details: { transferId, amount: amountToText(p.amount), step: 'offline' },
  });
  return null;
}

/** An allowance as a pack carries it: amounts as decimal strings of minor units. */
export function presentAllowance(a: {
  day: string;
  limit: bigint;
  used: bigint;
  remaining: bigint;
}): { day: string; perDay: string; used: string; remaining: string } {
  return {
    day: a.day,
    perDay: amountToText(a.limit),
    used: amountToText(a.used),
    remaining: amountToText(a.remaining),
  };
}
