// What leaves the server: amounts as decimal strings of minor units, never JSON numbers.
import { amountToText } from './amount';
import type { Account, Transfer } from './types';

/** An account as the API shows it. */
export interface AccountView {
  id: string;
  ledger: string;
  code: string;
  flags: Account['flags'];
  regionCode: string | null;
  debitsPending: string;
  debitsPosted: string;
  creditsPending: string;
  creditsPosted: string;
  createdAt: string;
}

/** A transfer as the API shows it. */
export interface TransferView {
  id: string;
  debitAccountId: string;
  creditAccountId: string;
  amount: string;
  ledger: string;
  code: string;
  flags: Transfer['flags'];
  pendingId: string | null;
  timeoutSeconds: number;
  createdAt: string;
}

/** An account for JSON. */
export function presentAccount(a: Account): AccountView {
  return {
    id: a.id,
    ledger: a.ledger,
    code: a.code,
    flags: a.flags,
    regionCode: a.regionCode,
    debitsPending: amountToText(a.debitsPending),
    debitsPosted: amountToText(a.debitsPosted),
    creditsPending: amountToText(a.creditsPending),
    creditsPosted: amountToText(a.creditsPosted),
    createdAt: a.createdAt,
  };
}

/** A transfer for JSON. */
export function presentTransfer(t: Transfer): TransferView {
  return { ...t, amount: amountToText(t.amount) };
}
