// Four-eyes compares people, not credentials. The attack found from outside: an administrator
// makes an API token, the token files a request (a role grant, an export), and the same
// administrator's session — or a second token of theirs — approves it. Every combination of
// session and token of one person is refused; a different person approves.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { InjectOptions } from 'fastify';
import { forEachEngine } from '../../test/support/engines';
import {
  signedInAgent,
  startTestServer,
  type Agent,
  type TestServer,
} from '../../test/support/http';

/** Sends requests as one credential of a person: their session, or one of their tokens. */
type Credential = { name: string; send: (o: InjectOptions) => ReturnType<Agent['request']> };

forEachEngine('four-eyes compares the person behind a session or token', ({ db }) => {
  let t: TestServer;
  let admin: Agent;
  let other: Agent;
  before(async () => {
    t = await startTestServer(db());
    admin = await signedInAgent(t, [{ role: 'admin', regions: '*' }]);
    other = await signedInAgent(t, [{ role: 'admin', regions: '*' }]);
  });
  after(async () => t.server.close());

  async function tokenOf(agent: Agent, name: string): Promise<Credential> {
    const made = await agent.request({
      method: 'POST',
      url: '/api/v1/tokens',
      payload: {
        name,
        permissions: ['staff:manage', 'approval:decide', 'approval:read'],
        regions: '*',
      },
    });
    assert.equal(made.statusCode, 201, made.body);
    const token = made.json<{ token: string }>().token;
    return {
      name,
      send: (o) =>
        t.server.inject({
          ...o,
          headers: { ...(o.headers ?? {}), authorization: `Bearer ${token}` },
        } as InjectOptions),
    };
  }
  const sessionOf = (agent: Agent, name: string): Credential => ({
    name,
    send: (o) => agent.request(o),
  });

  let n = 0;
  /** Files a role grant for a fresh staff member; returns the approval id and the staff id. */
  async function fileGrant(as: Credential): Promise<{ approvalId: string; staffId: string }> {
    const created = await admin.request({
      method: 'POST',
      url: '/api/v1/staff',
      payload: { username: `objetivo${++n}x${Date.now() % 1000}`, displayName: 'Target' },
    });
    assert.equal(created.statusCode, 201, created.body);
    const staffId = created.json<{ account: { id: string } }>().account.id;
    const request = await as.send({
      method: 'POST',
      url: `/api/v1/staff/${staffId}/roles`,
      payload: { role: 'registrar', regions: '*', reason: 'grant myself the whole registry' },
    });
    assert.equal(request.statusCode, 202, `${as.name}: ${request.body}`);
    return { approvalId: request.json<{ id: string }>().id, staffId };
  }
  const decide = (as: Credential, approvalId: string) =>
    as.send({
      method: 'POST',
      url: `/api/v1/approvals/${approvalId}/decision`,
      payload: { approve: true, reason: 'looks fine to me' },
    });
  const grantsOf = async (staffId: string) =>
    (
      await t.app.db.kysely
        .selectFrom('role_grants')
        .select('id')
        .where('staff_id', '=', staffId)
        .execute()
    ).length;

  it('refuses the same person however they authenticate, on both sides', async () => {
    const session = sessionOf(admin, 'session');
    const tokenA = await tokenOf(admin, 'token A');
    const tokenB = await tokenOf(admin, 'token B');
    const pairs: [Credential, Credential][] = [
      [session, session],
      [tokenA, session],
      [session, tokenA],
      [tokenA, tokenA],
      [tokenA, tokenB],
    ];
    for (const [requester, approver] of pairs) {
      const { approvalId, staffId } = await fileGrant(requester);
      const refused = await decide(approver, approvalId);
      assert.equal(
        refused.statusCode,
        403,
        `${requester.name} → ${approver.name} must be refused: ${refused.body}`,
      );
      assert.equal(refused.json().error.code, 'FORBIDDEN');
      assert.equal(await grantsOf(staffId), 0, `${requester.name} → ${approver.name} granted`);
    }
  });

  it('lets a different person approve, by session or by token', async () => {
    const tokenA = await tokenOf(admin, 'token A2');
    const first = await fileGrant(tokenA);
    const bySession = await decide(sessionOf(other, 'other session'), first.approvalId);
    assert.equal(bySession.statusCode, 200, bySession.body);
    assert.equal(await grantsOf(first.staffId), 1);
    const second = await fileGrant(sessionOf(admin, 'session'));
    const byToken = await decide(await tokenOf(other, 'other token'), second.approvalId);
    assert.equal(byToken.statusCode, 200, byToken.body);
    assert.equal(await grantsOf(second.staffId), 1);
  });

  it('records the person as the requester, and the token in the audit log', async () => {
    const tokenA = await tokenOf(admin, 'token A3');
    const { approvalId } = await fileGrant(tokenA);
    const row = await t.app.db.kysely
      .selectFrom('approvals')
      .select('requested_by')
      .where('id', '=', approvalId)
      .executeTakeFirstOrThrow();
    assert.equal(row.requested_by, admin.staffId);
    const audit = await t.app.db.kysely
      .selectFrom('audit_log')
      .select('actor_id')
      .where('operation', '=', 'approval.request')
      .orderBy('at', 'desc')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    assert.match(
      audit.actor_id ?? '',
      /^token:/,
      'the audit log still says which credential acted',
    );
  });
});
