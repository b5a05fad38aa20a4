// Opens accounts in a batch, each with its own result. An account's id is chosen by the
// client, so that a retried batch opens each account once.
import { z } from 'zod';
import { appendAudit } from '../privacy';
import { requirePermission } from '../shared/access';
import type { AppContext, Caller } from '../shared/context';
import { DomainError } from '../shared/errors';
import { id } from '../shared/schemas';
import { accountBatchMax } from './limits';
import { canReachAccount } from './reach';
import { accountFromRow } from './store';
import type { AccountCode, AccountFlags, AccountResult, BatchItemResult } from './types';
import { accountCodes } from './types';

/** A currency ledger's name: an ISO 4217-style code such as 'VES'. */
export const ledgerName = z
  .string()
  .regex(/^[A-Z]{3}$/, 'must be a three-letter currency code, e.g. "VES"');
/** A transfer's code: why money moved, e.g. 'benefit' or 'reversal'. */
export const ledgerCode = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,31}$/, 'must be lower-case letters, digits and _, at most 32');

/** One account in a request body. */
export const accountInput = z
  .object({
    id,
    ledger: ledgerName,
    code: z.enum(accountCodes),
    flags: z
      .object({
        debitsMustNotExceedCredits: z.boolean().optional(),
        creditsMustNotExceedDebits: z.boolean().optional(),
        history: z.boolean().optional(),
      })
      .strict()
      .optional(),
    regionCode: z.string().min(2).max(10).optional(),
  })
  .strict();
/** One account, validated. */
export type AccountInput = z.output<typeof accountInput>;

/** A batch of accounts in a request body. */
export const createAccountsInput = z
  .object({ accounts: z.array(accountInput).min(1).max(accountBatchMax) })
  .strict();
/** A batch of accounts, validated. */
export type CreateAccountsInput = z.output<typeof createAccountsInput>;

interface NewAccount {
  id: string;
  ledger: string;
  code: AccountCode;
  flags: AccountFlags;
  regionCode: string | null;
}

function resolve(input: AccountInput): NewAccount {
  return {
    id: input.id,
    ledger: input.ledger,
    code: input.code,
    flags: {
      debitsMustNotExceedCredits: input.flags?.debitsMustNotExceedCredits ?? false,
      creditsMustNotExceedDebits: input.flags?.creditsMustNotExceedDebits ?? false,
      history: input.flags?.history ?? false,
    },
    regionCode: input.regionCode ?? null,
  };
}

function sameAccount(a: NewAccount, b: NewAccount): boolean {
  return (
    a.ledger === b.ledger &&
    a.code === b.code &&
    a.regionCode === b.regionCode &&
    a.flags.debitsMustNotExceedCredits === b.flags.debitsMustNotExceedCredits &&
    a.flags.creditsMustNotExceedDebits === b.flags.creditsMustNotExceedDebits &&
    a.flags.history === b.flags.history
  );
}

/** Opens a batch of accounts; one result per account. */
export async function createAccounts(
  app: AppContext,
  caller: Caller,
  input: CreateAccountsInput,
): Promise<{ results: BatchItemResult<AccountResult>[]; created: number }> {
  requirePermission(caller.actor, 'ledger:write');
  if (input.accounts.length === 0 || input.accounts.length > accountBatchMax) {
    throw new DomainError(
      'VALIDATION_FAILED',
      `A batch holds 1 to ${accountBatchMax} accounts.`,
      'accounts',
    );
  }
  if (
    input.accounts.some((a) => a.regionCode !== undefined && !(a.regionCode in app.config.regions))
  ) {
    const bad = input.accounts.findIndex(
      (a) => a.regionCode !== undefined && !(a.regionCode in app.config.regions),
    );
    throw new DomainError(
      'VALIDATION_FAILED',
      'regionCode: not a region of this deployment.',
      `accounts.${bad}.regionCode`,
    );
  }
  return app.db.transaction(async (trx) => {
    const at = app.now().toISOString();
    const ids = input.accounts.map((a) => a.id);
    const stored = new Map<string, NewAccount>();
    for (let i = 0; i < ids.length; i += 500) {
      const rows = await trx
        .selectFrom('ledger_accounts')
        .selectAll()
        .where('id', 'in', ids.slice(i, i + 500))
        .execute();
      for (const row of rows) stored.set(row.id, accountFromRow(row));
    }
    const rows: Record<string, unknown>[] = [];
    const results = input.accounts.map((raw, index): BatchItemResult<AccountResult> => {
      const account = resolve(raw);
      const result = accountResult(caller, account, stored);
      if (result === 'created') {
        stored.set(account.id, account);
        rows.push(accountRow(account, at));
      }
      return { index, id: account.id, result };
    });
    await app.db.insertMany(trx, 'ledger_accounts', rows);
    await appendAudit(trx, app, caller, {
      operation: 'ledger.account.create',
      permission: 'ledger:write',
      details: { accounts: input.accounts.length, created: rows.length },
    });
    return { results, created: rows.length };
  });
}

function accountResult(
  caller: Caller,
  account: NewAccount,
  stored: Map<string, NewAccount>,
): AccountResult {
  if (account.flags.debitsMustNotExceedCredits && account.flags.creditsMustNotExceedDebits) {
    return 'flags_are_mutually_exclusive';
  }
  if (!canReachAccount(caller.actor, 'ledger:write', account.regionCode))
    return 'region_not_in_scope';
  const existing = stored.get(account.id);
  if (existing) return sameAccount(existing, account) ? 'exists' : 'exists_with_different_fields';
  return 'created';
}

function accountRow(a: NewAccount, at: string): Record<string, unknown> {
  return {
    id: a.id,
    ledger: a.ledger,
    code: a.code,
    debits_must_not_exceed_credits: a.flags.debitsMustNotExceedCredits ? 1 : 0,
    credits_must_not_exceed_debits: a.flags.creditsMustNotExceedDebits ? 1 : 0,
    history: a.flags.history ? 1 : 0,
    region_code: a.regionCode,
    debits_pending: 0n,
    debits_posted: 0n,
    credits_pending: 0n,
    credits_posted: 0n,
    created_at: at,
  };
}
