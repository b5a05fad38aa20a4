// Disputes about a settlement line. The point's operator (at a point they operate) or a
// finance officer opens one with a reason and what they claim; finance takes it under review
// and resolves it — never the person who opened it. An upheld dispute is corrected by a new
// transfer (fund → merchant when the point was underpaid, merchant → fund when overpaid), its
// id derived from the dispute, so that a resolution retried pays once; nothing is edited.
import { createHash } from 'node:crypto';
import type { Selectable } from 'kysely';
import { z } from 'zod';
import { appendAudit } from '../privacy';
import { humanOf, regionsFor, requirePermission, systemActor } from '../shared/access';
import type { AppContext, Caller } from '../shared/context';
import { DomainError } from '../shared/errors';
import { id, pageLimit, plainText } from '../shared/schemas';
import { amountText, amountToText, readAmount } from './amount';
import { applyTransfersIn } from './create-transfers';
import { pointInReach, staffNames } from './settlement';
import type { Queryable } from '../db';
import type { SettlementDisputesTable } from './settlement-tables';

const ledgerCaller: Caller = { actor: systemActor('dispute') };

/** The correcting transfer of an upheld dispute. */
export function disputeTransferId(disputeId: string): string {
  return `dsp-${createHash('sha256').update(`dispute\n${disputeId}`).digest('hex').slice(0, 40)}`;
}

/** A dispute as it is opened. */
export const disputeInput = z
  .object({
    settlementId: id,
    programmeId: id,
    direction: z.enum(['underpaid', 'overpaid']),
    claimed: amountText.refine((v) => v > 0n, 'must be more than 0'),
    reason: plainText(1000).pipe(z.string().min(5)),
  })
  .strict();
/** A dispute as opened, validated. */
export type DisputeInput = z.output<typeof disputeInput>;

/** How a dispute is decided. */
export const disputeDecisionInput = z
  .object({
    decision: z.enum(['under_review', 'upheld', 'rejected']),
    note: plainText(1000).pipe(z.string().min(3)),
    /** Upheld only: what the correction moves (defaults to what was claimed). */
    amount: amountText.refine((v) => v > 0n, 'must be more than 0').optional(),
  })
  .strict();
/** A decision, validated. */
export type DisputeDecisionInput = z.output<typeof disputeDecisionInput>;

/** Which disputes to list. */
export const disputesQuery = z
  .object({
    status: z.enum(['open', 'under_review', 'upheld', 'rejected']).optional(),
    settlementId: id.optional(),
    limit: pageLimit,
  })
  .strict();

/** A dispute as the API shows it (no personal data). */
export interface Dispute {
  id: string;
  settlementId: string;
  programmeId: string;
  pointId: string;
  regionCode: string;
  direction: SettlementDisputesTable['direction'];
  claimed: string;
  reason: string;
  status: SettlementDisputesTable['status'];
  openedAt: string;
  openedBy: string;
  reviewedAt: string | null;
  reviewedBy: string | null;
  resolvedAt: string | null;
  resolvedBy: string | null;
  resolutionNote: string | null;
  adjustment: string | null;
  transferId: string | null;
  /** Usernames of who opened and resolved it. */
  openedByName?: string | null;
  resolvedByName?: string | null;
}

async function named(db: Queryable, ds: Dispute[]): Promise<Dispute[]> {
  const people = await staffNames(
    db,
    ds.flatMap((d) => [d.openedBy, d.resolvedBy]),
  );
  return ds.map((d) => ({
    ...d,
    openedByName: people.get(d.openedBy) ?? null,
    resolvedByName: d.resolvedBy ? (people.get(d.resolvedBy) ?? null) : null,
  }));
}

function presentDispute(r: Selectable<SettlementDisputesTable>): Dispute {
  return {
    id: r.id,
    settlementId: r.settlement_id,
    programmeId: r.programme_id,
    pointId: r.point_id,
    regionCode: r.region_code,
    direction: r.direction,
    claimed: amountToText(readAmount(r.claimed_minor, 'claimed_minor')),
    reason: r.reason,
    status: r.status,
    openedAt: r.opened_at,
    openedBy: r.opened_by,
    reviewedAt: r.reviewed_at,
    reviewedBy: r.reviewed_by,
    resolvedAt: r.resolved_at,
    resolvedBy: r.resolved_by,
    resolutionNote: r.resolution_note,
    adjustment:
      r.adjustment_minor === null
        ? null
        : amountToText(readAmount(r.adjustment_minor, 'adjustment_minor')),
    transferId: r.transfer_id,
  };
}

