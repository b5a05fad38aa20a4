// Finding 9: behind a TLS proxy. Forwarded headers are believed only from proxies named in
// the settings; then the client address (rate limits, lockouts, audit origin) is the
// forwarded one and the session cookie is Secure. Without the setting no header is believed.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { insertStaff } from '../../src/auth';
import { systemActor } from '../../src/shared/access';
import { parseTrustedProxies } from '../../src/shared/settings';
import { forEachEngine } from '../../test/support/engines';
import { startTestServer, type TestServer } from '../../test/support/http';

const proxy = '10.1.2.3';
const client = '203.0.113.7';
const forwarded = { 'x-forwarded-for': client, 'x-forwarded-proto': 'https' };

let counter = 0;

/** Signs a new staff member in (one-time password) from `remoteAddress`. */
async function signInFrom(t: TestServer, remoteAddress: string, headers: Record<string, string>) {
  const username = `proxied${++counter}`;
  const { oneTimePassword } = await t.app.db.transaction((trx) =>
    insertStaff(trx, t.app, { actor: systemActor('test') }, { username, displayName: username }),
  );
  const response = await t.server.inject({
    method: 'POST',
    url: '/api/v1/auth/sign-in',
    remoteAddress,
    headers,
    payload: { username, password: oneTimePassword },
  });
  assert.equal(response.statusCode, 200, response.body);
  return String(response.headers['set-cookie']);
}

async function origins(t: TestServer): Promise<string[]> {
  const rows = await t.app.db.kysely
    .selectFrom('audit_log')
    .select('origin')
    .where('origin', 'is not', null)
    .execute();
  return [...new Set(rows.map((r) => r.origin!))].sort();
}

forEachEngine('forwarded headers, no trusted proxy', ({ db }) => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer(db());
  });
  after(async () => {
    await t.server.close();
  });

  it('ignores X-Forwarded-For and X-Forwarded-Proto', async () => {
    const cookie = await signInFrom(t, proxy, forwarded);
    assert.doesNotMatch(cookie, /;\s*Secure/i);
    assert.deepEqual(await origins(t), [proxy]);
  });
});

forEachEngine('forwarded headers from a trusted proxy', ({ db }) => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer(db(), { trustedProxies: ['127.0.0.1', '10.0.0.0/8'] });
  });
  after(async () => {
    await t.server.close();
  });

  it('takes the client address from X-Forwarded-For, and marks the cookie Secure', async () => {
    const cookie = await signInFrom(t, proxy, forwarded);
    assert.match(cookie, /;\s*Secure/i);
    assert.match(cookie, /HttpOnly/i);
    assert.deepEqual(await origins(t), [client]);
  });

  it('ignores the headers when the peer is not a trusted proxy', async () => {
    const stranger = '192.0.2.9';
    await signInFrom(t, stranger, { 'x-forwarded-for': '198.51.100.1' });
    assert.deepEqual(await origins(t), [stranger, client]);
  });
});

describe('TESSERA_TRUSTED_PROXIES', () => {
  it('reads addresses and CIDR ranges, and refuses anything else', () => {
    assert.deepEqual(parseTrustedProxies(undefined), []);
    assert.deepEqual(parseTrustedProxies(''), []);
    assert.deepEqual(parseTrustedProxies(' 127.0.0.1, 10.0.0.0/8 ,::1,fd00::/8,loopback'), [
      '127.0.0.1',
      '10.0.0.0/8',
      '::1',
      'fd00::/8',
      'loopback',
    ]);
    for (const bad of ['*', 'true', '10.0.0.0/33', 'proxy.example', '10.0.0.0/8/1', '10.0.0'])
      assert.throws(() => parseTrustedProxies(bad), /TESSERA_TRUSTED_PROXIES/, bad);
  });
});
