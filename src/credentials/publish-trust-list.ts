// The published trust list: the active key and every retired key whose cards may still be
// in people's pockets, signed with the active key. The signed document is cached and served
// as is, so every verifier downloads the same bytes; it is re-signed when a key changes
// state, and at least every `listRefreshSeconds` so that its issue time stays recent.
import type { AppContext } from '../shared/context';
import { activeOrNewKeyRow } from './create-issuer-key';
import { createTrustList } from './create-trust-list';
import type { TrustListEntry } from './create-trust-list';
import { signingKeyOf } from './load-signing-key';
import { credentialSettings } from './settings';
import type { SignedDocument } from './signed-document';
import type { IssuerKeyRow } from './store';
import { transactionWithRetry } from './store';
import { readStoredJson } from '../shared/stored-json';
import { z } from 'zod';

/** A cached list, if it still describes `fingerprint` and is young enough. */
export async function cachedDocument(
  app: AppContext,
  kind: 'trust-list' | 'revocation-list',
  fingerprint: string,
): Promise<SignedDocument | null> {
  const row = await app.db.kysely
    .selectFrom('credential_documents')
    .selectAll()
    .where('kind', '=', kind)
    .executeTakeFirst();
  if (!row || row.fingerprint !== fingerprint) return null;
  const ageSeconds = (app.now().getTime() - Date.parse(row.issued_at)) / 1000;
  if (ageSeconds < 0 || ageSeconds >= credentialSettings(app).listRefreshSeconds) return null;
  return readStoredJson(
    z.object({ protected: z.string(), payload: z.string(), signature: z.string() }),
    row.document,
    `published list ${kind}`,
  ) satisfies SignedDocument;
}

/** Stores a freshly signed list as the latest of its kind. */
export async function storeDocument(
  app: AppContext,
  kind: 'trust-list' | 'revocation-list',
  fingerprint: string,
  document: SignedDocument,
): Promise<void> {
  const row = {
    kind,
    issued_at: app.now().toISOString(),
    fingerprint,
    document: JSON.stringify(document),
  };
  await app.db.kysely
    .insertInto('credential_documents')
    .values(row)
    .onConflict((oc) => oc.column('kind').doUpdateSet(row))
    .execute();
}

function entryOf(row: IssuerKeyRow): TrustListEntry {
  return {
    kid: row.kid,
    alg: row.alg,
    publicJwk: JSON.parse(row.public_jwk) as JsonWebKey,
    validFrom: row.created_at,
    signedUntil: row.retired_at ?? undefined,
    trustedUntil: row.not_after ?? undefined,
  };
}

/** Keys that belong in the trust list now: the active one, and retired ones still trusted. */
async function trustedKeyRows(
  app: AppContext,
): Promise<{ active: IssuerKeyRow; rows: IssuerKeyRow[] }> {
  const active = await transactionWithRetry(app, (trx) => activeOrNewKeyRow(trx, app));
  const now = app.now().toISOString();
  const retired = await app.db.kysely
    .selectFrom('issuer_keys')
    .selectAll()
    .where('status', '=', 'retired')
    .where('not_after', '>', now)
    .orderBy('created_at', 'desc')
    .execute();
  return { active, rows: [active, ...retired] };
}

/** The current signed trust list (creating the first issuer key if there is none). */
export async function currentTrustList(app: AppContext): Promise<SignedDocument> {
  const { active, rows } = await trustedKeyRows(app);
  const fingerprint = rows.map((r) => `${r.kid}:${r.status}:${r.not_after ?? ''}`).join(',');
  const cached = await cachedDocument(app, 'trust-list', fingerprint);
  if (cached) return cached;
  const document = await createTrustList({
    issuer: credentialSettings(app).issuer,
    issuedAt: app.now(),
    keys: rows.map(entryOf),
    signingKey: await signingKeyOf(app, active),
  });
  await storeDocument(app, 'trust-list', fingerprint, document);
  return document;
}
