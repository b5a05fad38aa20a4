// The working state of one batch, in memory: the locked accounts, the pending transfers the
// batch may touch, and the transfers it may collide with. Every change is recorded with its
// undo, so that a failed linked chain is taken back whole before anything reaches the database.
import { invariant } from '../shared/errors';
import type { Account, Balances, PendingTransfer, Transfer } from './types';

/** Balances of an account with `history` after one change. */
export interface HistoryEntry extends Balances {
  accountId: string;
  transferId: string;
  event: 'transfer' | 'expiry';
  at: string;
}

/** Where to roll back to. */
export interface Checkpoint {
  undo: number;
}

/** One batch's state and its changes. */
export class LedgerWork {
  /** Transfers created by this batch, in order. */
  readonly created: Transfer[] = [];
  readonly history: HistoryEntry[] = [];
  /** Accounts whose balances changed. */
  readonly touchedAccounts = new Set<string>();
  /** Pending transfers created by this batch. */
  readonly newPendings = new Set<string>();
  /** Pending transfers whose status changed, with the transfer that did it (null: expiry). */
  readonly resolvedPendings = new Map<string, string | null>();
  private readonly undo: Array<() => void> = [];

  constructor(
    /** Every account this batch locked. */
    readonly accounts: ReadonlyMap<string, Account>,
    /** The locked accounts the caller may use; the others are as if they did not exist. */
    readonly reachable: ReadonlySet<string>,
    readonly pendings: Map<string, PendingTransfer>,
    /** Stored transfers with an id of the batch or named as a pending id, then those created. */
    readonly transfers: Map<string, Transfer>,
    readonly now: Date,
    /** Ids refused before for a transient reason (stored refusals): final for every try. */
    readonly refused: ReadonlySet<string> = new Set(),
  ) {}

  /** The time every transfer of this batch is stamped with. */
  get at(): string {
    return this.now.toISOString();
  }

  /** A locked account the caller may use, or undefined. */
  visible(accountId: string): Account | undefined {
    return this.reachable.has(accountId) ? this.accounts.get(accountId) : undefined;
  }

  checkpoint(): Checkpoint {
    return { undo: this.undo.length };
  }

  /** Takes back every change since the checkpoint, newest first. */
  rollback(checkpoint: Checkpoint): void {
    while (this.undo.length > checkpoint.undo) this.undo.pop()!();
  }

  /** Forgets the undo log: what is done so far stays done. */
  settle(): void {
    this.undo.length = 0;
  }

  /** Adds to an account's balances (negative deltas release reservations). */
  move(
    accountId: string,
    delta: Partial<Balances>,
    transferId: string,
    event: HistoryEntry['event'],
  ): void {
    const account = this.accounts.get(accountId);
    invariant(account, `account ${accountId} is not locked by this batch`);
    const before: Balances = { ...pick(account) };
    account.debitsPending += delta.debitsPending ?? 0n;
    account.debitsPosted += delta.debitsPosted ?? 0n;
    account.creditsPending += delta.creditsPending ?? 0n;
    account.creditsPosted += delta.creditsPosted ?? 0n;
    invariant(
      account.debitsPending >= 0n && account.creditsPending >= 0n,
      `account ${accountId} released more than it reserved`,
    );
    const wasTouched = this.touchedAccounts.has(accountId);
    this.touchedAccounts.add(accountId);
    if (account.flags.history) {
      this.history.push({ accountId, transferId, event, at: this.at, ...pick(account) });
    }
    this.undo.push(() => {
      Object.assign(account, before);
      if (!wasTouched) this.touchedAccounts.delete(accountId);
      if (account.flags.history) this.history.pop();
    });
  }

  /** Records a transfer created by this batch. */
  create(transfer: Transfer): void {
    this.created.push(transfer);
    this.transfers.set(transfer.id, transfer);
    this.undo.push(() => {
      this.created.pop();
      this.transfers.delete(transfer.id);
    });
  }

  /** Records a new reservation. */
  reserve(pending: PendingTransfer): void {
    this.pendings.set(pending.transferId, pending);
    this.newPendings.add(pending.transferId);
    this.undo.push(() => {
      this.pendings.delete(pending.transferId);
      this.newPendings.delete(pending.transferId);
    });
  }

  /** Ends a reservation: posted or voided by a transfer, or expired. */
  resolve(
    pending: PendingTransfer,
    status: 'posted' | 'voided' | 'expired',
    by: string | null,
  ): void {
    invariant(
      pending.status === 'pending',
      `pending transfer ${pending.transferId} is ${pending.status}`,
    );
    pending.status = status;
    this.resolvedPendings.set(pending.transferId, by);
    this.undo.push(() => {
      pending.status = 'pending';
      this.resolvedPendings.delete(pending.transferId);
    });
  }
}

function pick(b: Balances): Balances {
  return {
    debitsPending: b.debitsPending,
    debitsPosted: b.debitsPosted,
    creditsPending: b.creditsPending,
    creditsPosted: b.creditsPosted,
  };
}
