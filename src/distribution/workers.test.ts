// Several server processes on one port (`tessera serve --workers 2`), on both engines: clients
// racing on one entitlement from many connections — which the primary hands to different
// processes — still get exactly one delivery, a retried key gets the first answer from whichever
// process serves it, and a worker killed with SIGKILL is replaced while the other goes on
// answering. On SQLite the processes share the file (each transaction takes the write lock
// when it begins); on PostgreSQL each has its own pool.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { after, before, it } from 'node:test';
import { forEachEngine } from '../../test/support/engines';
import { distinctPerson } from '../../test/support/app';
import { signedInAgent, startTestServer, type TestServer } from '../../test/support/http';
import { startServerProcess, type ServerProcess } from '../../test/support/server-process';
import {
  counterFixture,
  enrolDeviceFor,
  foodBoxByDocument,
  operatorGrants,
  type CounterFixture,
  type EnrolledDevice,
} from './test-support';

/** The processes whose parent is `pid`. */
function childrenOf(pid: number): number[] {
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) found.push(Number(name));
    } catch {
      // it ended meanwhile
    }
  }
  return found;
}

async function until(what: string, check: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (await check()) return;
    await new Promise((done) => setTimeout(done, 100));
  }
  assert.fail(`timed out waiting until ${what}`);
}

forEachEngine('several server processes', ({ db, url }) => {
  let t: TestServer;
  let f: CounterFixture;
  let device: EnrolledDevice;
  let server: ServerProcess;
  const count = 4;

  before(async () => {
    t = await startTestServer(db());
    t.app.now = () => new Date();
    const people = Array.from({ length: count }, (_, i) => ({
      ...distinctPerson(`Proceso ${String.fromCharCode(65 + i)}`),
      regionCode: 'VE-A',
    }));
    f = await counterFixture(t.app, people, new Date().toISOString().slice(0, 10));
    const operator = await signedInAgent(t, operatorGrants);
    device = await enrolDeviceFor(t.app, operator, f.pointId);
    server = await startServerProcess({
      databaseUrl: url(),
      env: { TESSERA_WORKERS: '2', TESSERA_RATE_LIMIT_PER_MINUTE: '100000' },
      // Three processes load the code one after the other (the primary, then both workers):
      // on a loaded machine that takes over a minute.
      startTimeoutMs: 240_000,
    });
  });
  after(async () => {
    await server?.stop();
    await t.server.close();
  });

  const body = (i: number) => foodBoxByDocument(f, i, `V-${30000000 + i}`);
  // A connection of its own per request (no keep-alive agent), so that the primary spreads
  // them over the workers.
  const send = (i: number, key: string) =>
    new Promise<{ status: number; json: Record<string, unknown> }>((resolve, reject) => {
      const payload = body(i);
      const req = request(
        `${server.baseUrl()}/api/v1/redemptions`,
        {
          method: 'POST',
          agent: false,
          timeout: 20_000,
          headers: {
            authorization: `Bearer ${device.token}`,
            'x-purpose': 'service_delivery',
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(payload),
            'idempotency-key': key,
          },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => {
            try {
              resolve({
                status: res.statusCode ?? 0,
                json: JSON.parse(text) as Record<string, unknown>,
              });
            } catch (e) {
              reject(e instanceof Error ? e : new Error(String(e)));
            }
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error('timed out')));
      req.on('error', reject);
      req.end(payload);
    });
  // As a device does: a connection lost with a dying process is retried with the same key.
  const sendRetrying = async (i: number, key: string) => {
    const failures: string[] = [];
    for (let attempt = 1; ; attempt++) {
      try {
        return await send(i, key);
      } catch (e) {
        failures.push(
          `${Math.round(performance.now())} ms: ${(e as { code?: string }).code ?? String(e)}`,
        );
        if (attempt >= 10)
          assert.fail(
            `every attempt failed:\n${failures.join('\n')}\nprocesses now: ${childrenOf(server.pid()!).join(', ')}\nserver:\n${server.output()}`,
          );
        await new Promise((done) => setTimeout(done, 200));
      }
    }
  };
  const stored = async (i: number) =>
    (
      await t.app.db.kysely
        .selectFrom('redemptions')
        .select('id')
        .where('cycle_id', '=', f.foodCycleId)
        .where('person_id', '=', f.people[i]!.id)
        .execute()
    ).length;

  it('runs two processes that serve HTTP beside the one that runs the jobs', async () => {
    // /healthz answers once the first listens; the primary says so once both do.
    await until('both processes listen', () => server.output().includes('2 serving HTTP'));
    assert.equal(childrenOf(server.pid()!).length, 2, server.output());
  });

  it('delivers once to clients racing from many connections, and replays a retried key', async () => {
    const answers = await Promise.all(
      Array.from({ length: 16 }, (_, k) => send(0, `workers-race-${k}`)),
    );
    const delivered = answers.filter((a) => a.status === 201);
    assert.equal(delivered.length, 1, JSON.stringify(answers.map((a) => a.status)));
    for (const a of answers)
      if (a.status !== 201) assert.equal(a.status, 409, JSON.stringify(a.json));
    assert.equal(await stored(0), 1);
    const winner = answers.findIndex((a) => a.status === 201);
    const retries = await Promise.all(
      Array.from({ length: 6 }, () => send(0, `workers-race-${winner}`)),
    );
    for (const r of retries) assert.deepEqual(r.json, delivered[0]!.json, 'the first answer');
    assert.equal(await stored(0), 1);
  });

  it('replaces a worker killed with SIGKILL while the other goes on serving', async () => {
    const [victim, survivor] = childrenOf(server.pid()!);
    process.kill(victim!, 'SIGKILL');
    // Once the primary has seen it die (and reaped it), and until the replacement listens,
    // the one left serves every connection.
    await until(
      'the primary has reaped the killed worker',
      () => !childrenOf(server.pid()!).includes(victim!),
    );
    // A connection the primary handed to the dying process before it noticed is reset: the
    // retry, with the same key, reaches the one left.
    const during = await sendRetrying(1, 'workers-after-kill-1');
    assert.equal(during.status, 201, JSON.stringify(during.json));
    await until('a replacement worker runs', () => {
      const now = childrenOf(server.pid()!);
      return now.length === 2 && !now.includes(victim!) && now.includes(survivor!);
    });
    await until('the server answers', async () => {
      const r = await fetch(`${server.baseUrl()}/healthz`).catch(() => null);
      return r?.ok === true;
    });
    const answers = await Promise.all(
      [2, 3].map((i) => sendRetrying(i, `workers-after-kill-${i}`)),
    );
    for (const a of answers) assert.equal(a.status, 201, JSON.stringify(a.json));
    for (const i of [1, 2, 3]) assert.equal(await stored(i), 1);
  });
});
