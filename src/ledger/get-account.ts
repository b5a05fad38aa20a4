// One account with its balances. An account outside the caller's regions is not found.
import type { Queryable } from '../db';
import { requirePermission } from '../shared/access';
import type { AppContext, Caller } from '../shared/context';
import { DomainError } from '../shared/errors';
import { canReachAccount } from './reach';
import { accountFromRow } from './store';
import type { Account } from './types';

/** Reads an account the caller may see, or refuses with NOT_FOUND. */
export async function readAccountFor(
  trx: Queryable,
  caller: Caller,
  accountId: string,
): Promise<Account> {
  const row = await trx
    .selectFrom('ledger_accounts')
    .selectAll()
    .where('id', '=', accountId)
    .executeTakeFirst();
  const account = row ? accountFromRow(row) : undefined;
  if (!account || !canReachAccount(caller.actor, 'ledger:read', account.regionCode)) {
    throw new DomainError('NOT_FOUND', 'Account not found.', 'id');
  }
  return account;
}

/** An account with its balances. */
export async function getAccount(
  app: AppContext,
  caller: Caller,
  accountId: string,
): Promise<Account> {
  requirePermission(caller.actor, 'ledger:read');
  return readAccountFor(app.db.kysely, caller, accountId);
}
