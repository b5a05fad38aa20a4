// Co-payments at a point of service: the operator enters the amount, the cardholder confirms
// with their PIN, and the amount is reserved in their wallet as a pending transfer to the
// point's merchant account. It is posted when the goods are handed over and voided otherwise;
// a reservation nobody settles expires on its own and the money is free again. The client
// chooses the id, so a retry after a lost answer reserves once.
//
// The wallet PIN's wrong tries are counted before the money moves, in a write of their own: a
// refusal must not roll back the count that leads to the lock.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { appendAudit } from '../privacy';
import { loadPersonInRegion } from '../registry';
import { requirePermission, systemActor } from '../shared/access';
import type { AppContext, Caller } from '../shared/context';
import { DomainError } from '../shared/errors';
import { id } from '../shared/schemas';
import { amountText, amountToText } from './amount';
import { createTransfers } from './create-transfers';
import { checkWalletPin, pinTriesMax } from './wallet-pins';
import { walletAccountId } from './wallets';

/** How long a co-payment holds its reservation unless posted or voided: 15 minutes. */
export const coPaymentHoldSeconds = 15 * 60;

/** A co-payment to reserve. */
export const coPaymentInput = z
  .object({
    id,
    personId: id,
    /** The point of service's merchant account. */
    merchantAccountId: id,
    amount: amountText,
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, 'must be a three-letter currency code')
      .default('VES'),
    pin: z.string().min(1).max(12),
  })
  .strict();
/** A co-payment to reserve, validated. */
export type CoPaymentInput = z.output<typeof coPaymentInput>;

/** A co-payment as the point of service sees it. */
export interface CoPayment {
  id: string;
  amount: string;
  status: 'reserved' | 'posted' | 'voided' | 'expired';
  /** True when this call found the co-payment already made (a retry). */
  repeated: boolean;
}

// The ledger write is the system's: the operator holds wallet:charge, not ledger:write, and the
// co-payment's own audit entry names the operator and the person.
const ledgerCaller: Caller = { actor: systemActor('co-payment') };

async function pendingStatus(
  app: AppContext,
  transferId: string,
): Promise<CoPayment['status'] | null> {
  const row = await app.db.kysely
    .selectFrom('ledger_pending_transfers')
    .select('status')
    .where('transfer_id', '=', transferId)
    .executeTakeFirst();
  if (!row) return null;
  return row.status === 'pending' ? 'reserved' : row.status;
}

/** Reserves a co-payment in the cardholder's wallet, once they confirm it with their PIN. */
export async function reserveCoPayment(
  app: AppContext,
  caller: Caller,
  input: CoPaymentInput,
): Promise<CoPayment> {
  requirePermission(caller.actor, 'wallet:charge');
  await loadPersonInRegion(app.db.kysely, caller, input.personId, 'wallet:charge');
  const pin = await checkWalletPin(app, input.personId, input.pin);
  if (!pin.ok) {
    if (pin.reason === 'no_pin')
      throw new DomainError(
        'INVALID_STATE',
        'This person has no wallet PIN yet: it is set at a registration office.',
        'pin',
      );
    if (pin.reason === 'locked')
      throw new DomainError(
        'ACCOUNT_LOCKED',
        `The PIN is locked after ${pinTriesMax} wrong tries, until ${pin.lockedUntil}.`,
        'pin',
        {
          lockedUntil: pin.lockedUntil,
        },
      );
    throw new DomainError(
      'FORBIDDEN',
      `Wrong PIN; ${pin.triesLeft} ${pin.triesLeft === 1 ? 'try' : 'tries'} left before it locks.`,
      'pin',
      {
        triesLeft: pin.triesLeft,
      },
    );
  }
  const { results } = await createTransfers(app, ledgerCaller, {
    transfers: [
      {
        id: input.id,
        debitAccountId: walletAccountId(input.personId, input.currency),
        creditAccountId: input.merchantAccountId,
        amount: input.amount,
        ledger: input.currency,
        code: 'co_payment',
        timeoutSeconds: coPaymentHoldSeconds,
        flags: { pending: true },
      },
    ],
  });
  const result = results[0]!.result;
  if (result === 'exceeds_credits')
    throw new DomainError(
      'INVALID_STATE',
      'The wallet does not hold enough for this co-payment; it can be paid in cash.',
      'amount',
    );
  if (result === 'debit_account_not_found')
    throw new DomainError(
      'INVALID_STATE',
      'This person has no wallet yet: it opens with their first benefit payment.',
      'personId',
    );
  if (result === 'credit_account_not_found')
    throw new DomainError('NOT_FOUND', 'No such merchant account.', 'merchantAccountId');
  if (result === 'exists_with_different_fields')
    throw new DomainError('CONFLICT', 'This co-payment id was used for another co-payment.', 'id');
  if (result !== 'created' && result !== 'exists')
    throw new DomainError(
      'VALIDATION_FAILED',
      `The ledger refused the co-payment: ${result}.`,
      'id',
      { result },
    );
  await app.db.transaction((trx) =>
    appendAudit(trx, app, caller, {
      operation: 'wallet.co_payment',
      permission: 'wallet:charge',
      subjectIds: [input.personId],
      details: { transferId: input.id, amount: amountToText(input.amount), step: 'reserve' },
    }),
  );
  return {
    id: input.id,
    amount: amountToText(input.amount),
    status: (await pendingStatus(app, input.id)) ?? 'reserved',
    repeated: result === 'exists',
  };
}

/** The id of the transfer that posts or voids a co-payment: the same for every retry. */
export function settlementId(transferId: string, outcome: 'post' | 'void'): string {
  return `${outcome}-${createHash('sha256').update(transferId).digest('hex').slice(0, 40)}`;
}

/** Posts (goods handed over) or voids (not handed over) a reserved co-payment. */
export async function settleCoPayment(
  app: AppContext,
  caller: Caller,
  transferId: string,
  outcome: 'post' | 'void',
): Promise<CoPayment> {
  requirePermission(caller.actor, 'wallet:charge');
  const held = await app.db.kysely
    .selectFrom('ledger_transfers')
    .select(['debit_account_id', 'amount', 'code'])
    .where('id', '=', transferId)
    .executeTakeFirst();
  if (!held || held.code !== 'co_payment')
    throw new DomainError('NOT_FOUND', 'Co-payment not found.', 'id');
  const personId = held.debit_account_id.replace(/^wallet-(?:[A-Z]{3}-)?/, '');
  await loadPersonInRegion(app.db.kysely, caller, personId, 'wallet:charge');
  const { results } = await createTransfers(app, ledgerCaller, {
    transfers: [
      {
        id: settlementId(transferId, outcome),
        pendingId: transferId,
        code: 'co_payment',
        flags: outcome === 'post' ? { postPendingTransfer: true } : { voidPendingTransfer: true },
      },
    ],
  });
  const result = results[0]!.result;
  const status = await pendingStatus(app, transferId);
  if (result !== 'created' && result !== 'exists')
    throw new DomainError(
      'INVALID_STATE',
      `The co-payment cannot be ${outcome === 'post' ? 'posted' : 'voided'}: it is ${status}.`,
      'id',
      {
        result,
        status,
      },
    );
  await app.db.transaction((trx) =>
    appendAudit(trx, app, caller, {
      operation: 'wallet.co_payment',
      permission: 'wallet:charge',
      subjectIds: [personId],
      details: { transferId, step: outcome },
    }),
  );
  return {
    id: transferId,
    amount: amountToText(BigInt(held.amount)),
    status: status ?? 'reserved',
    repeated: result === 'exists',
  };
}
