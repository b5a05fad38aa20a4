// Finding 17: answers that carry personal data say `Cache-Control: no-store`, so that no
// browser or proxy keeps them: every route that is not public, and every /api/ answer that
// does not set its own caching (errors included). The public lists keep theirs.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, it } from 'node:test';
import { configureCredentials } from '../credentials';
import { forEachEngine } from '../../test/support/engines';
import { personBody } from '../../test/support/app';
import {
  signedInAgent,
  startTestServer,
  type Agent,
  type TestServer,
} from '../../test/support/http';

forEachEngine('Cache-Control', ({ db }) => {
  let t: TestServer;
  let registrar: Agent;
  before(async () => {
    t = await startTestServer(db());
    configureCredentials(t.app, {
      keyEncryptionKey: randomBytes(32),
      issuer: 'https://tessera.test',
    });
    registrar = await signedInAgent(t, [{ role: 'registrar', regions: ['VE-A'] }]);
  });
  after(async () => {
    await t.server.close();
  });

  it('is no-store on person reads, card renders and every signed-in answer', async () => {
    const created = await registrar.request({
      method: 'POST',
      url: '/api/v1/persons',
      payload: personBody({ givenNames: 'Casimira' }),
    });
    assert.equal(created.statusCode, 201, created.body);
    const person = created.json<{ id: string; registryNumber: string }>();
    const issued = await registrar.request({
      method: 'POST',
      url: `/api/v1/persons/${person.id}/cards`,
    });
    assert.equal(issued.statusCode, 201, issued.body);
    const serial = issued.json<{ serial: number }>().serial;
    const reads = [
      `/api/v1/persons/${person.id}`,
      `/api/v1/persons/by-number/${person.registryNumber}`,
      '/api/v1/persons?name=Casimira',
      `/api/v1/persons/${person.id}/history`,
      `/api/v1/persons/${person.id}/cards`,
      `/api/v1/cards/${serial}/face.svg`,
      `/api/v1/cards/${serial}/face.png?side=back`,
      `/api/v1/cards/sheet.pdf?serials=${serial}`,
      '/api/v1/auth/session',
    ];
    for (const url of reads) {
      const response = await registrar.request({ method: 'GET', url, purpose: 'enrolment' });
      assert.equal(response.statusCode, 200, `${url}: ${response.body}`);
      assert.equal(response.headers['cache-control'], 'no-store', url);
    }
    assert.equal(created.headers['cache-control'], 'no-store', 'a write answer');
    assert.equal(issued.headers['cache-control'], 'no-store', 'a write answer');
  });

  it('is no-store on /api/ refusals and on sign-in', async () => {
    const anonymous = await t.server.inject({ method: 'GET', url: '/api/v1/persons' });
    assert.equal(anonymous.statusCode, 401);
    assert.equal(anonymous.headers['cache-control'], 'no-store');
    const noPurpose = await registrar.request({ method: 'GET', url: '/api/v1/persons?name=x' });
    assert.equal(noPurpose.statusCode, 400);
    assert.equal(noPurpose.headers['cache-control'], 'no-store');
    const missing = await t.server.inject({ method: 'GET', url: '/api/v1/no-such-thing' });
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.headers['cache-control'], 'no-store');
    const signIn = await t.server.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      payload: { username: 'nobody-here', password: 'wrong wrong wrong' },
    });
    assert.equal(signIn.headers['cache-control'], 'no-store');
  });

  it('leaves the public lists and pages their own caching', async () => {
    const trust = await t.server.inject({ method: 'GET', url: '/api/v1/trust-list' });
    assert.equal(trust.statusCode, 200);
    assert.equal(trust.headers['cache-control'], 'public, max-age=300');
    const revocations = await t.server.inject({ method: 'GET', url: '/api/v1/revocations' });
    assert.equal(revocations.headers['cache-control'], 'public, max-age=60');
    const page = await t.server.inject({ method: 'GET', url: '/verify' });
    assert.equal(page.headers['cache-control'], 'no-cache');
  });
});
