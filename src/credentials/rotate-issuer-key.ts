// Key rotation is four-eyes (principle 6): one keys:manage holder asks, a different approver
// decides, and only then does a new key become active. The old key is retired, not removed:
// it stays in the trust list until the last card it signed expires (principle 7).
import { z } from 'zod';
import { requirePermission } from '../shared/access';
import type { Queryable } from '../db';
import { appendAudit } from '../privacy';
import { requestApproval } from '../privacy';
import type { Approval } from '../privacy';
import type { AppContext, Caller } from '../shared/context';
import { reason } from '../shared/schemas';
import { insertIssuerKey } from './create-issuer-key';
import { activeKeyRow } from './store';

/** The body of a rotation request. */
export const keyRotationInput = z.object({ reason }).strict();
/** The body of a rotation request, validated. */
export type KeyRotationInput = z.output<typeof keyRotationInput>;

/** Files a rotation request; nothing changes until someone else approves it. */
export async function requestKeyRotation(
  app: AppContext,
  caller: Caller,
  { reason }: KeyRotationInput,
): Promise<Approval> {
  requirePermission(caller.actor, 'keys:manage');
  return requestApproval(app, caller, { operation: 'keys.rotate', payload: { reason }, reason });
}

/** What an approved rotation did. */
export interface RotationResult {
  kid: string;
  retiredKid: string | null;
  retiredKeyTrustedUntil: string | null;
}

/** Retires the active key and makes a new one, inside the approval's transaction. */
export async function rotateIssuerKey(
  trx: Queryable,
  app: AppContext,
  decider: Caller,
  request: { id: string; requestedBy: string },
): Promise<RotationResult> {
  const now = app.now().toISOString();
  // FOR UPDATE waits for issuers still signing with this key, so their cards count below.
  const current = await activeKeyRow(trx, app, 'update');
  let trustedUntil: string | null = null;
  if (current) {
    const last = await trx
      .selectFrom('cards')
      .select((eb) => eb.fn.max('expires_at').as('last'))
      .where('kid', '=', current.kid)
      .executeTakeFirst();
    trustedUntil = last?.last ?? now;
    await trx
      .updateTable('issuer_keys')
      .set({ status: 'retired', retired_at: now, not_after: trustedUntil })
      .where('kid', '=', current.kid)
      .where('status', '=', 'active')
      .execute();
  }
  const next = await insertIssuerKey(trx, app, decider, 'rotation');
  await appendAudit(trx, app, decider, {
    operation: 'keys.rotate',
    permission: 'approval:decide',
    details: {
      approvalId: request.id,
      requestedBy: request.requestedBy,
      kid: next.kid,
      retiredKid: current?.kid ?? null,
    },
  });
  return { kid: next.kid, retiredKid: current?.kid ?? null, retiredKeyTrustedUntil: trustedUntil };
}
