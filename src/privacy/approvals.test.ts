import assert from 'node:assert/strict';
import { it } from 'node:test';
import { z } from 'zod';
import { forEachEngine } from '../../test/support/engines';
import { staff, testApp } from '../../test/support/app';
import { approvalExecutor } from '../shared/context';
import { DomainError } from '../shared/errors';
import { decideApproval, getApproval, listApprovals, requestApproval } from './approvals';

/** An app whose `person.deactivate` executor only records the payloads it was given. */
function appWithExecutor(db: Parameters<typeof testApp>[0]) {
  const app = testApp(db);
  const ran: { personId: string; reason: string }[] = [];
  app.approvalExecutors['person.deactivate'] = approvalExecutor(
    z.object({ personId: z.string(), reason: z.string() }),
    async (_trx, _app, request) => {
      ran.push(request.payload);
      return { deactivated: request.payload.personId };
    },
  );
  return { app, ran };
}

forEachEngine('four-eyes approvals', ({ db }) => {
  const requester = staff('admin');
  const decider = staff('auditor');

  it('hands the executor the payload parsed with its schema', async () => {
    const { app, ran } = appWithExecutor(db());
    const filed = await requestApproval(app, requester, {
      operation: 'person.deactivate',
      payload: { personId: 'p-1', reason: 'enrolled twice' },
      reason: 'enrolled twice',
    });
    const decided = await decideApproval(app, decider, filed.id, {
      approve: true,
      reason: 'checked both records',
    });
    assert.deepEqual(ran, [{ personId: 'p-1', reason: 'enrolled twice' }]);
    assert.deepEqual(decided.result, { deactivated: 'p-1' });
    assert.deepEqual((await getApproval(app, decider, filed.id)).payload, {
      personId: 'p-1',
      reason: 'enrolled twice',
    });
  });

  it('refuses to file a payload its executor would not accept', async () => {
    const { app } = appWithExecutor(db());
    await assert.rejects(
      requestApproval(app, requester, {
        operation: 'person.deactivate',
        payload: { personId: 7 },
        reason: 'enrolled twice',
      }),
      /invariant violated: the payload of person.deactivate does not fit/,
    );
  });

  it('refuses to run a stored payload that no longer fits, naming the request; it can still be rejected', async () => {
    const { app, ran } = appWithExecutor(db());
    const filed = await requestApproval(app, requester, {
      operation: 'person.deactivate',
      payload: { personId: 'p-2', reason: 'fraud' },
      reason: 'fraudulent record',
    });
    await db()
      .kysely.updateTable('approvals')
      .set({ payload: JSON.stringify({ personId: ['p-2'], reason: 'fraud' }) })
      .where('id', '=', filed.id)
      .execute();
    await assert.rejects(
      decideApproval(app, decider, filed.id, { approve: true, reason: 'looks right' }),
      (e: unknown) =>
        e instanceof DomainError &&
        e.code === 'INVALID_STATE' &&
        e.field === 'payload.personId' &&
        e.message.includes(filed.id) &&
        e.details?.approvalId === filed.id,
    );
    assert.deepEqual(ran, []);
    assert.equal((await getApproval(app, decider, filed.id)).status, 'pending');
    const rejected = await decideApproval(app, decider, filed.id, {
      approve: false,
      reason: 'the request is damaged',
    });
    assert.equal(rejected.status, 'rejected');
  });

  it('names a request whose stored payload or result is not a JSON object', async () => {
    const { app } = appWithExecutor(db());
    const filed = await requestApproval(app, requester, {
      operation: 'person.deactivate',
      payload: { personId: 'p-3', reason: 'fraud' },
      reason: 'fraudulent record',
    });
    const approvals = db().kysely.updateTable('approvals').where('id', '=', filed.id);
    await approvals.set({ payload: '["p-3"]' }).execute();
    const named = new RegExp(`approval ${filed.id} has a payload that is not a JSON object`);
    await assert.rejects(getApproval(app, decider, filed.id), named);
    await assert.rejects(listApprovals(app, decider), named);
    await assert.rejects(
      decideApproval(app, decider, filed.id, { approve: true, reason: 'looks right' }),
      named,
    );
    await approvals.set({ payload: '{"personId":"p-3","reason":"fraud"}', result: '{' }).execute();
    await assert.rejects(
      getApproval(app, decider, filed.id),
      new RegExp(`approval ${filed.id} has a result that is not a JSON object`),
    );
    await approvals.set({ status: 'rejected', result: null }).execute();
  });
});
