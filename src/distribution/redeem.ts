// Redeeming online: a device (or an operator signed in at their point) hands over an
// entitlement to a person proven by card, one-time code or attested document, or to their
// nominee. Exactly once per Idempotency-Key, and exactly once per unit however many keys race:
// the key's record and the handing-over commit in one transaction (idempotency.ts), and the
// quantity is taken by one conditional update (apply-redemption.ts). A wallet co-payment is
// reserved (with the PIN) before, posted after the commit, and voided if the handing-over is
// refused; one the server never settles expires by itself.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { reserveCoPayment, settleCoPayment } from '../ledger';
import { parseEntitlementId } from '../programs';
import { humanOf, requirePermission, systemActor } from '../shared/access';
import type { AppContext, Caller } from '../shared/context';
import { DomainError } from '../shared/errors';
import { failpoint } from '../shared/failpoints';
import { applyRedemption, loadHeldEntitlement, requireRedeemable } from './apply-redemption';
import { servingPoint } from './devices';
import { presentHeld, type PointEntitlement } from './identify';
import { requestFingerprint, withIdempotency, type IdempotentResult } from './idempotency';
import { checkProof, collectorRole, proofInput } from './proofs';

/** A redemption request. */
export const redemptionInput = z
  .object({
    entitlementId: z.string().min(3).max(140),
    quantity: z.number().int().min(1).max(1_000_000),
    proof: proofInput,
    coPayment: z
      .discriminatedUnion('method', [
        z.object({ method: z.literal('cash') }).strict(),
        z.object({ method: z.literal('wallet'), pin: z.string().min(1).max(12) }).strict(),
      ])
      .optional(),
    /** For an operator signed in without a device: the point they serve at. */
    pointId: z.string().min(1).max(64).optional(),
  })
  .strict();
/** A redemption request, validated. */
export type RedemptionInput = z.output<typeof redemptionInput>;

/** What a redemption answers. */
export interface RedemptionView {
  redemption: {
    id: string;
    entitlementId: string;
    quantity: number;
    proofKind: string;
    collectedAs: string;
    receiptCode: string;
    redeemedAt: string;
    coPayment: { method: string; amount: string };
  };
  entitlement: PointEntitlement;
}

/** Redeems with an Idempotency-Key: the same key and request always get the first answer. */
export async function redeemOnce(
  app: AppContext,
  caller: Caller,
  key: string,
  input: RedemptionInput,
): Promise<IdempotentResult> {
  requirePermission(caller.actor, 'redemption:create');
  // Where first (a caller from elsewhere learns nothing), then the key.
  const serving = await servingPoint(app.db.kysely, caller, input.pointId);
  if (key.length === 0)
    throw new DomainError(
      'VALIDATION_FAILED',
      'Idempotency-Key: the header is required, a new unique value per redemption.',
      'Idempotency-Key',
    );
  const scope = caller.actor.id;
  const fingerprint = requestFingerprint('POST', '/api/v1/redemptions', input);
  const result = await withIdempotency(app, scope, key, fingerprint, async (complete) => {
    const redemptionId = `red-${createHash('sha256').update(`${scope}\n${key}`).digest('base64url').slice(0, 32)}`;
    const view = await redeem(
      app,
      caller,
      input,
      redemptionId,
      (trx, body) => complete(trx, 201, body),
      serving,
    );
    return { status: 201, body: view };
  });
  failpoint('redemption.after_commit');
  // A retry after a crash between the commit and the wallet's posting: post it now (the
  // posting is idempotent; a reservation that lapsed meanwhile stays unpaid, and says so).
  const answered = result.body as Partial<RedemptionView>;
  if (result.replayed && answered.redemption?.coPayment.method === 'wallet')
    await settleCoPayment(
      app,
      { actor: systemActor('co-payment') },
      `cop-${answered.redemption.id}`,
      'post',
    ).catch(() => undefined);
  return result;
}

