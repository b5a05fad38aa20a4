// Revokes cards: one by an operator (card:issue, with a reason), or all of a person's when
// a death or deactivation is recorded (a life-event hook, in the registry's transaction).
// The revocation list is re-signed at its next download: the revoked count is its fingerprint.
import { z } from 'zod';
import { requirePermission, requireRegion } from '../shared/access';
import type { Queryable } from '../db';
import { appendAudit } from '../privacy';
import { enqueueNotice } from '../notices';
import type { AppContext, Caller } from '../shared/context';
import { DomainError } from '../shared/errors';
import { reason } from '../shared/schemas';
import { cardWithPerson, presentCard } from './store';
import type { CardRow, CardSummary } from './store';

/** The body of a revocation: why the card is cancelled. */
export const revokeCardInput = z.object({ reason }).strict();
/** The body of a revocation, validated. */
export type RevokeCardInput = z.output<typeof revokeCardInput>;

/** A card that a staff member may act on: in their regions for card:issue, else not found. */
export async function cardForChange(
  trx: Queryable,
  app: AppContext,
  caller: Caller,
  serial: number,
): Promise<CardRow & { region_code: string; person_status: string }> {
  const card = await cardWithPerson(trx, serial);
  if (!card) throw new DomainError('NOT_FOUND', 'Card not found.', 'serial');
  requireRegion(caller.actor, 'card:issue', card.region_code, 'Card', 'serial');
  if (card.status === 'active' && card.expires_at <= app.now().toISOString()) {
    throw new DomainError('INVALID_STATE', `Card ${serial} has expired; issue a new card instead.`);
  }
  if (card.status !== 'active') {
    throw new DomainError('INVALID_STATE', `Card ${serial} is already ${card.status}.`);
  }
  return card;
}

/** Marks one active card revoked (or replaced); the caller audits. */
export async function markRevoked(
  trx: Queryable,
  app: AppContext,
  caller: Caller,
  serial: number,
  change: { status: 'revoked' | 'replaced'; reason: string; replacedBy?: number },
): Promise<void> {
  const result = await trx
    .updateTable('cards')
    .set({
      status: change.status,
      revoked_at: app.now().toISOString(),
      revoked_by: caller.actor.id,
      revocation_reason: change.reason,
      replaced_by: change.replacedBy ?? null,
    })
    .where('serial', '=', serial)
    .where('status', '=', 'active')
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) {
    throw new DomainError('CONFLICT', `Card ${serial} changed meanwhile; try again.`);
  }
}

/** Revokes one card, with a reason; audited. */
export async function revokeCard(
  app: AppContext,
  caller: Caller,
  serial: number,
  { reason }: RevokeCardInput,
): Promise<CardSummary> {
  requirePermission(caller.actor, 'card:issue');
  return app.db.transaction(async (trx) => {
    const card = await cardForChange(trx, app, caller, serial);
    await markRevoked(trx, app, caller, serial, { status: 'revoked', reason });
    // The holder hears of it in the same commit: a card revoked by someone else's mistake or
    // fraud is found by the person, who is also told that the benefits go on without it.
    await enqueueNotice(
      trx,
      app,
      card.person_id,
      'card_revoked',
      { when: app.now().toISOString().slice(0, 10) },
      { dedupeKey: `card:${serial}:revoked` },
    );
    await appendAudit(trx, app, caller, {
      operation: 'card.revoke',
      permission: 'card:issue',
      subjectIds: [card.person_id],
      details: { serial, reason },
    });
    const row = await trx
      .selectFrom('cards')
      .selectAll()
      .where('serial', '=', serial)
      .executeTakeFirstOrThrow();
    return presentCard(row, app.now());
  });
}

/** Revokes every active card of a person (death, deactivation), inside the caller's transaction. */
export async function revokePersonCards(
  trx: Queryable,
  app: AppContext,
  caller: Caller,
  personId: string,
  reason: string,
): Promise<number[]> {
  const held = await trx
    .selectFrom('cards')
    .select('serial')
    .where('person_id', '=', personId)
    .where('status', '=', 'active')
    .execute();
  if (held.length === 0) return [];
  const serials = held.map((r) => Number(r.serial));
  await trx
    .updateTable('cards')
    .set({
      status: 'revoked',
      revoked_at: app.now().toISOString(),
      revoked_by: caller.actor.id,
      revocation_reason: reason,
    })
    .where('serial', 'in', serials)
    .where('status', '=', 'active')
    .execute();
  await appendAudit(trx, app, caller, {
    operation: 'card.revoke',
    subjectIds: [personId],
    details: { serials, reason, automatic: true },
  });
  return serials;
}
