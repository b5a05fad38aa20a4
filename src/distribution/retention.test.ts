// Principle 4 at the counter, on both engines: after a cycle's retention period, what the
// distribution domain kept of each handing-over is reduced to what the person's record needs —
// the month, the quantity and the proof kind, not the point, the device, the minute or the
// document number — and the stored answers of old Idempotency-Keys are cleared. Nothing is
// deleted.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { forEachEngine } from '../../test/support/engines';
import { distinctPerson } from '../../test/support/app';
import { signedInAgent, startTestServer, type TestServer } from '../../test/support/http';
import { closeCycle, reduceExpiredDetail } from '../programs';
import { systemActor } from '../shared/access';
import { reduceDistributionDetail } from './retention';
import { counterFixture, enrolDeviceFor, operatorGrants } from './test-support';

forEachEngine('distribution retention', ({ db }) => {
  let t: TestServer;
  after(async () => {
    await t.server.close();
  });
  before(async () => {
    t = await startTestServer(db());
  });

  it('reduces redemption detail of a cycle past retention, and clears old key answers', async () => {
    const people = [{ ...distinctPerson('Retención Uno'), regionCode: 'VE-A' }];
    const f = await counterFixture(t.app, people, '2026-11-29');
    const operator = await signedInAgent(t, operatorGrants);
    const device = await enrolDeviceFor(t.app, operator, f.pointId);
    const p = f.people[0]!;
    const r = await t.server.inject({
      method: 'POST',
      url: '/api/v1/redemptions',
      payload: {
        entitlementId: f.food(0),
        quantity: 1,
        proof: {
          kind: 'document',
          registryNumber: p.registryNumber,
          birthDate: p.birthDate,
          documentType: 'national_id',
          documentNumber: 'V-9988776',
          reason: 'Cédula vista en el mostrador',
        },
      },
      headers: {
        authorization: `Bearer ${device.token}`,
        'x-purpose': 'service_delivery',
        'idempotency-key': 'retention-1',
      },
    });
    assert.equal(r.statusCode, 201, r.body);
    const system = { actor: systemActor('test') };
    assert.deepEqual(await reduceDistributionDetail(t.app, system), [], 'nothing due yet');
    t.app.advance(2 * 86400_000);
    await closeCycle(t.app, system, f.foodCycleId);
    t.app.advance(31 * 86400_000);
    await reduceExpiredDetail(t.app, system);
    assert.deepEqual(await reduceDistributionDetail(t.app, system), [f.foodCycleId]);
    const row = await t.app.db.kysely
      .selectFrom('redemptions')
      .selectAll()
      .where('cycle_id', '=', f.foodCycleId)
      .executeTakeFirstOrThrow();
    assert.equal(row.person_id, p.id, 'the person still sees they collected');
    assert.equal(row.quantity, 1);
    assert.equal(row.proof_kind, 'document');
    assert.equal(row.point_id, '');
    assert.equal(row.device_id, null);
    assert.equal(row.redeemed_at, '2026-11');
    assert.ok(!row.proof_details.includes('V-9988776'), 'the document number is gone');
    const key = await t.app.db.kysely
      .selectFrom('idempotency_keys')
      .select('response')
      .where('key', '=', 'retention-1')
      .executeTakeFirstOrThrow();
    assert.equal(key.response, null);
    assert.deepEqual(await reduceDistributionDetail(t.app, system), [], 'once only');
  });
});
