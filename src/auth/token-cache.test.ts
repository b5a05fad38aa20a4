// The two-second cache of resolved tokens never outlives a revocation in this process: the
// revoked token is refused as soon as the revoking transaction has ended, even when a request
// read the token (the old, committed row) while that transaction was still open, and an answer
// read before a forgetting is never kept.
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { forEachEngine } from '../../test/support/engines';
import { createTestApiToken } from '../../test/support/api-token';
import { testApp } from '../../test/support/app';
import { revokeDeviceToken, resolveApiToken } from './api-tokens';
import { cachedToken, forgetCachedTokens, rememberToken, tokenCacheStamp } from './token-cache';
import { hashToken } from './tokens';
import type { Actor } from '../shared/access';

const actor: Actor = { kind: 'token', id: 'token:t', staffId: 's', grants: [], pointId: null };
const entry = () => ({ tokenId: 't', expiresAt: '2999-01-01T00:00:00Z', lastUsedAt: 0, actor });

forEachEngine('resolved tokens kept two seconds', ({ db }) => {
  let token: string;
  let tokenId: string;
  before(async () => {
    ({ token } = await createTestApiToken(db(), {
      grants: [{ role: 'operator', regions: '*' }],
      permissions: ['redemption:create'],
    }));
    const row = await db()
      .kysely.selectFrom('api_tokens')
      .select('id')
      .where('token_hash', '=', hashToken(token))
      .executeTakeFirstOrThrow();
    tokenId = row.id;
  });

  it('keeps no answer read before a forgetting', () => {
    const stamp = tokenCacheStamp();
    forgetCachedTokens(db().kysely);
    rememberToken('h-stale', entry(), stamp);
    assert.equal(cachedToken('h-stale'), undefined);
    rememberToken('h-fresh', entry(), tokenCacheStamp());
    assert.ok(cachedToken('h-fresh'));
  });

  it('forgets again once the forgetting transaction has ended', async () => {
    await db().transaction(async (trx) => {
      forgetCachedTokens(trx);
      // A lookup that began after the first forgetting but read the row before the commit.
      rememberToken('h-during', entry(), tokenCacheStamp());
      assert.ok(cachedToken('h-during'), 'kept while the transaction is open');
    });
    assert.equal(cachedToken('h-during'), undefined);
  });

  it('forgets after a transaction that fails too', async () => {
    await assert.rejects(
      db().transaction(async (trx) => {
        forgetCachedTokens(trx);
        rememberToken('h-failed', entry(), tokenCacheStamp());
        throw new Error('refused');
      }),
      /refused/,
    );
    assert.equal(cachedToken('h-failed'), undefined);
  });

  it('refuses a revoked token at once, even one resolved while the revocation was open', async () => {
    const app = testApp(db(), new Date());
    assert.ok(await resolveApiToken(app, token), 'valid, and now cached');
    await db().transaction(async (trx) => {
      await revokeDeviceToken(trx, app, tokenId, 'test');
      // On PostgreSQL another connection still reads the committed row: the token is valid
      // there until the commit, and that answer would be cached. SQLite has one connection,
      // so no read can run beside the open transaction.
      if (db().engine === 'postgres')
        assert.ok(await resolveApiToken(app, token), 'the old row, read beside the revocation');
    });
    assert.equal(await resolveApiToken(app, token), null, 'refused once the revocation ended');
  });
});
