// What the Money screens share: the shapes the ledger API answers with, and its codes in words.
import type { AccountView, TransferView } from '../../../../src/ledger/present';
import type { PayoutBatch } from '../../../../src/ledger/payouts/batches';
import type { Settlement, SettlementDayEntry } from '../../../../src/ledger/settlement';
import type {
  Reconciliation,
  ReconciliationDifference,
} from '../../../../src/ledger/reconciliation';
import type { Dispute } from '../../../../src/ledger/disputes';
import type { WalletStatement } from '../../../../src/ledger/wallets';
import { t, type MessageKey } from '../../i18n';
import { money } from '../programmes/common';

export type {
  AccountView,
  Dispute,
  PayoutBatch,
  Reconciliation,
  ReconciliationDifference,
  Settlement,
  SettlementDayEntry,
  TransferView,
  WalletStatement,
};
export { money };

/** An account's balance: posted credits less posted debits (what it holds). */
export function balanceOf(a: AccountView): string {
  const value = BigInt(a.creditsPosted) - BigInt(a.debitsPosted);
  return value.toString();
}

/** Money that may be negative (an account that paid out more than it received). */
export function signedMoney(minor: string, currency: string): string {
  return minor.startsWith('-') ? `−${money(minor.slice(1), currency)}` : money(minor, currency);
}

const accountCodes = [
  'programme_fund',
  'wallet',
  'merchant',
  'cash_in_transit',
  'provider_clearing',
  'operator_equity',
] as const;

export function accountCodeWords(code: string): string {
  return (accountCodes as readonly string[]).includes(code)
    ? t(`money.account.code.${code}` as MessageKey)
    : code;
}

export function batchStatusWords(status: PayoutBatch['status']): string {
  return t(`money.payouts.status.${status}` as const);
}

export function settlementStatusWords(status: SettlementDayEntry['status']): string {
  return t(`money.settlement.status.${status}` as const);
}

export function disputeStatusWords(status: Dispute['status']): string {
  return t(`money.disputes.status.${status}` as const);
}

export function directionWords(direction: Dispute['direction']): string {
  return t(`money.disputes.direction.${direction}` as const);
}

export function differenceWords(kind: ReconciliationDifference['kind']): string {
  return t(`money.reconcile.kind.${kind}` as const);
}

/** A day (YYYY-MM-DD) some days before today, in the deployment's time zone. */
export function daysAgo(zone: string, days: number): string {
  const d = new Date(Date.now() - days * 86_400_000);
  return new Intl.DateTimeFormat('en-CA', {
    timeZone: zone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(d);
}
