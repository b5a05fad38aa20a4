// The ledger's queries: rows to values (every integer through readAmount), locks, and the
// writes of one batch. Nothing here decides anything; apply-transfer.ts does.
import type { Selectable } from 'kysely';
import type { Database, Queryable } from '../db';
import { invariant } from '../shared/errors';
import { readAmount } from './amount';
import type { LedgerWork } from './ledger-work';
import type {
  LedgerAccountsTable,
  LedgerPendingTransfersTable,
  LedgerTransfersTable,
} from './tables';
import type { Account, AccountCode, PendingTransfer, Transfer, TransferFlags } from './types';
import { accountCodes } from './types';

const flagBits = { linked: 1, pending: 2, postPendingTransfer: 4, voidPendingTransfer: 8 } as const;

/** A transfer's flags as the stored bit set. */
export function flagsToBits(flags: TransferFlags): number {
  let bits = 0;
  for (const [name, bit] of Object.entries(flagBits)) {
    if (flags[name as keyof TransferFlags]) bits |= bit;
  }
  return bits;
}

function bitsToFlags(bits: number): TransferFlags {
  invariant(bits >= 0 && bits < 16, `transfer flags out of range: ${bits}`);
  return {
    linked: (bits & flagBits.linked) !== 0,
    pending: (bits & flagBits.pending) !== 0,
    postPendingTransfer: (bits & flagBits.postPendingTransfer) !== 0,
    voidPendingTransfer: (bits & flagBits.voidPendingTransfer) !== 0,
  };
}

function isAccountCode(code: string): code is AccountCode {
  return (accountCodes as readonly string[]).includes(code);
}

/** An account row as a value, checked. */
export function accountFromRow(row: Selectable<LedgerAccountsTable>): Account {
  invariant(isAccountCode(row.code), `account ${row.id} has an unknown code ${row.code}`);
  return {
    id: row.id,
    ledger: row.ledger,
    code: row.code,
    flags: {
      debitsMustNotExceedCredits: row.debits_must_not_exceed_credits === 1,
      creditsMustNotExceedDebits: row.credits_must_not_exceed_debits === 1,
      history: row.history === 1,
    },
    regionCode: row.region_code,
    debitsPending: readAmount(row.debits_pending, 'debits_pending'),
    debitsPosted: readAmount(row.debits_posted, 'debits_posted'),
    creditsPending: readAmount(row.credits_pending, 'credits_pending'),
    creditsPosted: readAmount(row.credits_posted, 'credits_posted'),
    createdAt: row.created_at,
  };
}

/** A transfer row as a value, checked. */
export function transferFromRow(row: Selectable<LedgerTransfersTable>): Transfer {
  const amount = readAmount(row.amount, 'amount');
  invariant(amount > 0n, `transfer ${row.id} has amount ${amount}`);
  return {
    id: row.id,
    debitAccountId: row.debit_account_id,
    creditAccountId: row.credit_account_id,
    amount,
    ledger: row.ledger,
    code: row.code,
    flags: bitsToFlags(row.flags),
    pendingId: row.pending_id,
    timeoutSeconds: row.timeout_seconds,
    createdAt: row.created_at,
  };
}

function pendingFromRow(
  row: Selectable<LedgerPendingTransfersTable> & { ledger: string; code: string },
): PendingTransfer {
  return {
    transferId: row.transfer_id,
    debitAccountId: row.debit_account_id,
    creditAccountId: row.credit_account_id,
    amount: readAmount(row.amount, 'amount'),
    ledger: row.ledger,
    code: row.code,
    status: row.status,
    expiresAt: row.expires_at,
  };
}

/** Stored transfers by id. */
export async function loadTransfers(
  trx: Queryable,
  ids: readonly string[],
): Promise<Map<string, Transfer>> {
  const found = new Map<string, Transfer>();
  for (const chunk of chunks([...new Set(ids)])) {
    const rows = await trx
      .selectFrom('ledger_transfers')
      .selectAll()
      .where('id', 'in', chunk)
      .execute();
    for (const row of rows) found.set(row.id, transferFromRow(row));
  }
  return found;
}

/** Pending transfers by id, and those still open on the accounts that are due by `at`. */
export async function loadPendings(
  trx: Queryable,
  ids: readonly string[],
  dueOn: { accountIds: readonly string[]; at: string } | null,
): Promise<Map<string, PendingTransfer>> {
  const found = new Map<string, PendingTransfer>();
  const base = () =>
    trx
      .selectFrom('ledger_pending_transfers as p')
      .innerJoin('ledger_transfers as t', 't.id', 'p.transfer_id')
      .selectAll('p')
      .select(['t.ledger', 't.code']);
  for (const chunk of chunks([...new Set(ids)])) {
    for (const row of await base().where('p.transfer_id', 'in', chunk).execute()) {
      found.set(row.transfer_id, pendingFromRow(row));
    }
  }
  if (!dueOn) return found;
  for (const chunk of chunks([...new Set(dueOn.accountIds)])) {
    const rows = await base()
      .where('p.status', '=', 'pending')
      .where('p.expires_at', '<=', dueOn.at)
      .where((eb) =>
        eb.or([eb('p.debit_account_id', 'in', chunk), eb('p.credit_account_id', 'in', chunk)]),
      )
      .execute();
    for (const row of rows) found.set(row.transfer_id, pendingFromRow(row));
  }
  return found;
}