/** Hands an entitlement over; `inside` runs in the same transaction with the answer. */
export async function redeem(
  app: AppContext,
  caller: Caller,
  input: RedemptionInput,
  redemptionId: string,
  inside: (
    trx: Parameters<Parameters<AppContext['db']['transaction']>[0]>[0],
    body: RedemptionView,
  ) => Promise<void> = async () => undefined,
  /** Where the caller serves, when the caller has just checked it. */
  serving?: Awaited<ReturnType<typeof servingPoint>>,
): Promise<RedemptionView> {
  requirePermission(caller.actor, 'redemption:create');
  const { cycleId, personId } = parseEntitlementId(input.entitlementId);
  const db = app.db.kysely;
  const { pointId, device } = serving ?? (await servingPoint(db, caller, input.pointId));
  if (caller.purpose !== 'service_delivery')
    throw new DomainError(
      'PURPOSE_REQUIRED',
      'A redemption needs the purpose service_delivery (header X-Purpose).',
      'purpose',
    );
  const today = app.now().toISOString().slice(0, 10);
  const before = await loadHeldEntitlement(db, cycleId, personId, pointId, today);
  requireRedeemable(before, input.quantity);
  const proven = await checkProof(app, input.proof);
  const collectedAs = await collectorRole(
    db,
    personId,
    before.householdId,
    before.terms.target,
    proven.personId,
  );

  const coPaymentMinor = before.terms.coPaymentPerUnit * BigInt(input.quantity);
  const method = coPaymentMinor === 0n ? 'none' : (input.coPayment?.method ?? 'cash');
  let coPaymentId: string | null = null;
  if (method === 'wallet') {
    const point = await db
      .selectFrom('points')
      .select('merchant_account_id')
      .where('id', '=', pointId)
      .executeTakeFirstOrThrow();
    if (!point.merchant_account_id)
      throw new DomainError(
        'INVALID_STATE',
        'This point has no account to take wallet payments into: take cash.',
        'coPayment',
      );
    const pin = input.coPayment?.method === 'wallet' ? input.coPayment.pin : '';
    coPaymentId = `cop-${redemptionId}`;
    await reserveCoPayment(app, caller, {
      id: coPaymentId,
      personId: proven.personId,
      merchantAccountId: point.merchant_account_id,
      amount: coPaymentMinor,
      currency: before.terms.currency,
      pin,
    });
  }
  const redeemedAt = app.now().toISOString();
  let view: RedemptionView;
  try {
    view = await app.db.transaction(async (trx) => {
      // Re-read inside the transaction: what was left may have changed since the checks.
      const held = await loadHeldEntitlement(trx, cycleId, personId, pointId, today);
      requireRedeemable(held, input.quantity);
      if (proven.codeId) {
        const used = await trx
          .updateTable('proof_codes')
          .set({ used_at: redeemedAt })
          .where('id', '=', proven.codeId)
          .where('used_at', 'is', null)
          .executeTakeFirst();
        if (Number(used.numUpdatedRows) !== 1)
          throw new DomainError(
            'INVALID_STATE',
            'That code was already used: send a new one.',
            'proof.code',
          );
      }
      const done = await applyRedemption(
        trx,
        app,
        caller,
        {
          id: redemptionId,
          cycleId,
          personId,
          quantity: input.quantity,
          pointId,
          deviceId: device?.id ?? null,
          operatorId: humanOf(caller.actor),
          proofKind: proven.kind,
          proofDetails: proven.details,
          collectedByPersonId: collectedAs === 'holder' ? null : proven.personId,
          collectedAs,
          channel: 'online',
          coPaymentMethod: method,
          coPaymentMinor,
          coPaymentId,
          redeemedAt,
          offlineCounter: null,
        },
        held,
      );
      const after = {
        ...held,
        redeemed: held.redeemed + input.quantity,
        state: done.remaining === 0 ? ('redeemed' as const) : held.state,
      };
      const body: RedemptionView = {
        redemption: {
          id: redemptionId,
          entitlementId: input.entitlementId,
          quantity: input.quantity,
          proofKind: proven.kind,
          collectedAs,
          receiptCode: done.receiptCode,
          redeemedAt,
          coPayment: { method, amount: coPaymentMinor.toString() },
        },
        entitlement: presentHeld(after),
      };
      await inside(trx, body);
      return body;
    });
  } catch (e) {
    if (coPaymentId)
      await settleCoPayment(app, { actor: systemActor('co-payment') }, coPaymentId, 'void').catch(
        () => undefined,
      );
    throw e;
  }
  if (coPaymentId)
    await settleCoPayment(app, { actor: systemActor('co-payment') }, coPaymentId, 'post');
  return view;
}