/** Opens a dispute on an approved settlement's line. */
export async function openDispute(
  app: AppContext,
  caller: Caller,
  input: DisputeInput,
): Promise<Dispute> {
  const db = app.db.kysely;
  const s = await db
    .selectFrom('settlements')
    .selectAll()
    .where('id', '=', input.settlementId)
    .executeTakeFirst();
  if (!s) throw new DomainError('NOT_FOUND', 'Settlement not found.', 'settlementId');
  await pointInReach(db, caller, s.point_id, 'dispute:open');
  if (s.status !== 'approved')
    throw new DomainError(
      'INVALID_STATE',
      'Only an approved settlement is disputed; before that it is computed again.',
      'settlementId',
    );
  const line = await db
    .selectFrom('settlement_lines')
    .select('programme_id')
    .where('settlement_id', '=', s.id)
    .where('programme_id', '=', input.programmeId)
    .executeTakeFirst();
  if (!line)
    throw new DomainError(
      'NOT_FOUND',
      'This settlement has no line for that programme.',
      'programmeId',
    );
  const row: Selectable<SettlementDisputesTable> = {
    id: app.newId(),
    settlement_id: s.id,
    programme_id: input.programmeId,
    point_id: s.point_id,
    region_code: s.region_code,
    direction: input.direction,
    claimed_minor: input.claimed,
    reason: input.reason,
    status: 'open',
    opened_at: app.now().toISOString(),
    opened_by: humanOf(caller.actor),
    reviewed_at: null,
    reviewed_by: null,
    resolved_at: null,
    resolved_by: null,
    resolution_note: null,
    adjustment_minor: null,
    transfer_id: null,
  };
  await app.db.transaction(async (trx) => {
    await trx.insertInto('settlement_disputes').values(row).execute();
    await appendAudit(trx, app, caller, {
      operation: 'dispute.open',
      permission: 'dispute:open',
      details: {
        disputeId: row.id,
        settlementId: s.id,
        programmeId: input.programmeId,
        direction: input.direction,
        claimed: input.claimed.toString(),
      },
    });
  });
  return presentDispute(row);
}

/**
 * Takes a dispute under review, or resolves it (upheld or rejected) — by someone other than who
 * opened it. Upholding posts the correcting transfer in the same transaction.
 */