/**
 * Reads and locks accounts, in id order so that two batches never wait on each other in a
 * circle. PostgreSQL takes row locks (`for update`); SQLite's one writer is lock enough.
 */
export async function lockAccounts(
  trx: Queryable,
  db: Database,
  ids: readonly string[],
): Promise<Map<string, Account>> {
  const sorted = [...new Set(ids)].sort();
  const found = new Map<string, Account>();
  for (const chunk of chunks(sorted)) {
    let query = trx
      .selectFrom('ledger_accounts')
      .selectAll()
      .where('id', 'in', chunk)
      .orderBy('id');
    if (db.engine === 'postgres') query = query.forUpdate();
    for (const row of await query.execute()) found.set(row.id, accountFromRow(row));
  }
  return found;
}

/** Writes what a batch did: new transfers and reservations, resolutions, balances, history. */
export async function writeWork(trx: Queryable, db: Database, work: LedgerWork): Promise<void> {
  await db.insertMany(trx, 'ledger_transfers', work.created.map(transferRow));
  const reservations = work.created.filter((t) => work.newPendings.has(t.id));
  await db.insertMany(
    trx,
    'ledger_pending_transfers',
    reservations.map((t) => pendingRow(work, work.pendings.get(t.id)!)),
  );
  for (const [id, by] of work.resolvedPendings) {
    if (work.newPendings.has(id)) continue;
    const pending = work.pendings.get(id)!;
    const result = await trx
      .updateTable('ledger_pending_transfers')
      .set({ status: pending.status, resolved_by: by, resolved_at: work.at })
      .where('transfer_id', '=', id)
      .where('status', '=', 'pending')
      .executeTakeFirst();
    invariant(result.numUpdatedRows === 1n, `pending transfer ${id} changed under its lock`);
  }
  for (const id of [...work.touchedAccounts].sort()) {
    const a = work.accounts.get(id)!;
    await trx
      .updateTable('ledger_accounts')
      .set({
        debits_pending: a.debitsPending,
        debits_posted: a.debitsPosted,
        credits_pending: a.creditsPending,
        credits_posted: a.creditsPosted,
      })
      .where('id', '=', id)
      .execute();
  }
  await db.insertMany(
    trx,
    'ledger_account_history',
    work.history.map((h) => ({
      account_id: h.accountId,
      transfer_id: h.transferId,
      event: h.event,
      at: h.at,
      debits_pending: h.debitsPending,
      debits_posted: h.debitsPosted,
      credits_pending: h.creditsPending,
      credits_posted: h.creditsPosted,
    })),
  );
}

/** Reads the touched accounts back and stops the process if they are not what was written. */
export async function verifyWritten(trx: Queryable, db: Database, work: LedgerWork): Promise<void> {
  const touched = [...work.touchedAccounts];
  if (touched.length === 0) return;
  const stored = await lockAccounts(trx, db, touched);
  for (const id of touched) {
    const a = work.accounts.get(id)!;
    const b = stored.get(id);
    invariant(
      b !== undefined &&
        a.debitsPending === b.debitsPending &&
        a.debitsPosted === b.debitsPosted &&
        a.creditsPending === b.creditsPending &&
        a.creditsPosted === b.creditsPosted,
      `account ${id} read back different balances than were written`,
    );
  }
}

function transferRow(t: Transfer): Record<string, unknown> {
  return {
    id: t.id,
    debit_account_id: t.debitAccountId,
    credit_account_id: t.creditAccountId,
    amount: t.amount,
    ledger: t.ledger,
    code: t.code,
    flags: flagsToBits(t.flags),
    pending_id: t.pendingId,
    timeout_seconds: t.timeoutSeconds,
    created_at: t.createdAt,
  };
}

function pendingRow(work: LedgerWork, p: PendingTransfer): Record<string, unknown> {
  const by = work.resolvedPendings.get(p.transferId);
  return {
    transfer_id: p.transferId,
    debit_account_id: p.debitAccountId,
    credit_account_id: p.creditAccountId,
    amount: p.amount,
    status: p.status,
    expires_at: p.expiresAt,
    resolved_by: by ?? null,
    resolved_at: p.status === 'pending' ? null : work.at,
  };
}

// IN lists stay well under SQLite's and PostgreSQL's bound-parameter limits.
const inListMax = 500;

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += inListMax) out.push(items.slice(i, i + inListMax));
  return out;
}
