import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { forEachEngine } from '../../test/support/engines';
import { startServerBeside, startTestServer, type TestServer } from '../../test/support/http';
import { insertStaff, totpCode } from '../auth';
import { systemActor } from '../shared/access';

// TOTP enrolment is two requests; behind a load balancer they can reach different server
// processes, so the offered secret must be in the database that all of them share.
forEachEngine('TOTP enrolment across server processes', ({ db, url }) => {
  let a: TestServer;
  let b: TestServer;
  before(async () => {
    a = await startTestServer(db());
    b = await startServerBeside(a, url());
  });
  after(async () => {
    await b.server.close();
    await a.server.close();
  });

  let counter = 0;
  /** New staff signed in with their one-time password on server A: enrolment comes next. */
  async function halfSignedIn() {
    const username = `enrol${++counter}`;
    const { account, oneTimePassword } = await a.app.db.transaction((trx) =>
      insertStaff(trx, a.app, { actor: systemActor('test') }, { username, displayName: username }),
    );
    const signIn = await a.server.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      payload: { username, password: oneTimePassword },
    });
    assert.equal(signIn.statusCode, 200, signIn.body);
    assert.equal(signIn.json().next, 'enrol-second-factor');
    const headers = {
      cookie: String(signIn.headers['set-cookie']).split(';')[0]!,
      'x-csrf-token': signIn.json<{ csrfToken: string }>().csrfToken,
    };
    const on = (server: FastifyInstance, options: InjectOptions) =>
      server.inject({ ...options, headers } as InjectOptions);
    return {
      staffId: account.id,
      enrol: (server: FastifyInstance) =>
        on(server, { method: 'POST', url: '/api/v1/auth/second-factor/enrol' }),
      confirm: async (server: FastifyInstance, code: string) => {
        const confirmed = await on(server, {
          method: 'POST',
          url: '/api/v1/auth/second-factor/confirm',
          payload: { code },
        });
        // A confirmed session goes on under its new token and CSRF token.
        if (confirmed.statusCode === 200) {
          headers.cookie = String(confirmed.headers['set-cookie']).split(';')[0]!;
          headers['x-csrf-token'] = confirmed.json<{ csrfToken: string }>().csrfToken;
        }
        return confirmed;
      },
      session: (server: FastifyInstance) =>
        on(server, { method: 'GET', url: '/api/v1/auth/session' }),
    };
  }
  const codeFor = (secret: string) => totpCode(secret, a.app.now().getTime());

  it('confirms on one server an enrolment started on another', async () => {
    const staff = await halfSignedIn();
    const started = await staff.enrol(a.server);
    assert.equal(started.statusCode, 200, started.body);
    const { secret } = started.json<{ secret: string }>();
    const stored = await a.app.db.kysely
      .selectFrom('totp_enrolments')
      .selectAll()
      .where('staff_id', '=', staff.staffId)
      .execute();
    assert.equal(stored.length, 1, 'the offered secret is in the shared database');
    assert.match(stored[0]!.secret ?? '', /^v1\./);
    assert.ok(!stored[0]!.secret?.includes(secret), 'sealed, not in clear');
    const confirmed = await staff.confirm(b.server, codeFor(secret));
    assert.equal(confirmed.statusCode, 200, confirmed.body);
    assert.equal(confirmed.json().next, 'change-password');
    assert.equal(confirmed.json().recoveryCodes.length > 0, true);
    for (const server of [a.server, b.server])
      assert.equal((await staff.session(server)).json().next, 'change-password');
    const again = await staff.confirm(a.server, codeFor(secret));
    assert.equal(again.statusCode, 409, 'an enrolment is confirmed once');
    assert.equal(again.json().error.code, 'INVALID_STATE');
  });

  it('keeps a confirmed enrolment as a used row without its secret', async () => {
    const staff = await halfSignedIn();
    const { secret } = (await staff.enrol(a.server)).json<{ secret: string }>();
    assert.equal((await staff.confirm(b.server, codeFor(secret))).statusCode, 200);
    const row = await a.app.db.kysely
      .selectFrom('totp_enrolments')
      .selectAll()
      .where('staff_id', '=', staff.staffId)
      .executeTakeFirstOrThrow();
    assert.equal(row.used_at, a.app.now().toISOString());
    assert.equal(row.secret, null, 'the staff row holds the secret now');
  });

  it('refuses a confirmation more than 10 minutes after enrolment started', async () => {
    const staff = await halfSignedIn();
    const { secret } = (await staff.enrol(a.server)).json<{ secret: string }>();
    a.app.advance(10 * 60 * 1000 + 1000);
    const late = await staff.confirm(b.server, codeFor(secret));
    assert.equal(late.statusCode, 409, late.body);
    assert.equal(late.json().error.code, 'INVALID_STATE');
    assert.match(late.json().error.message, /expires after 10 minutes/);
    assert.equal((await staff.session(b.server)).json().next, 'enrol-second-factor');
    const restarted = (await staff.enrol(b.server)).json<{ secret: string }>();
    assert.equal((await staff.confirm(a.server, codeFor(restarted.secret))).statusCode, 200);
  });

  it('refuses a confirmation when enrolment was never started', async () => {
    const staff = await halfSignedIn();
    const never = await staff.confirm(b.server, '123456');
    assert.equal(never.statusCode, 409, never.body);
    assert.equal(never.json().error.code, 'INVALID_STATE');
    assert.equal((await staff.session(a.server)).json().next, 'enrol-second-factor');
  });

  it('starting again replaces the offered secret', async () => {
    const staff = await halfSignedIn();
    const first = (await staff.enrol(a.server)).json<{ secret: string }>();
    const second = (await staff.enrol(b.server)).json<{ secret: string }>();
    assert.notEqual(first.secret, second.secret);
    const old = await staff.confirm(a.server, codeFor(first.secret));
    assert.equal(old.statusCode, 400, 'the first secret is no longer offered');
    assert.equal(old.json().error.code, 'VALIDATION_FAILED');
    assert.equal((await staff.confirm(b.server, codeFor(second.secret))).statusCode, 200);
  });
});
