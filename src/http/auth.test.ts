import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { forEachEngine } from '../../test/support/engines';
import {
  signedInAgent,
  startTestServer,
  type Agent,
  type TestServer,
} from '../../test/support/http';
import { insertStaff, totpCode } from '../auth';
import { systemActor } from '../shared/access';

forEachEngine('staff sign-in, sessions and approvals over HTTP', ({ db }) => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer(db());
  });
  after(async () => {
    await t.server.close();
  });
  const signIn = (payload: Record<string, unknown>) =>
    t.server.inject({ method: 'POST', url: '/api/v1/auth/sign-in', payload });
  /** Signs in as the agent with the right password and a fresh TOTP code. */
  const signInRightly = (agent: Agent) =>
    signIn({
      username: agent.username,
      password: agent.password,
      code: totpCode(agent.totpSecret, t.app.now().getTime()),
    });
  /** The audit operations a staff member's own actions wrote. */
  const auditOperationsOf = async (staffId: string) =>
    (
      await t.app.db.kysely
        .selectFrom('audit_log')
        .select('operation')
        .where('actor_id', '=', staffId)
        .execute()
    ).map((a) => a.operation);

  it('refuses sign-in without a TOTP code, with a wrong one, and with a replayed one', async () => {
    const agent = await signedInAgent(t, [{ role: 'registrar', regions: ['VE-A'] }]);
    t.app.advance(60_000);
    const missing = await signIn({ username: agent.username, password: agent.password });
    assert.equal(missing.statusCode, 401);
    assert.equal(missing.json().error.code, 'SECOND_FACTOR_REQUIRED');
    assert.equal(missing.headers['set-cookie'], undefined);
    const wrongCode = String(
      (Number(totpCode(agent.totpSecret, t.app.now().getTime())) + 1) % 1_000_000,
    ).padStart(6, '0');
    const wrong = await signIn({
      username: agent.username,
      password: agent.password,
      code: wrongCode,
    });
    assert.equal(wrong.statusCode, 401);
    const code = totpCode(agent.totpSecret, t.app.now().getTime());
    const ok = await signIn({ username: agent.username, password: agent.password, code });
    assert.equal(ok.statusCode, 200, ok.body);
    assert.equal(ok.json().next, 'ready');
    const cookie = String(ok.headers['set-cookie']);
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Strict/);
    const replay = await signIn({ username: agent.username, password: agent.password, code });
    assert.equal(replay.statusCode, 401, 'a code is accepted once');
  });

  it('answers an unknown user and a disabled account as a wrong password, and audits why', async () => {
    const unknown = await signIn({ username: 'nadie.conocido', password: 'any password at all' });
    assert.equal(unknown.statusCode, 401);
    assert.equal(unknown.json().error.message, 'Wrong username, password or code.');
    const agent = await signedInAgent(t, [{ role: 'registrar', regions: ['VE-A'] }]);
    await t.app.db.kysely
      .updateTable('staff')
      .set({ status: 'disabled' })
      .where('id', '=', agent.staffId)
      .execute();
    t.app.advance(31_000);
    const disabled = await signInRightly(agent);
    assert.equal(disabled.statusCode, 401);
    assert.equal(disabled.json().error.message, 'Wrong username, password or code.');
    const audit = await t.app.db.kysely
      .selectFrom('audit_log')
      .select('details')
      .where('actor_id', '=', 'anonymous')
      .where('operation', '=', 'auth.signin_failed')
      .execute();
    const why = audit.map((a) => JSON.parse(a.details) as { why: string; staffId?: string });
    assert.ok(why.some((d) => d.why === 'unknown user'));
    assert.ok(why.some((d) => d.why === 'disabled' && d.staffId === agent.staffId));
  });

  it('signs in once with each recovery code', async () => {
    const caller = { actor: systemActor('test') };
    const { oneTimePassword } = await t.app.db.transaction((trx) =>
      insertStaff(trx, t.app, caller, { username: 'con.recuperacion', displayName: 'R' }),
    );
    const first = await signIn({ username: 'con.recuperacion', password: oneTimePassword });
    const headers = {
      cookie: String(first.headers['set-cookie']).split(';')[0]!,
      'x-csrf-token': first.json<{ csrfToken: string }>().csrfToken,
    };
    const enrol = await t.server.inject({
      method: 'POST',
      url: '/api/v1/auth/second-factor/enrol',
      headers,
    });
    const confirm = await t.server.inject({
      method: 'POST',
      url: '/api/v1/auth/second-factor/confirm',
      headers,
      payload: { code: totpCode(enrol.json().secret, t.app.now().getTime()) },
    });
    const [recoveryCode] = confirm.json<{ recoveryCodes: string[] }>().recoveryCodes;
    const credentials = { username: 'con.recuperacion', password: oneTimePassword, recoveryCode };
    const ok = await signIn(credentials);
    assert.equal(ok.statusCode, 200, ok.body);
    assert.equal(ok.json().next, 'change-password');
    const again = await signIn(credentials);
    assert.equal(again.statusCode, 401, 'a recovery code is used once');
  });

  /** Signs in twice with one new account's one-time password; both sessions start enrolment. */
  async function twoHalfSessions(username: string) {
    const { account, oneTimePassword } = await t.app.db.transaction((trx) =>
      insertStaff(trx, t.app, { actor: systemActor('test') }, { username, displayName: username }),
    );
    const open = async () => {
      const signedIn = await signIn({ username, password: oneTimePassword });
      assert.equal(signedIn.statusCode, 200, signedIn.body);
      const headers = {
        cookie: String(signedIn.headers['set-cookie']).split(';')[0]!,
        'x-csrf-token': signedIn.json<{ csrfToken: string }>().csrfToken,
      };
      const enrol = await t.server.inject({
        method: 'POST',
        url: '/api/v1/auth/second-factor/enrol',
        headers,
      });
      assert.equal(enrol.statusCode, 200, enrol.body);
      const { secret } = enrol.json<{ secret: string }>();
      return {
        headers,
        confirm: () =>
          t.server.inject({
            method: 'POST',
            url: '/api/v1/auth/second-factor/confirm',
            headers,
            payload: { code: totpCode(secret, t.app.now().getTime()) },
          }),
      };
    };
    const recoveryCodes = () =>
      t.app.db.kysely
        .selectFrom('recovery_codes')
        .select('id')
        .where('staff_id', '=', account.id)
        .execute();
    return { first: await open(), second: await open(), recoveryCodes };
  }
  const session = (headers: Record<string, string>) =>
    t.server.inject({ method: 'GET', url: '/api/v1/auth/session', headers });

  it('enrols a second factor once when two sessions share a one-time password', async () => {
    const { first, second, recoveryCodes } = await twoHalfSessions('dos.sesiones');
    const confirmed = await first.confirm();
    assert.equal(confirmed.statusCode, 200, confirmed.body);
    const issued = confirmed.json<{ recoveryCodes: string[] }>().recoveryCodes;
    const late = await second.confirm();
    assert.notEqual(late.statusCode, 200, late.body);
    assert.equal((await recoveryCodes()).length, issued.length, 'no more recovery codes');
    assert.equal((await session(second.headers)).statusCode, 401, 'the other session ended');

    const racing = await twoHalfSessions('carrera.sesiones');
    const both = await Promise.all([racing.first.confirm(), racing.second.confirm()]);
    assert.equal(both.filter((r) => r.statusCode === 200).length, 1, 'one of two racing wins');
    const won = both.find((r) => r.statusCode === 200)!;
    assert.equal(
      (await racing.recoveryCodes()).length,
      won.json<{ recoveryCodes: string[] }>().recoveryCodes.length,
    );
  });

  it('gives a session a new token and CSRF token when its second factor is confirmed', async () => {
    const { first } = await twoHalfSessions('nueva.ficha');
    const confirmed = await first.confirm();
    assert.equal(confirmed.statusCode, 200, confirmed.body);
    const setCookie = String(confirmed.headers['set-cookie']);
    assert.match(setCookie, /HttpOnly/);
    assert.match(setCookie, /SameSite=Strict/);
    const upgraded = {
      cookie: setCookie.split(';')[0]!,
      'x-csrf-token': confirmed.json<{ csrfToken: string }>().csrfToken,
    };
    assert.notEqual(upgraded.cookie, first.headers.cookie);
    assert.notEqual(upgraded['x-csrf-token'], first.headers['x-csrf-token']);
    assert.equal('sessionToken' in confirmed.json(), false, 'the token travels only as a cookie');
    assert.equal(
      (await session(first.headers)).statusCode,
      401,
      'the token known before the second factor no longer works',
    );
    const now = await session(upgraded);
    assert.equal(now.statusCode, 200, now.body);
    assert.equal(now.json().next, 'change-password');
    const staleCsrf = await t.server.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-out',
      headers: { ...upgraded, 'x-csrf-token': first.headers['x-csrf-token'] },
    });
    assert.equal(staleCsrf.statusCode, 403, 'the old CSRF token is refused too');
  });

  it('locks out an address after 50 failed sign-ins', async () => {
    const from = (remoteAddress: string) =>
      t.server.inject({
        method: 'POST',
        url: '/api/v1/auth/sign-in',
        payload: { username: 'nadie.mas', password: 'not a password' },
        remoteAddress,
      });
    for (let i = 0; i < 50; i++) assert.equal((await from('10.9.9.9')).statusCode, 401);
    const limited = await from('10.9.9.9');
    assert.equal(limited.statusCode, 429);
    assert.equal(limited.json().error.code, 'RATE_LIMITED');
    assert.equal((await from('10.9.9.10')).statusCode, 401, 'other addresses are not locked');
  });

  it('refuses a one-time password after 72 hours', async () => {
    const admin = await signedInAgent(t, [{ role: 'admin', regions: '*' }]);
    const made = await admin.request({
      method: 'POST',
      url: '/api/v1/staff',
      payload: { username: 'tarde.llega', displayName: 'Tarde' },
    });
    const { oneTimePassword } = made.json();
    t.app.advance(73 * 60 * 60 * 1000);
    const late = await signIn({ username: 'tarde.llega', password: oneTimePassword });
    assert.equal(late.statusCode, 401);
    assert.match(late.json().error.message, /expired/);
  });

  it('shows a lock or an expired one-time password only to a caller with the right password', async () => {
    const agent = await signedInAgent(t, [{ role: 'registrar', regions: ['VE-A'] }]);
    const wrong = (i: number) =>
      signIn({ username: agent.username, password: 'not the password ' + i });
    const unknown = await signIn({ username: 'nadie.existe', password: 'not the password x' });
    for (let i = 0; i < 10; i++) assert.equal((await wrong(i)).statusCode, 401);
    t.app.advance(31_000);
    // Locked now: without the password the answer is exactly an unknown user's.
    const lockedWrong = await wrong(99);
    assert.equal(lockedWrong.statusCode, 401);
    assert.deepEqual(lockedWrong.json(), unknown.json());
    const lockedRight = await signInRightly(agent);
    assert.equal(lockedRight.json().error.code, 'ACCOUNT_LOCKED');

    const made = await (
      await signedInAgent(t, [{ role: 'admin', regions: '*' }])
    ).request({
      method: 'POST',
      url: '/api/v1/staff',
      payload: { username: 'olvidada.cuenta', displayName: 'O' },
    });
    const { oneTimePassword } = made.json();
    t.app.advance(73 * 60 * 60 * 1000);
    const expiredWrong = await signIn({
      username: 'olvidada.cuenta',
      password: 'not the password y',
    });
    assert.deepEqual(expiredWrong.json(), unknown.json());
    const expiredRight = await signIn({ username: 'olvidada.cuenta', password: oneTimePassword });
    assert.match(expiredRight.json().error.message, /expired/);
  });

  it('locks an account after ten wrong passwords, and audits it', async () => {
    const agent = await signedInAgent(t, [{ role: 'registrar', regions: ['VE-A'] }]);
    for (let i = 0; i < 10; i++) {
      const r = await signIn({ username: agent.username, password: 'wrong password number ' + i });
      assert.equal(r.statusCode, 401);
    }
    t.app.advance(31_000);
    const locked = await signInRightly(agent);
    assert.equal(locked.statusCode, 423);
    assert.equal(locked.json().error.code, 'ACCOUNT_LOCKED');
    const audit = await auditOperationsOf(agent.staffId);
    assert.ok(audit.includes('auth.locked'));
    assert.ok(audit.filter((a) => a === 'auth.signin_failed').length >= 10);
    t.app.advance(16 * 60_000);
    const after = await signInRightly(agent);
    assert.equal(after.statusCode, 200, 'the lock ends');
  });

  it('counts wrong current passwords at password change toward the lock', async () => {
    const agent = await signedInAgent(t, [{ role: 'registrar', regions: ['VE-A'] }]);
    const change = (currentPassword: string) =>
      agent.request({
        method: 'POST',
        url: '/api/v1/auth/password',
        payload: { currentPassword, newPassword: 'otra tinaja azul junto al río' },
      });
    for (let i = 0; i < 10; i++) {
      const r = await change(`guessed password ${i}`);
      assert.equal(r.statusCode, 400, r.body);
    }
    const refused = await change(agent.password);
    assert.equal(refused.statusCode, 423, 'a locked account cannot change its password');
    t.app.advance(31_000);
    const locked = await signInRightly(agent);
    assert.equal(locked.statusCode, 423);
    assert.equal(locked.json().error.code, 'ACCOUNT_LOCKED');
    const audit = await auditOperationsOf(agent.staffId);
    assert.equal(
      audit.filter((a) => a === 'auth.password_change_failed').length,
      10,
      'each wrong guess is audited',
    );
    assert.ok(audit.includes('auth.locked'));
  });

  it("refuses a new password made of the deployment's words or from the breach list", async () => {
    const agent = await signedInAgent(t, [{ role: 'registrar', regions: ['VE-A'] }]);
    for (const newPassword of ['Tessera-Zulia-2025!', 'correcthorsebatterystaple']) {
      const r = await agent.request({
        method: 'POST',
        url: '/api/v1/auth/password',
        payload: { currentPassword: agent.password, newPassword },
      });
      assert.equal(r.statusCode, 400, newPassword);
      assert.equal(r.json().error.field, 'newPassword', newPassword);
    }
  });

  it('ends sessions on sign-out, after 30 idle minutes, and needs the CSRF token', async () => {
    const agent = await signedInAgent(t, [{ role: 'registrar', regions: ['VE-A'] }]);
    assert.equal(
      (await agent.request({ method: 'GET', url: '/api/v1/auth/session' })).statusCode,
      200,
    );
    const noCsrf = await agent.request({
      method: 'POST',
      url: '/api/v1/persons',
      headers: { 'x-csrf-token': 'nope' },
      payload: {},
    });
    assert.equal(noCsrf.statusCode, 403);
    assert.equal(noCsrf.json().error.code, 'CSRF_FAILED');
    t.app.advance(31 * 60_000);
    assert.equal(
      (await agent.request({ method: 'GET', url: '/api/v1/auth/session' })).statusCode,
      401,
    );
    const other = await signedInAgent(t, [{ role: 'registrar', regions: ['VE-A'] }]);
    assert.equal(
      (await other.request({ method: 'POST', url: '/api/v1/auth/sign-out' })).statusCode,
      200,
    );
    assert.equal(
      (await other.request({ method: 'GET', url: '/api/v1/auth/session' })).statusCode,
      401,
    );
  });

  it('grants a role only with a second approver, and never deletes staff', async () => {
    const admin1 = await signedInAgent(t, [{ role: 'admin', regions: '*' }]);
    const admin2 = await signedInAgent(t, [{ role: 'admin', regions: '*' }]);
    const created = await admin1.request({
      method: 'POST',
      url: '/api/v1/staff',
      payload: { username: 'nueva.registradora', displayName: 'Nueva' },
    });
    assert.equal(created.statusCode, 201, created.body);
    const staffId = created.json().account.id as string;
    const request = await admin1.request({
      method: 'POST',
      url: `/api/v1/staff/${staffId}/roles`,
      payload: { role: 'registrar', regions: ['VE-A'], reason: 'new office in Caracas' },
    });
    assert.equal(request.statusCode, 202);
    const approvalId = request.json().id as string;
    const self = await admin1.request({
      method: 'POST',
      url: `/api/v1/approvals/${approvalId}/decision`,
      payload: { approve: true, reason: 'me' + 'me' },
    });
    assert.equal(self.statusCode, 403, 'the requester cannot approve');
    let grants = await t.app.db.kysely
      .selectFrom('role_grants')
      .selectAll()
      .where('staff_id', '=', staffId)
      .execute();
    assert.equal(grants.length, 0);
    const approved = await admin2.request({
      method: 'POST',
      url: `/api/v1/approvals/${approvalId}/decision`,
      payload: { approve: true, reason: 'checked the appointment letter' },
    });
    assert.equal(approved.statusCode, 200, approved.body);
    grants = await t.app.db.kysely
      .selectFrom('role_grants')
      .selectAll()
      .where('staff_id', '=', staffId)
      .execute();
    assert.deepEqual(
      grants.map((g) => g.role),
      ['registrar'],
    );
    const del = await admin1.request({ method: 'DELETE', url: `/api/v1/staff/${staffId}` });
    assert.equal(del.statusCode, 404, 'there is no route that deletes staff');
    const delPerson = await admin1.request({ method: 'DELETE', url: `/api/v1/persons/${staffId}` });
    assert.equal(delPerson.statusCode, 404, 'there is no route that deletes a person');
  });

  it('lets a request expire after 72 hours, and says so', async () => {
    const admin1 = await signedInAgent(t, [{ role: 'admin', regions: '*' }]);
    const target = await signedInAgent(t, [{ role: 'analyst', regions: '*' }]);
    const asked = await admin1.request({
      method: 'POST',
      url: `/api/v1/staff/${target.staffId}/roles`,
      payload: { role: 'registrar', regions: ['VE-A'], reason: 'new duties' },
    });
    const id = asked.json().id as string;
    t.app.advance(73 * 60 * 60 * 1000);
    const admin2 = await signedInAgent(t, [{ role: 'admin', regions: '*' }]);
    const late = await admin2.request({
      method: 'POST',
      url: `/api/v1/approvals/${id}/decision`,
      payload: { approve: true, reason: 'too late now' },
    });
    assert.equal(late.statusCode, 409);
    assert.match(late.json().error.message, /expired/);
    const row = await t.app.db.kysely
      .selectFrom('approvals')
      .select('status')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    assert.equal(row.status, 'expired');
    const grants = await t.app.db.kysely
      .selectFrom('role_grants')
      .selectAll()
      .where('staff_id', '=', target.staffId)
      .where('role', '=', 'registrar')
      .execute();
    assert.equal(grants.length, 0);
  });

  it('disabling an administrator needs a second approver; disabling ends their sessions', async () => {
    const admin1 = await signedInAgent(t, [{ role: 'admin', regions: '*' }]);
    const admin2 = await signedInAgent(t, [{ role: 'admin', regions: '*' }]);
    const target = await signedInAgent(t, [{ role: 'admin', regions: '*' }]);
    const asked = await admin1.request({
      method: 'POST',
      url: `/api/v1/staff/${target.staffId}/disable`,
      payload: { reason: 'left the ministry' },
    });
    assert.equal(asked.statusCode, 202);
    assert.equal(
      (await target.request({ method: 'GET', url: '/api/v1/auth/session' })).statusCode,
      200,
      'still active until approved',
    );
    const approvalId = asked.json().approval.id as string;
    const decided = await admin2.request({
      method: 'POST',
      url: `/api/v1/approvals/${approvalId}/decision`,
      payload: { approve: true, reason: 'confirmed with HR' },
    });
    assert.equal(decided.statusCode, 200, decided.body);
    assert.equal(
      (await target.request({ method: 'GET', url: '/api/v1/auth/session' })).statusCode,
      401,
    );
    const row = await t.app.db.kysely
      .selectFrom('staff')
      .select('status')
      .where('id', '=', target.staffId)
      .executeTakeFirstOrThrow();
    assert.equal(row.status, 'disabled', 'disabled, still there');
  });

  it('taking the admin role away and disabling an auditor need a second approver', async () => {
    const admin1 = await signedInAgent(t, [{ role: 'admin', regions: '*' }]);
    const admin2 = await signedInAgent(t, [{ role: 'admin', regions: '*' }]);
    const target = await signedInAgent(t, [
      { role: 'admin', regions: '*' },
      { role: 'registrar', regions: ['VE-A'] },
    ]);
    const auditor = await signedInAgent(t, [{ role: 'auditor', regions: '*' }]);
    const activeRoles = async (staffId: string) =>
      (
        await t.app.db.kysely
          .selectFrom('role_grants')
          .select('role')
          .where('staff_id', '=', staffId)
          .where('revoked_at', 'is', null)
          .execute()
      )
        .map((g) => g.role)
        .sort();
    const revokeAdmin = `/api/v1/staff/${target.staffId}/roles/admin/revoke`;
    const unexplained = await admin1.request({ method: 'POST', url: revokeAdmin });
    assert.equal(unexplained.statusCode, 400, 'a four-eyes request says why');
    const asked = await admin1.request({
      method: 'POST',
      url: revokeAdmin,
      payload: { reason: 'moved to another ministry' },
    });
    assert.equal(asked.statusCode, 202, asked.body);
    assert.deepEqual(await activeRoles(target.staffId), ['admin', 'registrar'], 'not yet');
    const approvalId = asked.json().approval.id as string;
    const self = await admin1.request({
      method: 'POST',
      url: `/api/v1/approvals/${approvalId}/decision`,
      payload: { approve: true, reason: 'my own request' },
    });
    assert.equal(self.statusCode, 403, 'the requester cannot approve');
    assert.deepEqual(await activeRoles(target.staffId), ['admin', 'registrar']);
    const approved = await admin2.request({
      method: 'POST',
      url: `/api/v1/approvals/${approvalId}/decision`,
      payload: { approve: true, reason: 'confirmed the transfer' },
    });
    assert.equal(approved.statusCode, 200, approved.body);
    assert.deepEqual(await activeRoles(target.staffId), ['registrar']);
    const revokedBy = await t.app.db.kysely
      .selectFrom('role_grants')
      .select('revoked_by')
      .where('staff_id', '=', target.staffId)
      .where('role', '=', 'admin')
      .executeTakeFirstOrThrow();
    assert.equal(revokedBy.revoked_by, admin2.staffId, 'recorded as done by the approver');

    const plain = await admin1.request({
      method: 'POST',
      url: `/api/v1/staff/${target.staffId}/roles/registrar/revoke`,
    });
    assert.equal(plain.statusCode, 200, 'a role that approves nothing ends at once');
    assert.deepEqual(plain.json(), { revoked: true });
    assert.deepEqual(await activeRoles(target.staffId), []);

    const disable = await admin1.request({
      method: 'POST',
      url: `/api/v1/staff/${auditor.staffId}/disable`,
      payload: { reason: 'audit contract ended' },
    });
    assert.equal(disable.statusCode, 202, disable.body);
    assert.equal(
      (await auditor.request({ method: 'GET', url: '/api/v1/auth/session' })).statusCode,
      200,
      'the auditor still works until a second person approves',
    );
    const disabled = await admin2.request({
      method: 'POST',
      url: `/api/v1/approvals/${disable.json().approval.id as string}/decision`,
      payload: { approve: true, reason: 'contract letter seen' },
    });
    assert.equal(disabled.statusCode, 200, disabled.body);
    assert.equal(
      (await auditor.request({ method: 'GET', url: '/api/v1/auth/session' })).statusCode,
      401,
    );
  });

  it('API tokens act within their permissions and regions, and stop when revoked', async () => {
    const admin = await signedInAgent(t, [
      { role: 'admin', regions: '*' },
      { role: 'registrar', regions: ['VE-A'] },
    ]);
    const tooWide = await admin.request({
      method: 'POST',
      url: '/api/v1/tokens',
      payload: { name: 'kiosk', permissions: ['person:search'], regions: ['VE-B'] },
    });
    assert.equal(tooWide.statusCode, 403);
    const made = await admin.request({
      method: 'POST',
      url: '/api/v1/tokens',
      payload: {
        name: 'office scanner',
        permissions: ['person:search'],
        regions: ['VE-A'],
        pointId: 'office-7',
      },
    });
    assert.equal(made.statusCode, 201, made.body);
    const token = made.json().token as string;
    const auth = { authorization: `Bearer ${token}`, 'x-purpose': 'service_delivery' };
    const search = await t.server.inject({
      method: 'GET',
      url: '/api/v1/persons?name=maria',
      headers: auth,
    });
    assert.equal(search.statusCode, 200, search.body);
    const write = await t.server.inject({
      method: 'POST',
      url: '/api/v1/persons',
      headers: auth,
      payload: {},
    });
    assert.equal(write.statusCode, 403, 'the token may only search');
    await admin.request({ method: 'POST', url: `/api/v1/tokens/${made.json().info.id}/revoke` });
    assert.equal(
      (await t.server.inject({ method: 'GET', url: '/api/v1/persons?name=maria', headers: auth }))
        .statusCode,
      401,
    );
    const stored = await t.app.db.kysely.selectFrom('api_tokens').select('token_hash').execute();
    assert.ok(
      stored.every((s) => !s.token_hash.includes(token.slice(4))),
      'only a hash is stored',
    );
  });

  it('records a token’s point of service beside the client address', async () => {
    const admin = await signedInAgent(t, [
      { role: 'admin', regions: '*' },
      { role: 'registrar', regions: ['VE-A'] },
    ]);
    const made = await admin.request({
      method: 'POST',
      url: '/api/v1/tokens',
      payload: {
        name: 'kiosk at office 9',
        permissions: ['person:search'],
        regions: ['VE-A'],
        pointId: 'office-9',
      },
    });
    assert.equal(made.statusCode, 201, made.body);
    const search = await t.server.inject({
      method: 'GET',
      url: '/api/v1/persons?name=maria',
      headers: {
        authorization: `Bearer ${made.json().token as string}`,
        'x-purpose': 'service_delivery',
      },
      remoteAddress: '10.0.0.5',
    });
    assert.equal(search.statusCode, 200, search.body);
    const rows = await t.app.db.kysely
      .selectFrom('audit_log')
      .select('origin')
      .where('actor_id', '=', `token:${made.json().info.id as string}`)
      .execute();
    assert.ok(rows.length > 0, 'the search is audited');
    for (const row of rows) assert.equal(row.origin, 'point:office-9 via 10.0.0.5');
  });

  it('API tokens expire: 90 days by default, as asked at creation, a year at most', async () => {
    const admin = await signedInAgent(t, [
      { role: 'admin', regions: '*' },
      { role: 'registrar', regions: ['VE-A'] },
    ]);
    const create = (name: string, extra: Record<string, unknown> = {}) =>
      admin.request({
        method: 'POST',
        url: '/api/v1/tokens',
        payload: { name, permissions: ['person:search'], regions: ['VE-A'], ...extra },
      });
    const day = 24 * 60 * 60 * 1000;
    const createdAt = t.app.now().getTime();
    const tooLong = await create('for ever', { expiresInDays: 366 });
    assert.equal(tooLong.statusCode, 400, 'no longer than a year');
    const usual = await create('usual scanner');
    assert.equal(usual.statusCode, 201, usual.body);
    const short = await create('one-week pilot', { expiresInDays: 7 });
    assert.equal(short.statusCode, 201, short.body);
    assert.equal(usual.json().info.expiresAt, new Date(createdAt + 90 * day).toISOString());
    assert.equal(short.json().info.expiresAt, new Date(createdAt + 7 * day).toISOString());
    const listed = await admin.request({ method: 'GET', url: '/api/v1/tokens' });
    const items = listed.json<{ items: { id: string; expiresAt: string }[] }>().items;
    assert.equal(
      items.find((i) => i.id === usual.json().info.id)?.expiresAt,
      usual.json().info.expiresAt,
      'the list shows when a token expires',
    );
    const search = (token: string) =>
      t.server.inject({
        method: 'GET',
        url: '/api/v1/persons?name=maria',
        headers: { authorization: `Bearer ${token}`, 'x-purpose': 'service_delivery' },
      });
    const usualToken = usual.json().token as string;
    const shortToken = short.json().token as string;
    assert.equal((await search(shortToken)).statusCode, 200);
    t.app.advance(7 * day);
    assert.equal((await search(shortToken)).statusCode, 401, 'refused once expired');
    assert.equal((await search(usualToken)).statusCode, 200);
    t.app.advance(83 * day - 1000);
    assert.equal((await search(usualToken)).statusCode, 200, 'still valid just before 90 days');
    t.app.advance(1000);
    assert.equal((await search(usualToken)).statusCode, 401, 'refused at 90 days');
  });
});
