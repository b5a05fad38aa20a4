// Finding 15: a `..` in a path under /docs/static answered 500 and logged a stack trace. It
// is a 404 with the standard error body now, and nothing is logged as an error. Sent over a
// real socket: server.inject normalises `..` away before the server sees it.
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createTestDatabase } from '../../test/support/engines';
import { startTestServer, type TestServer } from '../../test/support/http';

/** GET with the path exactly as written (no client-side normalisation). */
function rawGet(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('path traversal under /docs/static', () => {
  let t: TestServer;
  let dispose: () => Promise<void>;
  let port: number;
  let log = '';
  before(async () => {
    const made = await createTestDatabase('sqlite');
    dispose = made.dispose;
    t = await startTestServer(made.db, {
      logStream: {
        write: (line) => {
          log += line;
        },
      },
    });
    await t.server.listen({ host: '127.0.0.1', port: 0 });
    port = (t.server.server.address() as AddressInfo).port;
  });
  after(async () => {
    await t.server.close();
    await dispose();
  });

  it('answers 404 with the standard body, and logs no error', async () => {
    const paths = [
      '/docs/static/../../package.json',
      '/docs/static/%2e%2e/%2e%2e/etc/passwd',
      '/docs/static/..%2f..%2fpackage.json',
      '/docs/static/%2E%2E%2F%2E%2E%2Fpackage.json',
      '/docs/static/..\\..\\package.json',
      '/docs/static/%2e%2e%5c%2e%2e%5cpackage.json',
      '/docs/static/..',
    ];
    for (const path of paths) {
      const response = await rawGet(port, path);
      assert.equal(response.status, 404, `${path}: ${response.body}`);
      const body = JSON.parse(response.body) as { error: { code: string; message: string } };
      assert.equal(body.error.code, 'NOT_FOUND', path);
      assert.deepEqual(Object.keys(body), ['error']);
      assert.ok(!response.body.includes('"name"'), path);
    }
    const malformed = await rawGet(port, '/docs/static/%e0%a4%a');
    assert.equal(malformed.status, 400);
    assert.equal(
      (JSON.parse(malformed.body) as { error: { code: string } }).error.code,
      'BAD_REQUEST',
    );
    const entries = log
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { level: number; msg: string });
    assert.ok(entries.length > 0, 'requests were logged');
    const errors = entries.filter((e) => e.level >= 40);
    assert.deepEqual(errors, [], 'no warning or error logged');
    assert.ok(!log.includes('stack'), 'no stack trace logged');
  });

  it('still serves the documentation', async () => {
    const css = await rawGet(port, '/docs/static/swagger-ui.css');
    assert.equal(css.status, 200);
    const page = await rawGet(port, '/docs');
    assert.equal(page.status, 200);
  });
});