export async function decideDispute(
  app: AppContext,
  caller: Caller,
  disputeId: string,
  input: DisputeDecisionInput,
): Promise<Dispute> {
  requirePermission(caller.actor, 'dispute:resolve');
  const db = app.db.kysely;
  const found = await db
    .selectFrom('settlement_disputes')
    .select('point_id')
    .where('id', '=', disputeId)
    .executeTakeFirst();
  if (!found) throw new DomainError('NOT_FOUND', 'Dispute not found.', 'id');
  await pointInReach(db, caller, found.point_id, 'dispute:resolve');
  const by = humanOf(caller.actor);
  const at = app.now().toISOString();
  const row = await app.db.transaction(async (trx) => {
    let q = trx.selectFrom('settlement_disputes').selectAll().where('id', '=', disputeId);
    if (app.db.engine === 'postgres') q = q.forUpdate();
    const d = (await q.executeTakeFirst())!;
    if (d.status === 'upheld' || d.status === 'rejected')
      throw new DomainError('INVALID_STATE', `The dispute is already ${d.status}.`, 'id');
    if (caller.actor.kind === 'system')
      throw new DomainError(
        'FORBIDDEN',
        'A dispute is decided by a person, signed in; never by the system.',
        'id',
      );
    if (d.opened_by === by)
      throw new DomainError(
        'FORBIDDEN',
        'A dispute is reviewed and resolved by someone other than who opened it.',
        'id',
      );
    if (input.amount !== undefined && input.decision !== 'upheld')
      throw new DomainError(
        'VALIDATION_FAILED',
        'amount: only an upheld dispute moves money.',
        'amount',
      );
    if (input.decision === 'under_review') {
      if (d.status !== 'open')
        throw new DomainError('INVALID_STATE', 'The dispute is already under review.', 'id');
      await trx
        .updateTable('settlement_disputes')
        .set({
          status: 'under_review',
          reviewed_at: at,
          reviewed_by: by,
          resolution_note: input.note,
        })
        .where('id', '=', disputeId)
        .execute();
    } else {
      let transferId: string | null = null;
      let adjustment: bigint | null = null;
      if (input.decision === 'upheld') {
        const line = await trx
          .selectFrom('settlement_lines as l')
          .innerJoin('settlements as s', 's.id', 'l.settlement_id')
          .select(['l.fund_account_id', 'l.currency', 's.merchant_account_id'])
          .where('l.settlement_id', '=', d.settlement_id)
          .where('l.programme_id', '=', d.programme_id)
          .executeTakeFirstOrThrow();
        if (!line.fund_account_id || !line.merchant_account_id)
          throw new DomainError(
            'INVALID_STATE',
            'This line has no reimbursement rate or the point no merchant account: set them before upholding.',
            'id',
          );
        adjustment = input.amount ?? readAmount(d.claimed_minor, 'claimed_minor');
        transferId = disputeTransferId(d.id);
        const underpaid = d.direction === 'underpaid';
        const { results } = await applyTransfersIn(trx, app, ledgerCaller, [
          {
            id: transferId,
            debitAccountId: underpaid ? line.fund_account_id : line.merchant_account_id,
            creditAccountId: underpaid ? line.merchant_account_id : line.fund_account_id,
            amount: adjustment,
            ledger: line.currency,
            code: 'settlement_adjustment',
          },
        ]);
        const result = results[0]!.result;
        if (result !== 'created' && result !== 'exists')
          throw new DomainError(
            'INVALID_STATE',
            `The ledger refused the correction: ${result}.`,
            'amount',
            { result },
          );
      }
      await trx
        .updateTable('settlement_disputes')
        .set({
          status: input.decision,
          resolved_at: at,
          resolved_by: by,
          resolution_note: input.note,
          adjustment_minor: adjustment,
          transfer_id: transferId,
          ...(d.reviewed_by === null ? { reviewed_at: at, reviewed_by: by } : {}),
        })
        .where('id', '=', disputeId)
        .execute();
    }
    await appendAudit(trx, app, caller, {
      operation: input.decision === 'under_review' ? 'dispute.review' : 'dispute.resolve',
      permission: 'dispute:resolve',
      details: {
        disputeId,
        decision: input.decision,
        ...(input.decision === 'upheld'
          ? { amount: (input.amount ?? readAmount(d.claimed_minor, 'claimed')).toString() }
          : {}),
      },
    });
    return await trx
      .selectFrom('settlement_disputes')
      .selectAll()
      .where('id', '=', disputeId)
      .executeTakeFirstOrThrow();
  });
  return presentDispute(row);
}

/** Disputes in the caller's reach, newest first. */
export async function listDisputes(
  app: AppContext,
  caller: Caller,
  query: z.output<typeof disputesQuery> = {},
): Promise<Dispute[]> {
  const canRead = ['dispute:open', 'dispute:resolve', 'settlement:read'] as const;
  const permission = canRead.find(
    (p) => regionsFor(caller.actor, p).length !== 0 || regionsFor(caller.actor, p) === '*',
  );
  if (!permission) requirePermission(caller.actor, 'settlement:read');
  const regions = regionsFor(caller.actor, permission!);
  let q = app.db.kysely.selectFrom('settlement_disputes').selectAll();
  if (regions !== '*') q = q.where('region_code', 'in', regions.length > 0 ? regions : ['']);
  const operatorOnly =
    caller.actor.kind !== 'system' &&
    !caller.actor.grants.some(
      (g) => g.role !== 'operator' && canRead.some((p) => g.permissions.includes(p)),
    );
  if (operatorOnly)
    q = q.where('point_id', 'in', (s) =>
      s
        .selectFrom('point_operators')
        .select('point_id')
        .where('staff_id', '=', humanOf(caller.actor))
        .where('removed_at', 'is', null),
    );
  if (query.status) q = q.where('status', '=', query.status);
  if (query.settlementId) q = q.where('settlement_id', '=', query.settlementId);
  const rows = await q
    .orderBy('opened_at', 'desc')
    .orderBy('id')
    .limit(query.limit ?? 50)
    .execute();
  return named(app.db.kysely, rows.map(presentDispute));
}
