// A request whose database connection was lost (a failover, a restart) is answered 503
// DATABASE_UNAVAILABLE with Retry-After, in words that tell the client to send it again;
// anything else unexpected stays a 500 that says nothing of the inside.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import Fastify from 'fastify';
import { errorHandler } from './errors';

async function serverThrowing(error: Error) {
  const server = Fastify({ logger: false });
  server.setErrorHandler(errorHandler([]));
  server.get('/x', async () => {
    throw error;
  });
  await server.ready();
  return server;
}

it('answers 503 with Retry-After when the connection was lost under the request', async () => {
  const lost = Object.assign(new Error('terminating connection due to administrator command'), {
    code: '57P01',
  });
  const server = await serverThrowing(lost);
  const r = await server.inject({ method: 'GET', url: '/x' });
  assert.equal(r.statusCode, 503);
  assert.equal(r.headers['retry-after'], '1');
  assert.equal(r.json().error.code, 'DATABASE_UNAVAILABLE');
  assert.match(r.json().error.message, /same Idempotency-Key/);
  assert.doesNotMatch(r.body, /administrator command/, 'no internal message leaves the server');
  await server.close();
});

it('keeps any other failure a 500', async () => {
  const server = await serverThrowing(new Error('invariant violated: boom'));
  const r = await server.inject({ method: 'GET', url: '/x' });
  assert.equal(r.statusCode, 500);
  assert.equal(r.json().error.code, 'INTERNAL');
  await server.close();
});
