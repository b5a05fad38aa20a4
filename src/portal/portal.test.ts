// Portal sign-in and isolation on both engines: the first step answers alike for a person, an
// unknown number, a wrong date of birth and a person without a phone (no enumeration); a code
// opens one session once, within ten minutes and three tries; five wrong codes pause the
// person's sign-in even for the right code; codes per person and requests per address are
// limited; a portal session opens no staff route and a staff session no portal route; and bad
// input is refused naming the field. Then the person's own views.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { distinctPerson } from '../../test/support/app';
import { forEachEngine } from '../../test/support/engines';
import { signedInAgent, startTestServer, type TestServer } from '../../test/support/http';
import { readLatestCode } from '../../test/support/portal-code';
import { allRoutes } from '../modules';
import { enrolPerson } from '../registry';
import { systemActor } from '../shared/access';
import { portalCodesPerHour, portalFailuresMax } from '.';

interface Person {
  id: string;
  registryNumber: string;
  birthDate: string;
}

forEachEngine('cardholder portal', ({ db }) => {
  let t: TestServer;
  let ana: Person;
  let beto: Person;
  let noPhone: Person;
  let cora: Person;
  let ip = 0;
  // Each test speaks from its own address, so that the per-address limit is tested on its own.
  const from = () => `10.0.0.${++ip}`;

  const askCode = (p: { registryNumber: string; birthDate: string }, address = from()) =>
    t.server.inject({
      method: 'POST',
      url: '/api/v1/me/sign-in/code',
      payload: { registryNumber: p.registryNumber, birthDate: p.birthDate },
      remoteAddress: address,
    });
  const giveCode = (challengeId: string, code: string) =>
    t.server.inject({ method: 'POST', url: '/api/v1/me/sign-in', payload: { challengeId, code } });
  const wrong = (code: string) => (code === '000000' ? '000001' : '000000');
  const signIn = async (p: Person) => {
    const asked = await askCode(p);
    const code = await readLatestCode(t.app, p.id, 'portal_code');
    const r = await giveCode(asked.json<{ challengeId: string }>().challengeId, code!);
    assert.equal(r.statusCode, 200, r.body);
    return {
      cookie: String(r.headers['set-cookie']).split(';')[0]!,
      csrf: r.json<{ csrfToken: string }>().csrfToken,
    };
  };
  const codes = async (personId: string) =>
    Number(
      (
        await t.app.db.kysely
          .selectFrom('notice_outbox')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('person_id', '=', personId)
          .where('template', '=', 'portal_code')
          .executeTakeFirstOrThrow()
      ).n,
    );

  before(async () => {
    t = await startTestServer(db());
    const system = { actor: systemActor('test') };
    const make = async (name: string, phone: string | null) => {
      const input = { ...distinctPerson(name), phone };
      const p = await enrolPerson(t.app, system, input);
      return { id: p.id, registryNumber: p.registryNumber, birthDate: input.birthDate };
    };
    ana = await make('Ana Portal', '+584125550001');
    beto = await make('Beto Portal', '+584125550002');
    noPhone = await make('Sin Teléfono', null);
    cora = await make('Cora Portal', '+584125550003');
  });
  after(async () => {
    await t.server.close();
  });

  it('answers the first step alike whether or not the person exists', async () => {
    const answers = [
      await askCode(ana),
      await askCode({ registryNumber: '0000-0000-0000', birthDate: ana.birthDate }),
      await askCode({ ...ana, birthDate: '1901-01-01' }),
      await askCode(noPhone),
    ];
    const shape = (r: (typeof answers)[number]) => ({
      status: r.statusCode,
      keys: Object.keys(r.json<object>()).sort(),
    });
    for (const a of answers) assert.deepEqual(shape(a), shape(answers[0]!), a.body);
    assert.equal(await codes(ana.id), 1, 'only the real person was sent a code');
    assert.equal(await codes(noPhone.id), 0);
    // A decoy challenge opens nothing, with the same answer as a wrong code.
    const decoy = await giveCode(answers[1]!.json<{ challengeId: string }>().challengeId, '123456');
    const wrongReal = await giveCode(
      answers[0]!.json<{ challengeId: string }>().challengeId,
      '999999',
    );
    assert.equal(decoy.statusCode, 401);
    assert.deepEqual(decoy.json(), wrongReal.json());
  });

  it('opens one session with a code once, and refuses it after ten minutes or three tries', async () => {
    const first = await askCode(beto);
    const id = first.json<{ challengeId: string }>().challengeId;
    const code = (await readLatestCode(t.app, beto.id, 'portal_code'))!;
    const ok = await giveCode(id, code);
    assert.equal(ok.statusCode, 200, ok.body);
    assert.match(
      String(ok.headers['set-cookie']),
      /^tessera_me=me_[^;]+;.*HttpOnly.*SameSite=Strict/,
    );
    assert.equal((await giveCode(id, code)).statusCode, 401, 'single use');
    const late = await askCode(beto);
    const lateCode = (await readLatestCode(t.app, beto.id, 'portal_code'))!;
    t.app.advance(10 * 60_000 + 1);
    assert.equal(
      (await giveCode(late.json<{ challengeId: string }>().challengeId, lateCode)).statusCode,
      401,
      'expired',
    );
    t.app.advance(3600_000);
    const tried = await askCode(beto);
    const triedCode = (await readLatestCode(t.app, beto.id, 'portal_code'))!;
    const tid = tried.json<{ challengeId: string }>().challengeId;
    for (let i = 0; i < 3; i++)
      assert.equal((await giveCode(tid, wrong(triedCode))).statusCode, 401);
    assert.equal(
      (await giveCode(tid, triedCode)).statusCode,
      401,
      'three wrong tries spend the code',
    );
  });

  it('pauses a person’s sign-in after repeated wrong codes, even for the right code', async () => {
    t.app.advance(2 * 3600_000);
    let failures = 0;
    let lastCode = '';
    let lastId = '';
    while (failures < portalFailuresMax) {
      const asked = await askCode(cora);
      lastId = asked.json<{ challengeId: string }>().challengeId;
      lastCode = (await readLatestCode(t.app, cora.id, 'portal_code'))!;
      for (let i = 0; i < 2 && failures < portalFailuresMax; i++) {
        await giveCode(lastId, wrong(lastCode));
        failures++;
      }
    }
    // The last challenge was tried at most twice: its right code would open it, but not now.
    const locked = await giveCode(lastId, lastCode);
    assert.equal(locked.statusCode, 401, locked.body);
    const sentBefore = await codes(cora.id);
    await askCode(cora);
    assert.equal(await codes(cora.id), sentBefore, 'no code is sent while paused');
    const audit = await t.app.db.kysely
      .selectFrom('audit_log')
      .select('operation')
      .where('operation', '=', 'portal.locked')
      .execute();
    assert.equal(audit.length, 1);
    // After the pause (and the hour its codes count in), the person signs in again.
    t.app.advance(61 * 60_000);
    await signIn(cora);
  });

  it('sends a person at most three codes an hour, and limits requests per address', async () => {
    t.app.advance(2 * 3600_000);
    for (let i = 0; i < portalCodesPerHour + 2; i++)
      assert.equal((await askCode(ana)).statusCode, 200);
    const hourAgo = new Date(t.app.now().getTime() - 3600_000).toISOString();
    const sent = await t.app.db.kysely
      .selectFrom('notice_outbox')
      .select('id')
      .where('person_id', '=', ana.id)
      .where('template', '=', 'portal_code')
      .where('created_at', '>', hourAgo)
      .execute();
    assert.equal(sent.length, portalCodesPerHour);
    const address = '10.9.9.9';
    let status = 200;
    for (let i = 0; i < 40 && status === 200; i++)
      status = (
        await askCode({ registryNumber: '0000-0000-0000', birthDate: '1990-01-01' }, address)
      ).statusCode;
    assert.equal(status, 429, 'an address is limited, whatever number it asks about');
  });

  it('keeps portal and staff sessions apart, both ways', async () => {
    t.app.advance(2 * 3600_000);
    const me = await signIn(beto);
    const mine = await t.server.inject({
      method: 'GET',
      url: '/api/v1/me',
      headers: { cookie: me.cookie },
    });
    assert.equal(mine.statusCode, 200, mine.body);
    assert.equal(
      mine.json<{ record: { registryNumber: string } }>().record.registryNumber,
      beto.registryNumber,
    );
    for (const route of allRoutes()) {
      if (route.access === 'public' || route.access === 'cardholder') continue;
      const url = route.url.replace(/:(\w+)/g, 'x');
      const r = await t.server.inject({
        method: route.method,
        url,
        headers: { cookie: me.cookie, 'x-csrf-token': me.csrf, 'x-purpose': 'subject_access' },
        ...(route.method === 'GET' ? {} : { payload: {} }),
      });
      assert.equal(
        r.statusCode,
        401,
        `${route.method} ${route.url} answered ${r.statusCode} to a portal session`,
      );
    }
    // The session cookie under the staff cookie's name is nobody too.
    const renamed = me.cookie.replace('tessera_me=', 'tessera_session=');
    assert.equal(
      (
        await t.server.inject({
          method: 'GET',
          url: '/api/v1/persons',
          headers: { cookie: renamed },
        })
      ).statusCode,
      401,
    );
    const registrar = await signedInAgent(t, [{ role: 'registrar', regions: '*' }]);
    for (const route of allRoutes().filter((r) => r.access === 'cardholder')) {
      const r = await registrar.request({
        method: route.method,
        url: route.url.replace(/:(\w+)/g, '1'),
        ...(route.method === 'GET' ? {} : { payload: {} }),
      });
      assert.equal(r.statusCode, 401, `${route.method} ${route.url} let a staff session in`);
    }
    const noCsrf = await t.server.inject({
      method: 'PUT',
      url: '/api/v1/me/preferences',
      headers: { cookie: me.cookie },
      payload: { language: 'en', optOutNonEssential: true },
    });
    assert.equal(noCsrf.statusCode, 403);
    const out = await t.server.inject({
      method: 'POST',
      url: '/api/v1/me/sign-out',
      headers: { cookie: me.cookie, 'x-csrf-token': me.csrf },
    });
    assert.equal(out.statusCode, 200);
    assert.equal(
      (await t.server.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie: me.cookie } }))
        .statusCode,
      401,
    );
  });

  it('refuses bad input naming the field', async () => {
    const cases: [string, unknown, string][] = [
      ['/api/v1/me/sign-in/code', { registryNumber: ana.registryNumber }, 'birthDate'],
      [
        '/api/v1/me/sign-in/code',
        { registryNumber: ana.registryNumber, birthDate: '12/03/1984' },
        'birthDate',
      ],
      [
        '/api/v1/me/sign-in/code',
        { registryNumber: 7, birthDate: ana.birthDate },
        'registryNumber',
      ],
      [
        '/api/v1/me/sign-in/code',
        { registryNumber: ana.registryNumber, birthDate: ana.birthDate, phone: '1' },
        'phone',
      ],
      ['/api/v1/me/sign-in', { challengeId: 'x', code: '12ab56' }, 'code'],
      ['/api/v1/me/sign-in', { challengeId: 'x'.repeat(65), code: '123456' }, 'challengeId'],
    ];
    for (const [url, payload, field] of cases) {
      const r = await t.server.inject({
        method: 'POST',
        url,
        payload: payload as Record<string, unknown>,
        remoteAddress: from(),
      });
      assert.equal(r.statusCode, 400, r.body);
      assert.match(
        r.json<{ error: { field?: string; message: string } }>().error.message,
        new RegExp(field),
        r.body,
      );
    }
    const malformed = await t.server.inject({
      method: 'POST',
      url: '/api/v1/me/sign-in/code',
      headers: { 'content-type': 'application/json' },
      payload: '{"registryNumber": ',
    });
    assert.equal(malformed.statusCode, 400);
    assert.equal(malformed.json<{ error: { code: string } }>().error.code, 'MALFORMED_JSON');
  });

  it('shows the person their record, access report, grievances and nominees', async () => {
    t.app.advance(2 * 3600_000);
    const me = await signIn(ana);
    const get = (url: string) =>
      t.server.inject({ method: 'GET', url, headers: { cookie: me.cookie } });
    const post = (url: string, payload: Record<string, unknown>) =>
      t.server.inject({
        method: 'POST',
        url,
        headers: { cookie: me.cookie, 'x-csrf-token': me.csrf },
        payload,
      });
    const registrar = await signedInAgent(t, [{ role: 'registrar', regions: '*' }]);
    const read = await registrar.request({
      method: 'GET',
      url: `/api/v1/persons/${ana.id}`,
      purpose: 'service_delivery',
    });
    assert.equal(read.statusCode, 200, read.body);
    const report = await get('/api/v1/me/access-report');
    assert.equal(report.statusCode, 200, report.body);
    const items = report.json<{
      items: {
        operation: string;
        staff: string;
        byYou: boolean;
        purpose: { code: string } | null;
      }[];
    }>().items;
    const staffRead = items.find((i) => i.operation === 'person.read');
    assert.ok(staffRead, 'the registrar’s read is in the report');
    assert.match(staffRead.staff, /^staff-[0-9a-f]{10}$/, 'as a pseudonym');
    assert.equal(staffRead.purpose?.code, 'service_delivery');
    assert.ok(
      !report.body.includes(registrar.staffId) && !report.body.includes(registrar.username),
    );
    assert.ok(items.some((i) => i.operation === 'portal.signin' && i.byYou && i.staff === 'you'));
    const filed = await post('/api/v1/me/grievances', {
      category: 'wrong_data',
      description: 'Mi dirección está mal escrita',
    });
    assert.equal(filed.statusCode, 201, filed.body);
    assert.equal(filed.json<{ channel: string }>().channel, 'portal');
    const mine = await get('/api/v1/me/grievances');
    assert.equal(mine.json<{ items: unknown[] }>().items.length, 1);
    const other = await post('/api/v1/me/nominees', {
      registryNumber: beto.registryNumber,
      birthDate: '1900-01-01',
    });
    const unknown = await post('/api/v1/me/nominees', {
      registryNumber: '0000-0000-0000',
      birthDate: beto.birthDate,
    });
    assert.equal(other.statusCode, 404);
    assert.deepEqual(
      other.json(),
      unknown.json(),
      'a wrong date of birth and an unknown number answer alike',
    );
    const named = await post('/api/v1/me/nominees', {
      registryNumber: beto.registryNumber,
      birthDate: beto.birthDate,
    });
    assert.equal(named.statusCode, 201, named.body);
    const row = await t.app.db.kysely
      .selectFrom('nominees')
      .selectAll()
      .where('beneficiary_id', '=', ana.id)
      .executeTakeFirstOrThrow();
    assert.deepEqual(
      [row.nominee_id, row.consent, row.recorded_by],
      [beto.id, 'portal_self', `person:${ana.id}`],
    );
    const removed = await post(`/api/v1/me/nominees/${row.id}/revoke`, {});
    assert.equal(removed.statusCode, 200, removed.body);
    assert.equal(removed.json<{ live: boolean }>().live, false);
    const wallet = await get('/api/v1/me/wallet');
    assert.equal(wallet.json<{ open: boolean }>().open, false);
    assert.equal((await get('/api/v1/me/entitlements')).statusCode, 200);
    assert.equal((await get('/api/v1/me/cards/1')).statusCode, 404, 'no card, or another person’s');
  });
});
