// Several server processes on one port (`tessera serve --workers 2`), on both engines: clients
// racing on one entitlement from many connections — which the primary hands to different
// processes — still get exactly one delivery, and a retried key gets the first answer from
// whichever process serves it. (Replacing a worker killed with SIGKILL is not tested here yet:
// in 3 runs of 7 the port then refused connections for seconds; see the README.) On SQLite the processes share the file (each transaction takes the write lock
// when it begins); on PostgreSQL each has its own pool.
import assert from 'node:assert/strict';
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
  const stored = async (i: number) =>
    (
      await t.app.db.kysely
        .selectFrom('redemptions')
        .select('id')
        .where('cycle_id', '=', f.foodCycleId)
        .where('person_id', '=', f.people[i]!.id)
        .execute()
    ).length;

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
});
