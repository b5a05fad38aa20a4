// The HTTP gateway against a loopback HTTP server this test starts: each message arrives as
// signed JSON (the test checks the signature itself), a non-2xx answer is retried, and the
// gateway's signed JSON Lines of receipts and inbound texts are taken by
// POST /api/v1/notices/receipts — refused, changing nothing, when unsigned, wrongly signed or
// malformed.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, it } from 'node:test';
import { distinctPerson } from '../../test/support/app';
import { forEachEngine } from '../../test/support/engines';
import { startTestServer, type TestServer } from '../../test/support/http';
import { enrolPerson } from '../registry';
import { systemActor } from '../shared/access';
import { useNoticeService } from './gateway';
import { checkSignature, httpGateway, signBody } from './gateway-http';
import { enqueueNotice } from './outbox';
import { drainOutbox } from './sender';

const secret = 'loopback-shared-secret';

forEachEngine('notices HTTP gateway', ({ db }) => {
  let t: TestServer;
  let http: Server;
  let url = '';
  let personId: string;
  const received: { body: string; signature: string; valid: boolean }[] = [];
  let answer = 200;

  before(async () => {
    t = await startTestServer(db());
    personId = (
      await enrolPerson(t.app, { actor: systemActor('test') }, distinctPerson('Http Receptora'))
    ).id;
    http = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const signature = String(req.headers['x-tessera-signature'] ?? '');
        // The test verifies the signature by itself, as a gateway would.
        const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(signature);
        const valid =
          !!m && createHmac('sha256', secret).update(`${m[1]}.${body}`).digest('hex') === m[2];
        received.push({ body, signature, valid });
        res.statusCode = answer;
        res.setHeader('content-type', 'application/json');
        const id = (JSON.parse(body) as { id: string }).id;
        res.end(answer === 200 ? JSON.stringify({ messageId: `gw-${id}` }) : '{"error":"busy"}');
      });
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/sms`;
    useNoticeService(
      t.app,
      {
        gateway: 'http',
        httpUrl: url,
        httpSecret: () => secret,
        ratePerSecond: 1000,
        retryBaseSeconds: 5,
      },
      httpGateway({ url, secret: () => secret, timeoutMs: 5000, now: () => t.app.now() }),
    );
  });
  after(async () => {
    await new Promise<void>((resolve) => http.close(() => resolve()));
    await t.server.close();
  });

  const row = (id: string) =>
    t.app.db.kysely
      .selectFrom('notice_outbox')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
  const postReceipts = (body: string, signature?: string) =>
    t.server.inject({
      method: 'POST',
      url: '/api/v1/notices/receipts',
      payload: body,
      headers: {
        'content-type': 'application/x-ndjson',
        ...(signature ? { 'x-tessera-signature': signature } : {}),
      },
    });
  const nowSeconds = () => Math.floor(t.app.now().getTime() / 1000);

  it('posts each message as signed JSON, retries a non-2xx answer, and records the gateway’s id', async () => {
    answer = 503;
    const id = await t.app.db.transaction((trx) =>
      enqueueNotice(trx, t.app, personId, 'portal_code', { code: '135790' }),
    );
    assert.equal((await drainOutbox(t.app)).retried, 1);
    assert.equal((await row(id)).status, 'queued');
    assert.match((await row(id)).last_error ?? '', /503/);
    answer = 200;
    t.app.advance(5_000);
    assert.equal((await drainOutbox(t.app)).sent, 1);
    const last = received.at(-1)!;
    assert.ok(last.valid, `signature ${last.signature} verifies`);
    const body = JSON.parse(last.body) as Record<string, unknown>;
    assert.deepEqual(Object.keys(body), ['id', 'to', 'text', 'encoding', 'parts']);
    assert.equal(body.id, id, 'the outbox id: the gateway can drop a repeat');
    assert.match(String(body.text), /135790/);
    assert.equal((await row(id)).status, 'sent');
    assert.equal(received.filter((r) => JSON.parse(r.body).id === id).length, 2);
  });

  it('takes a signed receipt: delivered; refuses unsigned, wrongly signed and malformed ones', async () => {
    const id = await t.app.db.transaction((trx) =>
      enqueueNotice(trx, t.app, personId, 'card_ready', { office: 'Chacao' }),
    );
    await drainOutbox(t.app);
    const line = JSON.stringify({ messageId: `gw-${id}`, status: 'delivered' }) + '\n';
    const unsigned = await postReceipts(line);
    assert.equal(unsigned.statusCode, 403);
    const wrong = await postReceipts(line, signBody('another secret', line, nowSeconds()));
    assert.equal(wrong.statusCode, 403);
    const old = await postReceipts(line, signBody(secret, line, nowSeconds() - 3600));
    assert.equal(old.statusCode, 403);
    assert.match(old.json().error.message, /too old/);
    const bad = 'not json\n';
    const malformed = await postReceipts(line + bad, signBody(secret, line + bad, nowSeconds()));
    assert.equal(malformed.statusCode, 400);
    assert.equal(malformed.json().error.field, 'line 2');
    assert.equal((await row(id)).status, 'sent', 'nothing was applied');
    const ok = await postReceipts(line, signBody(secret, line, nowSeconds()));
    assert.equal(ok.statusCode, 200, ok.body);
    assert.deepEqual(ok.json(), { receipts: 1, matched: 1, inbound: 0 });
    const delivered = await row(id);
    assert.equal(delivered.status, 'delivered');
    assert.ok(delivered.delivered_at);
  });

  it('stores an inbound text posted by the gateway', async () => {
    const line = JSON.stringify({ inbound: { from: '+584121234567', text: 'RECLAMO ABC' } });
    const r = await postReceipts(line, signBody(secret, line, nowSeconds()));
    assert.equal(r.statusCode, 200, r.body);
    assert.equal(r.json().inbound, 1);
    const stored = await t.app.db.kysely
      .selectFrom('notice_inbound')
      .selectAll()
      .where('text', '=', 'RECLAMO ABC')
      .executeTakeFirstOrThrow();
    assert.equal(stored.gateway, 'http');
    assert.equal(Number(stored.handled), 0);
  });

  it('checks signatures in constant form: t and v1, within five minutes', () => {
    const body = '{"a":1}';
    const now = 1_800_000_000;
    assert.deepEqual(checkSignature(secret, body, signBody(secret, body, now), now), { ok: true });
    assert.equal(checkSignature(secret, body, 'v1=abc', now).ok, false);
    assert.equal(checkSignature(secret, body + ' ', signBody(secret, body, now), now).ok, false);
    assert.equal(checkSignature(secret, body, signBody(secret, body, now - 301), now).ok, false);
  });
});
