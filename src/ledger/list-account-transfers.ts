// An account's transfers, newest first, a page at a time (keyset on time, then id).
import { z } from 'zod';
import { requirePermission } from '../shared/access';
import type { AppContext, Caller } from '../shared/context';
import { DomainError } from '../shared/errors';
import { readAccountFor } from './get-account';
import { transfersPageSizeDefault, transfersPageSizeMax } from './limits';
import { transferFromRow } from './store';
import type { Transfer } from './types';

/** The page asked for: how many, and after which transfer id (the last of the previous page). */
export const accountTransfersPageInput = z
  .object({
    limit: z.coerce.number().int().min(1).max(transfersPageSizeMax).optional(),
    after: z.string().min(1).max(64).optional(),
  })
  .strict();
/** The page asked for, validated. */
export type AccountTransfersPageInput = z.output<typeof accountTransfersPageInput>;

/** One page of an account's transfers, and the cursor of the next page (null at the end). */
export async function listAccountTransfers(
  app: AppContext,
  caller: Caller,
  accountId: string,
  page: AccountTransfersPageInput = {},
): Promise<{ items: Transfer[]; next: string | null }> {
  requirePermission(caller.actor, 'ledger:read');
  const limit = page.limit ?? transfersPageSizeDefault;
  const db = app.db.kysely;
  await readAccountFor(db, caller, accountId);
  let cursor: { created_at: string; id: string } | undefined;
  if (page.after !== undefined) {
    cursor = await db
      .selectFrom('ledger_transfers')
      .select(['created_at', 'id'])
      .where('id', '=', page.after)
      .executeTakeFirst();
    if (!cursor) throw new DomainError('VALIDATION_FAILED', 'after: no such transfer.', 'after');
  }
  const rows = await db
    .selectFrom('ledger_transfers')
    .selectAll()
    .where((eb) =>
      eb.or([eb('debit_account_id', '=', accountId), eb('credit_account_id', '=', accountId)]),
    )
    .$if(cursor !== undefined, (q) =>
      q.where((eb) =>
        eb.or([
          eb('created_at', '<', cursor!.created_at),
          eb.and([eb('created_at', '=', cursor!.created_at), eb('id', '<', cursor!.id)]),
        ]),
      ),
    )
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit + 1)
    .execute();
  const items = rows.slice(0, limit).map(transferFromRow);
  return { items, next: rows.length > limit ? items[items.length - 1]!.id : null };
}
