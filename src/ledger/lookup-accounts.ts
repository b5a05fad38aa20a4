// Many accounts read at once, as TigerBeetle's lookup_accounts does: one statement, so that the
// balances come from one snapshot on both engines (PostgreSQL gives each statement its own
// snapshot; SQLite reads one committed state per statement). Reading accounts one by one while
// transfers run would add balances from different moments, and a sum of those proves nothing.
import { z } from 'zod';
import { regionsFor, requirePermission } from '../shared/access';
import type { AppContext, Caller } from '../shared/context';
import { DomainError } from '../shared/errors';
import { id } from '../shared/schemas';
import { accountLookupMax } from './limits';
import { canReachAccount } from './reach';
import { accountFromRow } from './store';
import type { Account } from './types';

/** The accounts asked for, by id. */
export const lookupAccountsInput = z
  .object({ ids: z.array(id).min(1).max(accountLookupMax) })
  .strict();
/** The accounts asked for, validated. */
export type LookupAccountsInput = z.output<typeof lookupAccountsInput>;

/**
 * The accounts, in the order asked, all read by one statement. An account that does not exist,
 * or that is outside the caller's regions, refuses the whole lookup with NOT_FOUND naming its
 * place (`ids.3`): a partial answer would be read as a complete one.
 */
export async function lookupAccounts(
  app: AppContext,
  caller: Caller,
  input: LookupAccountsInput,
): Promise<Account[]> {
  requirePermission(caller.actor, 'ledger:read');
  const { ids } = input;
  if (ids.length === 0 || ids.length > accountLookupMax) {
    throw new DomainError(
      'VALIDATION_FAILED',
      `A lookup names 1 to ${accountLookupMax} accounts.`,
      'ids',
    );
  }
  const rows = await app.db.kysely
    .selectFrom('ledger_accounts')
    .selectAll()
    .where('id', 'in', [...new Set(ids)])
    .execute();
  const found = new Map(rows.map((row) => [row.id, accountFromRow(row)]));
  return ids.map((accountId, index) => {
    const account = found.get(accountId);
    if (!account || !canReachAccount(caller.actor, 'ledger:read', account.regionCode)) {
      throw new DomainError('NOT_FOUND', 'Account not found.', `ids.${index}`);
    }
    return account;
  });
}

/** A page of accounts for the console: by kind, after an id. Wallets are not listed. */
export const listAccountsQuery = z
  .object({
    code: z
      .enum([
        'programme_fund',
        'merchant',
        'cash_in_transit',
        'provider_clearing',
        'operator_equity',
      ])
      .optional(),
    after: id.optional(),
    limit: z.coerce.number().int().min(1).max(accountLookupMax).optional(),
  })
  .strict();

/**
 * Accounts the caller may see, in id order, a page at a time. A wallet is a person's money:
 * it is read only through the wallet statement, with a purpose, so it is never listed here.
 */
export async function listAccounts(
  app: AppContext,
  caller: Caller,
  query: z.output<typeof listAccountsQuery> = {},
): Promise<{ items: Account[]; next: string | null }> {
  requirePermission(caller.actor, 'ledger:read');
  const limit = query.limit ?? 50;
  const regions = regionsFor(caller.actor, 'ledger:read');
  let q = app.db.kysely.selectFrom('ledger_accounts').selectAll().where('code', '<>', 'wallet');
  if (query.code) q = q.where('code', '=', query.code);
  if (query.after) q = q.where('id', '>', query.after);
  if (regions !== '*') q = q.where('region_code', 'in', regions.length > 0 ? regions : ['']);
  const rows = await q
    .orderBy('id')
    .limit(limit + 1)
    .execute();
  const items = rows.slice(0, limit).map(accountFromRow);
  return { items, next: rows.length > limit ? items[items.length - 1]!.id : null };
}
