// The published revocation list: every revoked or replaced card's serial, as a signed,
// compressed bitstring. Its fingerprint holds the number of revoked cards, read in the same
// query as the serials; revocations are never undone, so a changed count means a new
// revocation, and no download can miss one that has committed.
import type { AppContext } from '../shared/context';
import { activeOrNewKeyRow } from './create-issuer-key';
import { createRevocationList } from './create-revocation-list';
import { signingKeyOf } from './load-signing-key';
import { cachedDocument, storeDocument } from './publish-trust-list';
import { credentialSettings } from './settings';
import type { SignedDocument } from './signed-document';
import { transactionWithRetry } from './store';

/** The current signed revocation list: regenerated after a revocation, or when it grows old. */
export async function currentRevocationList(app: AppContext): Promise<SignedDocument> {
  const active = await transactionWithRetry(app, (trx) => activeOrNewKeyRow(trx, app));
  const rows = await app.db.kysely
    .selectFrom('cards')
    .select('serial')
    .where('revoked_at', 'is not', null)
    .execute();
  // After a rotation the list is re-signed with the new key, so no verifier needs the old one.
  const fingerprint = `${rows.length}:${active.kid}`;
  const cached = await cachedDocument(app, 'revocation-list', fingerprint);
  if (cached) return cached;
  const document = await createRevocationList({
    issuer: credentialSettings(app).issuer,
    issuedAt: app.now(),
    revokedSerials: rows.map((r) => Number(r.serial)),
    signingKey: await signingKeyOf(app, active),
  });
  await storeDocument(app, 'revocation-list', fingerprint, document);
  return document;
}
