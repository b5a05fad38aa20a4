// Connects the card service to the other domains: a death or deactivation revokes the
// person's cards in the same transaction that records it, and an approved rotation
// request rotates the issuer key inside the approval's transaction.
import { z } from 'zod';
import { approvalExecutor, type AppContext, type LifeEventHook } from '../shared/context';
import { revokePersonCards } from './revoke-card';
import { rotateIssuerKey } from './rotate-issuer-key';
import { credentialSettings } from './settings';

/** Life events after which a person's cards must no longer verify. */
export const revokingLifeEvents: ReadonlySet<string> = new Set(['death', 'deactivation', 'merge']);

/** Revokes a person's cards when they die, are deactivated or merged away. */
export const revokeCardsOnLifeEvent: LifeEventHook = async (trx, event, app, caller) => {
  if (!revokingLifeEvents.has(event.kind)) return;
  await revokePersonCards(trx, app, caller, event.personId, event.kind);
};

/** Checks the card settings and registers the credentials domain's approval executor. */
export function registerCredentials(app: AppContext): void {
  // Read the card settings now, so that a bad TESSERA_CARD_ISSUER or TESSERA_CARD_LANGUAGE
  // stops the start with its reason instead of the first card issued.
  credentialSettings(app);
  app.approvalExecutors['keys.rotate'] = approvalExecutor(
    z.object({ reason: z.string() }),
    async (trx, a, request, decider) => rotateIssuerKey(trx, a, decider, request),
  );
}
