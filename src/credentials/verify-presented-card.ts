// The online verify endpoint's operation: the same offline verifier, given the lists this
// server publishes, so that its verdict is exactly what a verifier app would say. QR text
// that is not a card at all is refused as bad input; a card that is forged, expired or
// revoked gets a verdict. A verdict that reveals the card's claims is a read of the
// person's data: it needs a purpose and is audited, so the person sees who checked their card.
import { z } from 'zod';
import { requirePermission } from '../shared/access';
import { appendAudit } from '../privacy';
import { requirePurpose } from '../registry';
import type { AppContext, Caller } from '../shared/context';
import { CredentialError } from './errors';
import type { ReasonCode } from './errors';
import { qrTextCharsMax } from './limits';
import { currentRevocationList } from './publish-revocation-list';
import { currentTrustList } from './publish-trust-list';
import { readRevocationList } from './read-revocation-list';
import { readTrustList } from './read-trust-list';
import { verifyCard } from './verify-card';
import type { CardVerdict } from './verify-card';

/** The body of a verification. */
export const verifyCardInput = z.object({ qrText: z.string().min(1).max(qrTextCharsMax) }).strict();
/** The body of a verification, validated. */
export type VerifyCardInput = z.output<typeof verifyCardInput>;

/** Reasons that mean the text is not a card at all: bad input rather than a verdict on a card. */
export const unreadableReasons: ReadonlySet<ReasonCode | 'VALID'> = new Set([
  'BAD_PREFIX',
  'BAD_BASE45',
  'BAD_COMPRESSION',
  'BAD_CBOR',
  'NOT_COSE',
  'UNSUPPORTED_COSE',
  'TOO_LARGE',
  'TOO_DEEP',
]);

/** Verifies presented QR text against the published trust and revocation lists. */
export async function verifyPresentedCard(
  app: AppContext,
  caller: Caller,
  { qrText }: VerifyCardInput,
): Promise<CardVerdict> {
  requirePermission(caller.actor, 'card:verify');
  requirePurpose(caller);
  const trustList = await readTrustList(await currentTrustList(app));
  const revocations = await readRevocationList(await currentRevocationList(app), {
    keys: trustList.keys,
  });
  const verdict = await verifyCard(qrText, { trustList, revocations, now: app.now() });
  if (unreadableReasons.has(verdict.reason)) {
    throw new CredentialError(verdict.reason as ReasonCode);
  }
  if (verdict.claims) {
    await app.db.transaction(async (trx) => {
      const person = verdict.claims?.id
        ? await trx
            .selectFrom('persons')
            .select('id')
            .where('registry_number', '=', verdict.claims.id)
            .executeTakeFirst()
        : undefined;
      await appendAudit(trx, app, caller, {
        operation: 'card.verify',
        permission: 'card:verify',
        subjectIds: person ? [person.id] : [],
        details: { serial: verdict.cardSerial, kid: verdict.kid, result: verdict.reason },
      });
    });
  }
  return verdict;
}
