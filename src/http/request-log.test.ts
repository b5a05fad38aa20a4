// Finding 8: the request log names the route, never the name searched for or the registry
// number read.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { forEachEngine } from '../../test/support/engines';
import { personBody } from '../../test/support/app';
import {
  signedInAgent,
  startTestServer,
  type Agent,
  type TestServer,
} from '../../test/support/http';

forEachEngine('request log', ({ db }) => {
  let t: TestServer;
  let registrar: Agent;
  let log = '';
  before(async () => {
    t = await startTestServer(db(), {
      logStream: {
        write: (line) => {
          log += line;
        },
      },
    });
    registrar = await signedInAgent(t, [{ role: 'registrar', regions: ['VE-A'] }]);
  });
  after(async () => {
    await t.server.close();
  });

  it('logs route patterns, not the names and registry numbers in URLs', async () => {
    const created = await registrar.request({
      method: 'POST',
      url: '/api/v1/persons',
      payload: personBody({ givenNames: 'Anacleta', surname1: 'Quiñónez' }),
    });
    assert.equal(created.statusCode, 201, created.body);
    const number = created.json<{ registryNumber: string }>().registryNumber;
    log = '';
    const search = await registrar.request({
      method: 'GET',
      url: `/api/v1/persons?name=${encodeURIComponent('Anacleta Quiñónez')}&birthDate=1984-03-12`,
      purpose: 'enrolment',
    });
    assert.equal(search.statusCode, 200, search.body);
    const read = await registrar.request({
      method: 'GET',
      url: `/api/v1/persons/by-number/${number}`,
      purpose: 'service_delivery',
    });
    assert.equal(read.statusCode, 200, read.body);
    const unrouted = await registrar.request({
      method: 'GET',
      url: `/api/v1/persons-by-name/Anacleta/${number}`,
    });
    assert.equal(unrouted.statusCode, 404);

    assert.ok(log.length > 0, 'requests were logged');
    for (const secret of ['Anacleta', 'Quiñónez', 'Qui%C3%B1', number, number.replace(/-/g, '')])
      assert.ok(!log.includes(secret), `the log must not contain ${secret}:\n${log}`);
    const urls = log
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { req?: { url: string } })
      .flatMap((entry) => (entry.req ? [entry.req.url] : []));
    assert.deepEqual(urls, ['/api/v1/persons', '/api/v1/persons/by-number/:number', '(no route)']);
  });
});
