// Issue 9, finding 12: 15 one-letter searches that return a whole region, one staff member.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { forEachEngine } from '../../test/support/engines';
import { signedInAgent, startTestServer, type TestServer } from '../../test/support/http';
import { staff, testApp, withPurpose } from '../../test/support/app';
import { getPerson, loadDemoRegistry } from '../registry';
import { settingsFromEnv } from '../shared/settings';
import { systemActor } from '../shared/access';
import { DomainError } from '../shared/errors';
import { readLimitPerHourDefault } from '../shared/limits';

const letters = 'abcdefghijklmno'.split('');

forEachEngine('per-staff read volume limits', ({ db }) => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer(db());
    await loadDemoRegistry(t.app, { actor: systemActor('demo') }, { people: 600, seed: 9 });
  });
  after(() => t.server.close());

  const alerts = async (staffId: string) =>
    db()
      .kysely.selectFrom('audit_log')
      .select(['actor_id', 'details'])
      .where('operation', '=', 'privacy.volume_limit')
      .where('actor_id', '=', staffId)
      .execute();

  it('stops one-letter searches that sweep the registry, and writes one alert', async () => {
    t.app.config.readLimitPerHour = 300;
    const agent = await signedInAgent(t, [{ role: 'registrar', regions: '*' }]);
    const statuses: number[] = [];
    let shown = 0;
    for (const letter of letters) {
      const r = await agent.request({
        method: 'GET',
        url: `/api/v1/persons?name=${letter}&limit=200`,
        purpose: 'service_delivery',
      });
      statuses.push(r.statusCode);
      if (r.statusCode === 200) shown += r.json<{ items: unknown[] }>().items.length;
      else {
        assert.equal(r.json().error.code, 'RATE_LIMITED', r.body);
        assert.match(r.json().error.message, /in the last hour/);
      }
    }
    assert.equal(statuses[0], 200);
    assert.ok(statuses.includes(429), `statuses ${statuses.join(',')}`);
    assert.ok(shown < 300 + 200, `shown ${shown}: at most one page beyond the limit`);
    const found = await alerts(agent.staffId);
    assert.equal(found.length, 1, 'one alert for the crossing, not one per refusal');
    assert.equal(JSON.parse(found[0]!.details).limit, 300);
    // A refused read shows nothing, so it is not audited as a read either.
    const searches = await db()
      .kysely.selectFrom('audit_log')
      .select('id')
      .where('operation', '=', 'person.search')
      .where('actor_id', '=', agent.staffId)
      .execute();
    assert.equal(searches.length, statuses.filter((s) => s === 200).length);
  });

  it('counts the human however they sign in, and slides with the hour', async () => {
    t.app.config.readLimitPerHour = 50;
    const agent = await signedInAgent(t, [
      { role: 'admin', regions: '*' },
      { role: 'registrar', regions: '*' },
    ]);
    const token = await agent.request({
      method: 'POST',
      url: '/api/v1/tokens',
      payload: { name: 'second channel', permissions: ['person:search'], regions: '*' },
    });
    assert.equal(token.statusCode, 201, token.body);
    const bearer = { authorization: `Bearer ${token.json<{ token: string }>().token}` };
    const search = (headers: Record<string, string>) =>
      t.server.inject({
        method: 'GET',
        url: '/api/v1/persons?name=a&limit=60',
        headers: { 'x-purpose': 'service_delivery', ...headers },
      });
    const first = await agent.request({
      method: 'GET',
      url: '/api/v1/persons?name=a&limit=60',
      purpose: 'service_delivery',
    });
    assert.equal(first.statusCode, 200);
    const byToken = await search(bearer);
    assert.equal(byToken.statusCode, 429, 'the token belongs to the same person');
    // The sliding hour weighs the previous clock hour by how much of it the last 60 minutes
    // still cover: 90 minutes on, half of the 60 persons still count, below the limit.
    t.app.advance(90 * 60_000);
    const later = await search(bearer);
    assert.equal(later.statusCode, 200, later.body);
  });

  it('meters reads in the domain functions too, and not the system or exports', async () => {
    const app = testApp(db());
    app.config.readLimitPerHour = 2;
    const registrar = withPurpose(staff('registrar', '*'), 'service_delivery');
    const ids = await db().kysely.selectFrom('persons').select('id').limit(3).execute();
    await getPerson(app, registrar, ids[0]!.id);
    await getPerson(app, registrar, ids[1]!.id);
    await assert.rejects(
      getPerson(app, registrar, ids[2]!.id),
      (e: unknown) => e instanceof DomainError && e.code === 'RATE_LIMITED',
    );
    app.config.readLimitPerHour = 0;
    await getPerson(app, registrar, ids[2]!.id); // 0: no limit
  });

  it('reads TESSERA_READ_LIMIT_PER_HOUR, and refuses what is not a whole number', () => {
    const key = { TESSERA_DATA_KEY: Buffer.alloc(32, 7).toString('base64') };
    assert.equal(settingsFromEnv(key).config.readLimitPerHour, readLimitPerHourDefault);
    const set = { ...key, TESSERA_READ_LIMIT_PER_HOUR: '500' };
    assert.equal(settingsFromEnv(set).config.readLimitPerHour, 500);
    for (const bad of ['-1', 'lots', '1.5'])
      assert.throws(
        () => settingsFromEnv({ ...key, TESSERA_READ_LIMIT_PER_HOUR: bad }),
        /TESSERA_READ_LIMIT_PER_HOUR/,
      );
  });
});
