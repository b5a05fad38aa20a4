// Connects the card service to the other domains: a death or deactivation revokes the
// person's cards in the same transaction that records it, and an approved rotation
// request rotates the issuer key inside the approval's transaction.
import { z } from 'zod';
import { approvalExecutor, type AppContext } from '../shared/context';
import { revokePersonCards } from './revoke-card';
import { rotateIssuerKey } from './rotate-issuer-key';

/** Life events after which a person's cards must no longer verify. */
export const revokingLifeEvents: ReadonlySet<string> = new Set(['death', 'deactivation', 'merge']);

/** Registers the credentials domain's life-event hook and approval executor. */
export function registerCredentials(app: AppContext): void {
  app.lifeEventHooks.push(async (trx, event, a, caller) => {
    if (!revokingLifeEvents.has(event.kind)) return;
    await revokePersonCards(trx, a, caller, event.personId, event.kind);
  });
  app.approvalExecutors['keys.rotate'] = approvalExecutor(
    z.object({ reason: z.string() }),
    async (trx, a, request, decider) => rotateIssuerKey(trx, a, decider, request),
  );
}
