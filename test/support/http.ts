// In-process HTTP tests: a server over a test database, and staff signed in the way a
// person does it (password, TOTP enrolment with a real code, new password).
import type { FastifyInstance, InjectOptions } from 'fastify';
import { insertGrant, insertStaff } from '../../src/auth';
import { systemActor, type RoleGrant } from '../../src/shared/access';
import { totpCode } from '../../src/auth';
import { authenticator, createApp, errorTranslators, wireDomains } from '../../src/app';
import type { Database } from '../../src/db';
import { allRoutes } from '../../src/modules';
import { buildServer, type ServerOptions } from '../../src/http/server';
import type { AppContext } from '../../src/shared/context';
import { testApp } from './app';

/** A server and its application context. */
export interface TestServer {
  app: AppContext & { advance(ms: number): void };
  server: FastifyInstance;
}

/** Builds the whole API over a test database (with extra server options, such as a log). */
export async function startTestServer(
  db: Database,
  options: Partial<ServerOptions> = {},
): Promise<TestServer> {
  const app = testApp(db);
  wireDomains(app);
  const server = await buildServer(app, {
    routes: allRoutes(),
    authenticator: authenticator(),
    errorTranslators: errorTranslators(),
    rateLimitMultiplier: 1000,
    ...options,
  });
  await server.ready();
  return { app, server };
}

/**
 * A second server on the database at `databaseUrl`, as another process would run it: its own
 * connection and context, built by createApp. It shares with `first` only the data key (as the
 * processes of one deployment do) and the clock (so that a test moves both). Closing the server
 * closes its connection.
 */
export async function startServerBeside(
  first: TestServer,
  databaseUrl: string,
): Promise<TestServer> {
  const made = await createApp({ databaseUrl, config: first.app.config });
  const app = Object.assign(made, { now: first.app.now, advance: first.app.advance });
  const server = await buildServer(app, {
    routes: allRoutes(),
    authenticator: authenticator(),
    errorTranslators: errorTranslators(),
    rateLimitMultiplier: 1000,
  });
  server.addHook('onClose', async () => app.db.close());
  await server.ready();
  return { app, server };
}

/** A signed-in staff member: sends requests with their cookie and CSRF token. */
export interface Agent {
  staffId: string;
  username: string;
  password: string;
  totpSecret: string;
  request(
    options: InjectOptions & { purpose?: string },
  ): Promise<import('light-my-request').Response>;
}

let counter = 0;

/** Creates staff with the grants (directly, as the bootstrap does) and signs them in over HTTP. */
export async function signedInAgent(
  t: TestServer,
  grants: RoleGrant[],
  username = `user${++counter}${Date.now() % 100000}`,
): Promise<Agent> {
  const caller = { actor: systemActor('test') };
  const { account, oneTimePassword } = await t.app.db.transaction(async (trx) => {
    const made = await insertStaff(trx, t.app, caller, { username, displayName: username });
    for (const g of grants)
      await insertGrant(trx, t.app, caller, made.account.id, g.role, g.regions);
    return made;
  });
  let cookie = '';
  let csrf = '';
  const send = async (options: InjectOptions & { purpose?: string }) => {
    const { purpose, ...rest } = options;
    const headers = {
      ...(cookie ? { cookie } : {}),
      ...(csrf ? { 'x-csrf-token': csrf } : {}),
      ...(purpose ? { 'x-purpose': purpose } : {}),
      ...(rest.headers ?? {}),
    };
    return t.server.inject({ ...rest, headers } as InjectOptions);
  };
  const signIn = await send({
    method: 'POST',
    url: '/api/v1/auth/sign-in',
    payload: { username, password: oneTimePassword },
  });
  if (signIn.statusCode !== 200) throw new Error(`sign-in failed: ${signIn.body}`);
  cookie = String(signIn.headers['set-cookie']).split(';')[0]!;
  csrf = signIn.json<{ csrfToken: string }>().csrfToken;
  const enrol = await send({ method: 'POST', url: '/api/v1/auth/second-factor/enrol' });
  const { secret } = enrol.json<{ secret: string }>();
  const confirm = await send({
    method: 'POST',
    url: '/api/v1/auth/second-factor/confirm',
    payload: { code: totpCode(secret, t.app.now().getTime()) },
  });
  if (confirm.statusCode !== 200) throw new Error(`TOTP confirmation failed: ${confirm.body}`);
  // Confirming gives the session a new token and CSRF token; the first ones have ended.
  cookie = String(confirm.headers['set-cookie']).split(';')[0]!;
  csrf = confirm.json<{ csrfToken: string }>().csrfToken;
  const password = `tinaja verde ${counter} río lejano`;
  const change = await send({
    method: 'POST',
    url: '/api/v1/auth/password',
    payload: { currentPassword: oneTimePassword, newPassword: password },
  });
  if (change.statusCode !== 200) throw new Error(`password change failed: ${change.body}`);
  return { staffId: account.id, username, password, totpSecret: secret, request: send };
}
