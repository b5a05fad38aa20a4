// Creates an issuer signing key: generated here, its private half encrypted under the KEK
// before it reaches the database, and never logged or returned. The first key is made by
// `tessera keys create`, or automatically the first time the server needs to sign.
import { requirePermission, systemActor } from '../shared/access';
import type { Queryable } from '../db';
import { appendAudit } from '../privacy';
import type { AppContext, Caller } from '../shared/context';
import { DomainError } from '../shared/errors';
import { generateIssuerKey } from './generate-issuer-key';
import { protectPrivateKey } from './protect-private-key';
import { credentialSettings } from './settings';
import { activeKeyRow, presentKey, transactionWithRetry } from './store';
import type { IssuerKeyInfo, IssuerKeyRow } from './store';

/** Why a key was made: by an operator, at first need, or by an approved rotation. */
export type KeyOrigin = 'operator' | 'automatic' | 'rotation';

/** Inserts a new active key (the caller has retired any other) and audits it. */
export async function insertIssuerKey(
  trx: Queryable,
  app: AppContext,
  caller: Caller,
  origin: KeyOrigin,
): Promise<IssuerKeyRow> {
  const pair = await generateIssuerKey();
  const kek = credentialSettings(app).keyEncryptionKey();
  const row: IssuerKeyRow = {
    kid: pair.kid,
    alg: pair.alg,
    public_jwk: JSON.stringify(pair.publicJwk),
    private_key: JSON.stringify(protectPrivateKey(pair.privateJwk, pair.kid, kek)),
    status: 'active',
    created_at: app.now().toISOString(),
    created_by: caller.actor.id,
    retired_at: null,
    not_after: null,
  };
  await trx.insertInto('issuer_keys').values(row).execute();
  await appendAudit(trx, app, caller, {
    operation: 'keys.create',
    permission: 'keys:manage',
    details: { kid: pair.kid, alg: pair.alg, origin },
  });
  return row;
}

/** The active key row, created (and audited as the system's) when there is none yet. */
export async function activeOrNewKeyRow(trx: Queryable, app: AppContext): Promise<IssuerKeyRow> {
  const found = await activeKeyRow(trx, app, 'share');
  if (found) return found;
  // A concurrent first key trips the one-active index; transactionWithRetry then finds it.
  return insertIssuerKey(
    trx,
    app,
    { actor: systemActor('credentials'), origin: 'server' },
    'automatic',
  );
}

/** `tessera keys create`: the first issuer key, or a new one when none is active. */
export async function createIssuerKey(app: AppContext, caller: Caller): Promise<IssuerKeyInfo> {
  requirePermission(caller.actor, 'keys:manage');
  return transactionWithRetry(app, async (trx) => {
    const active = await activeKeyRow(trx, app);
    if (active) {
      throw new DomainError(
        'CONFLICT',
        `Key ${active.kid} is already active; rotate it (a four-eyes request) instead of creating another.`,
      );
    }
    return presentKey(await insertIssuerKey(trx, app, caller, 'operator'));
  });
}
