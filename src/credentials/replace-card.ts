// Replaces a lost, stolen or damaged card: the old card is revoked (lost, stolen: someone
// else may hold it) or marked replaced (damaged), either way listed as revoked so only the
// new card verifies; the new card is signed with the active key. One transaction, audited.
import { z } from 'zod';
import { reason as reasonText } from '../shared/schemas';
import { requirePermission } from '../shared/access';
import { appendAudit } from '../privacy';
import type { AppContext, Caller } from '../shared/context';
import { insertCard, personForCard } from './issue-person-card';
import { cardForChange, markRevoked } from './revoke-card';
import { presentCard, transactionWithRetry } from './store';
import type { CardSummary } from './store';

/** Why a card is replaced. */
export const replacementReasons = ['lost', 'stolen', 'damaged'] as const;

/** The body of a replacement: why, and optionally what happened in the operator's words. */
export const replaceCardInput = z
  .object({ reason: z.enum(replacementReasons), note: reasonText.optional() })
  .strict();
/** The body of a replacement, validated. */
export type ReplaceCardInput = z.output<typeof replaceCardInput>;

/** The old card, now revoked or replaced, and the new one. */
export interface Replacement {
  old: CardSummary;
  card: CardSummary;
}

/** Replaces an active card with a new one. */
export async function replaceCard(
  app: AppContext,
  caller: Caller,
  serial: number,
  { reason, note }: ReplaceCardInput,
): Promise<Replacement> {
  requirePermission(caller.actor, 'card:issue');
  return transactionWithRetry(app, async (trx) => {
    const old = await cardForChange(trx, app, caller, serial);
    const person = await personForCard(trx, caller, old.person_id);
    const status = reason === 'damaged' ? 'replaced' : 'revoked';
    // The old card leaves 'active' first: a person holds one active card (a unique index).
    await markRevoked(trx, app, caller, serial, { status, reason });
    const card = await insertCard(trx, app, caller, person);
    await trx
      .updateTable('cards')
      .set({ replaced_by: card.serial })
      .where('serial', '=', serial)
      .execute();
    await appendAudit(trx, app, caller, {
      operation: 'card.replace',
      permission: 'card:issue',
      subjectIds: [person.id],
      details: {
        serial,
        newSerial: card.serial,
        reason,
        kid: card.kid,
        ...(note ? { note } : {}),
      },
    });
    const oldRow = await trx
      .selectFrom('cards')
      .selectAll()
      .where('serial', '=', serial)
      .executeTakeFirstOrThrow();
    return { old: presentCard(oldRow, app.now()), card: presentCard(card, app.now()) };
  });
}
