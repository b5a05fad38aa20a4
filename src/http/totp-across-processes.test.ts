// The real case behind a load balancer: TOTP enrolment started on one server process and
// confirmed on another. Server B is a separate `tessera serve` process on the same database,
// so nothing held in a process's memory can carry the offered secret from A to B.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { forEachEngine } from '../../test/support/engines';
import { freePort } from '../../test/support/local-pg';
import { tesseraProgram } from '../../test/support/program';
import { authenticator, createApp, errorTranslators } from '../app';
import { insertStaff, totpCode } from '../auth';
import { systemActor } from '../shared/access';
import type { AppContext } from '../shared/context';
import { defaultRegions } from '../shared/regions';
import { allRoutes } from '../modules';
import { buildServer } from './server';

const root = new URL('../..', import.meta.url).pathname;
/** How long server B may take to start (tsx compiles on first load). */
const startMsMax = 60_000;

/** Starts `tessera serve` in a child process; resolves once it listens. */
async function startServeProcess(
  databaseUrl: string,
  dataKey: Buffer,
  dataDir: string,
): Promise<{ base: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(process.execPath, [...tesseraProgram(), 'serve'], {
    cwd: root,
    env: {
      ...process.env,
      NODE_TEST_CONTEXT: '',
      TESSERA_DATABASE_URL: databaseUrl,
      TESSERA_DATA_KEY: dataKey.toString('base64'),
      TESSERA_DATA_DIR: dataDir,
      TESSERA_LOG: 'off',
      HOST: '127.0.0.1',
      PORT: String(port),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`serve did not start:\n${output}`)),
      startMsMax,
    );
    const seen = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (output.includes('Tessera is running')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', seen);
    child.stderr?.on('data', seen);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code}:\n${output}`));
    });
  });
  return { base: `http://127.0.0.1:${port}`, child };
}

forEachEngine('TOTP enrolment across two server processes', ({ url }) => {
  const dataKey = randomBytes(32);
  const dataDir = mkdtempSync(join(tmpdir(), 'tessera-serve-b-'));
  let appA: AppContext;
  let serverA: FastifyInstance;
  let b: { base: string; child: ChildProcess };

  before(async () => {
    appA = await createApp({
      databaseUrl: url(),
      config: { regions: defaultRegions, dataKey, statsCellMin: 10 },
    });
    serverA = await buildServer(appA, {
      routes: allRoutes(),
      authenticator: authenticator(),
      errorTranslators: errorTranslators(),
    });
    await serverA.ready();
    b = await startServeProcess(url(), dataKey, dataDir);
  });
  after(async () => {
    // Wait for process B to be gone before its folder is removed: a server still shutting
    // down writes into it, and the removal then fails with ENOTEMPTY (seen once in CI).
    const child = b?.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    await serverA?.close();
    await appA?.db.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('confirms on process B the enrolment that process A started', async () => {
    const username = `dos.procesos${Date.now() % 100000}`;
    const { oneTimePassword } = await appA.db.transaction((trx) =>
      insertStaff(trx, appA, { actor: systemActor('test') }, { username, displayName: username }),
    );
    const signIn = await serverA.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      payload: { username, password: oneTimePassword },
    });
    assert.equal(signIn.statusCode, 200, signIn.body);
    const headers = {
      cookie: String(signIn.headers['set-cookie']).split(';')[0]!,
      'x-csrf-token': signIn.json<{ csrfToken: string }>().csrfToken,
    };
    const started = await serverA.inject({
      method: 'POST',
      url: '/api/v1/auth/second-factor/enrol',
      headers,
    });
    assert.equal(started.statusCode, 200, started.body);
    const { secret } = started.json<{ secret: string }>();

    const confirmed = await fetch(`${b.base}/api/v1/auth/second-factor/confirm`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ code: totpCode(secret, Date.now()) }),
    });
    const body = (await confirmed.json()) as {
      next?: string;
      recoveryCodes?: string[];
      csrfToken?: string;
    };
    assert.equal(confirmed.status, 200, JSON.stringify(body));
    assert.equal(body.next, 'change-password');
    assert.ok((body.recoveryCodes?.length ?? 0) > 0);
    // The confirmed session goes on under the new token and CSRF token that B issued.
    headers.cookie = String(confirmed.headers.get('set-cookie')).split(';')[0]!;
    headers['x-csrf-token'] = String(body.csrfToken);

    const session = await serverA.inject({ method: 'GET', url: '/api/v1/auth/session', headers });
    assert.equal(session.json().next, 'change-password', 'process A sees what B confirmed');
  });
});
