// What a point of service holds and hands over, on both engines, over HTTP: stock received and
// adjusted per cycle, delivered from its redemptions, and a point that delivered more than it
// received shown as overdrawn — to its region's programme administrators and nationally, never
// by refusing anyone at the counter; and the day's redemption log, read only with a purpose,
// audited with each person shown, by an operator only at their own point, paged.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { distinctPerson } from '../../test/support/app';
import { forEachEngine } from '../../test/support/engines';
import {
  signedInAgent,
  startTestServer,
  type Agent,
  type TestServer,
} from '../../test/support/http';
import { systemActor } from '../shared/access';
import { createPoint, setPointOperator } from './points';
import {
  counterFixture,
  enrolDeviceFor,
  operatorGrants,
  type CounterFixture,
  type EnrolledDevice,
} from './test-support';

forEachEngine('point stock and redemption log', ({ db }) => {
  let t: TestServer;
  let f: CounterFixture;
  let operator: Agent;
  let otherOperator: Agent;
  let adminA: Agent;
  let adminM: Agent;
  let national: Agent;
  let auditor: Agent;
  let device: EnrolledDevice;
  let keys = 0;
  const system = { actor: systemActor('test') };

  const stockOf = async (agent: Agent, cycleId = f.foodCycleId) => {
    const r = await agent.request({
      method: 'GET',
      url: `/api/v1/points/${f.pointId}/stock?cycleId=${cycleId}`,
    });
    assert.equal(r.statusCode, 200, r.body);
    return r.json().items[0] as {
      received: number;
      adjusted: number;
      delivered: number;
      left: number;
      overdrawn: boolean;
      movements: { kind: string; quantity: number; reference: string }[];
    };
  };
  const record = (agent: Agent, payload: Record<string, unknown>) =>
    agent.request({ method: 'POST', url: `/api/v1/points/${f.pointId}/stock`, payload });
  const redeem = async (i: number, entitlement = f.food(i)) => {
    const r = await t.server.inject({
      method: 'POST',
      url: '/api/v1/redemptions',
      headers: {
        authorization: `Bearer ${device.token}`,
        'x-purpose': 'service_delivery',
        'idempotency-key': `records-${process.pid}-${++keys}`,
      },
      payload: {
        entitlementId: entitlement,
        quantity: 1,
        proof: {
          kind: 'document',
          registryNumber: f.people[i]!.registryNumber,
          birthDate: f.people[i]!.birthDate,
          documentType: 'national_id',
          documentNumber: `V-${13000000 + i}`,
          reason: 'Cédula vista en el mostrador',
        },
      },
    });
    assert.equal(r.statusCode, 201, r.body);
    return r.json();
  };
  const movementCount = async () =>
    Number(
      (
        await t.app.db.kysely
          .selectFrom('stock_movements')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  before(async () => {
    t = await startTestServer(db());
    const people = Array.from({ length: 6 }, (_, i) => ({
      ...distinctPerson(`Vecina ${String.fromCharCode(65 + i)}`),
    }));
    f = await counterFixture(t.app, people, '2026-11-29');
    operator = await signedInAgent(t, operatorGrants);
    otherOperator = await signedInAgent(t, operatorGrants);
    adminA = await signedInAgent(t, [{ role: 'programme_admin', regions: ['VE-A'] }]);
    adminM = await signedInAgent(t, [{ role: 'programme_admin', regions: ['VE-M'] }]);
    national = await signedInAgent(t, [{ role: 'programme_admin', regions: '*' }]);
    auditor = await signedInAgent(t, [{ role: 'auditor', regions: ['VE-A'] }]);
    device = await enrolDeviceFor(t.app, operator, f.pointId);
    // The other operator works at another depot of the same region.
    const elsewhere = await createPoint(t.app, system, {
      code: `DEP-OTRO-${process.pid % 1000}`,
      name: 'Depósito San Agustín',
      kind: 'food_depot',
      regionCode: 'VE-A',
      programmeIds: [f.foodBoxId],
    });
    await setPointOperator(t.app, system, elsewhere.id, otherOperator.staffId, true);
  });
  after(async () => {
    await t.server.close();
  });

  it('records receipts by the point’s operator and the region’s administrator, and refuses others', async () => {
    const byAdmin = await record(adminA, {
      cycleId: f.foodCycleId,
      kind: 'received',
      quantity: 1,
      reference: 'Guía 0001',
    });
    assert.equal(byAdmin.statusCode, 201, byAdmin.body);
    assert.equal(byAdmin.json().received, 1);
    const byOperator = await record(operator, {
      cycleId: f.foodCycleId,
      kind: 'received',
      quantity: 1,
      reference: 'Guía 0002',
    });
    assert.equal(byOperator.statusCode, 201, byOperator.body);
    const before = await movementCount();
    const notHisPoint = await record(otherOperator, {
      cycleId: f.foodCycleId,
      kind: 'received',
      quantity: 500,
    });
    assert.equal(notHisPoint.statusCode, 403, notHisPoint.body);
    const otherRegion = await record(adminM, {
      cycleId: f.foodCycleId,
      kind: 'received',
      quantity: 500,
    });
    assert.equal(otherRegion.statusCode, 404, otherRegion.body);
    const fromDevice = await t.server.inject({
      method: 'POST',
      url: `/api/v1/points/${f.pointId}/stock`,
      headers: { authorization: `Bearer ${device.token}` },
      payload: { cycleId: f.foodCycleId, kind: 'received', quantity: 500 },
    });
    assert.equal(fromDevice.statusCode, 403, 'a device does not record stock');
    const byAuditor = await record(auditor, {
      cycleId: f.foodCycleId,
      kind: 'received',
      quantity: 500,
    });
    assert.equal(byAuditor.statusCode, 403);
    assert.equal(await movementCount(), before, 'no refused record was written');
    const audited = await t.app.db.kysely
      .selectFrom('audit_log')
      .select(['operation', 'details'])
      .where('operation', '=', 'stock.record')
      .execute();
    assert.equal(audited.length, 2);
  });

  it('offers as operators only staff whose operator role covers the point’s region', async () => {
    const r = await adminA.request({
      method: 'GET',
      url: `/api/v1/points/${f.pointId}/operator-candidates`,
    });
    assert.equal(r.statusCode, 200, r.body);
    const items = r.json().items as { staffId: string; assigned: boolean }[];
    const byId = new Map(items.map((i) => [i.staffId, i.assigned]));
    assert.equal(byId.get(operator.staffId), true, 'assigned here');
    assert.equal(byId.get(otherOperator.staffId), false, 'could be assigned');
    assert.ok(!byId.has(adminA.staffId), 'no operator role, not offered');
    const elsewhere = await adminM.request({
      method: 'GET',
      url: `/api/v1/points/${f.pointId}/operator-candidates`,
    });
    assert.equal(elsewhere.statusCode, 404);
    const byOperator = await operator.request({
      method: 'GET',
      url: `/api/v1/points/${f.pointId}/operator-candidates`,
    });
    assert.equal(byOperator.statusCode, 403);
  });

  it('never refuses a redemption for stock, and shows the point overdrawn at once', async () => {
    let line = await stockOf(adminA);
    assert.deepEqual(
      { received: line.received, delivered: line.delivered, left: line.left },
      { received: 2, delivered: 0, left: 2 },
    );
    assert.equal(line.overdrawn, false);
    for (const i of [0, 1, 2]) await redeem(i);
    line = await stockOf(adminA);
    assert.equal(line.delivered, 3, 'the third box was handed over with no stock left');
    assert.equal(line.left, -1);
    assert.equal(line.overdrawn, true);
    // The fuel cycle at the same point is not mixed in.
    const fuel = await stockOf(adminA, f.fuelCycleId);
    assert.equal(fuel.delivered, 0);
    // The whole view lists both in-kind cycles of the point.
    const all = await operator.request({ method: 'GET', url: `/api/v1/points/${f.pointId}/stock` });
    assert.equal(all.statusCode, 200, all.body);
    assert.deepEqual(
      all
        .json()
        .items.map((i: { cycleId: string }) => i.cycleId)
        .sort(),
      [f.foodCycleId, f.fuelCycleId].sort(),
    );
    const deviceView = await t.server.inject({
      method: 'GET',
      url: `/api/v1/points/${f.pointId}/stock`,
      headers: { authorization: `Bearer ${device.token}` },
    });
    assert.equal(deviceView.statusCode, 200, 'a device reads its own point’s stock');
    const notHis = await otherOperator.request({
      method: 'GET',
      url: `/api/v1/points/${f.pointId}/stock`,
    });
    assert.equal(notHis.statusCode, 403, 'an operator reads only their own point’s stock');

    const overdrawn = async (agent: Agent) => {
      const r = await agent.request({ method: 'GET', url: '/api/v1/stock/overdrawn' });
      assert.equal(r.statusCode, 200, r.body);
      return r.json().items as { pointId: string; cycleId: string; gap: number }[];
    };
    const seen = await overdrawn(adminA);
    assert.deepEqual(
      seen.map((s) => [s.pointId, s.cycleId, s.gap]),
      [[f.pointId, f.foodCycleId, 1]],
    );
    assert.deepEqual(
      (await overdrawn(national)).map((s) => s.pointId),
      [f.pointId],
    );
    assert.deepEqual(await overdrawn(adminM), [], 'another region sees none');
    assert.deepEqual(await overdrawn(otherOperator), [], 'an operator sees only their points');
    assert.equal((await overdrawn(operator)).length, 1);
    const byCycle = await national.request({
      method: 'GET',
      url: `/api/v1/stock/overdrawn?cycleId=${f.fuelCycleId}`,
    });
    assert.deepEqual(byCycle.json().items, []);

    // A late receipt closes the gap.
    const late = await record(adminA, {
      cycleId: f.foodCycleId,
      kind: 'received',
      quantity: 5,
      reference: 'Guía 0003',
    });
    assert.equal(late.statusCode, 201, late.body);
    assert.equal(late.json().left, 4);
    assert.equal(late.json().overdrawn, false);
    assert.deepEqual(await overdrawn(national), []);
  });

  it('takes a negative adjustment only with a reason, and refuses bad input with nothing written', async () => {
    const before = await movementCount();
    const noReason = await record(adminA, {
      cycleId: f.foodCycleId,
      kind: 'adjustment',
      quantity: -2,
    });
    assert.equal(noReason.statusCode, 400);
    assert.equal(noReason.json().error.field, 'reason');
    const negativeReceipt = await record(adminA, {
      cycleId: f.foodCycleId,
      kind: 'received',
      quantity: -2,
    });
    assert.equal(negativeReceipt.statusCode, 400);
    assert.equal(negativeReceipt.json().error.field, 'quantity');
    const text = await record(adminA, { cycleId: f.foodCycleId, kind: 'received', quantity: '2' });
    assert.equal(text.statusCode, 400);
    assert.equal(text.json().error.field, 'quantity');
    const fraction = await record(adminA, {
      cycleId: f.foodCycleId,
      kind: 'received',
      quantity: 1.5,
    });
    assert.equal(fraction.statusCode, 400);
    const unknown = await record(adminA, {
      cycleId: f.foodCycleId,
      kind: 'received',
      quantity: 2,
      price: 10,
    });
    assert.equal(unknown.statusCode, 400);
    assert.equal(unknown.json().error.code, 'UNKNOWN_FIELD');
    const noCycle = await record(adminA, {
      cycleId: 'no-such-cycle',
      kind: 'received',
      quantity: 2,
    });
    assert.equal(noCycle.statusCode, 404);
    assert.equal(noCycle.json().error.field, 'cycleId');
    const malformed = await adminA.request({
      method: 'POST',
      url: `/api/v1/points/${f.pointId}/stock`,
      payload: '{"cycleId": "x", "kind": ',
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(malformed.statusCode, 400);
    assert.equal(malformed.json().error.code, 'MALFORMED_JSON');
    assert.equal(await movementCount(), before, 'nothing was written');

    const loss = await record(operator, {
      cycleId: f.foodCycleId,
      kind: 'adjustment',
      quantity: -2,
      reason: 'Dos cajas mojadas por la lluvia',
    });
    assert.equal(loss.statusCode, 201, loss.body);
    assert.equal(loss.json().adjusted, -2);
    assert.equal(loss.json().left, 2);
    assert.equal(loss.json().movements[0].reference, 'Dos cajas mojadas por la lluvia');
  });

  it('shows the day’s log only with a purpose, audits each person shown, and pages', async () => {
    const url = (q: string) => `/api/v1/points/${f.pointId}/redemptions?${q}`;
    const none = await adminA.request({ method: 'GET', url: url('day=2026-11-29') });
    assert.equal(none.statusCode, 400);
    assert.equal(none.json().error.code, 'PURPOSE_REQUIRED');
    const wrongPurpose = await adminA.request({
      method: 'GET',
      url: url('day=2026-11-29'),
      purpose: 'enrolment',
    });
    assert.equal(wrongPurpose.statusCode, 403);
    assert.equal(wrongPurpose.json().error.code, 'PURPOSE_NOT_ALLOWED');
    const badDay = await adminA.request({
      method: 'GET',
      url: url('day=2026-02-30'),
      purpose: 'audit',
    });
    assert.equal(badDay.statusCode, 400);
    assert.equal(badDay.json().error.field, 'query.day');
    const tooMany = await adminA.request({
      method: 'GET',
      url: url('day=2026-11-29&limit=201'),
      purpose: 'audit',
    });
    assert.equal(tooMany.statusCode, 400);
    assert.equal(tooMany.json().error.field, 'query.limit');

    const page = await adminA.request({
      method: 'GET',
      url: url('day=2026-11-29'),
      purpose: 'audit',
    });
    assert.equal(page.statusCode, 200, page.body);
    const lines = page.json().items as {
      redeemedAt: string;
      programmeName: { es: string };
      quantity: number;
      proofKind: string;
      collectedAs: string;
      channel: string;
      receiptCode: string;
      person: { id: string; registryNumber: string; displayName: string };
    }[];
    assert.equal(lines.length, 3);
    assert.deepEqual(
      lines.map((l) => l.person.registryNumber).sort(),
      [0, 1, 2].map((i) => f.people[i]!.registryNumber).sort(),
    );
    for (const l of lines) {
      assert.equal(l.quantity, 1);
      assert.equal(l.proofKind, 'document');
      assert.equal(l.collectedAs, 'holder');
      assert.equal(l.channel, 'online');
      assert.match(l.receiptCode, /^[0-9A-Z]{5}-[0-9A-Z]{5}$/);
      assert.match(l.person.displayName, /^Vecina [A-C] /);
      assert.ok(l.programmeName.es);
    }
    assert.equal(page.json().next, null);
    const read = await t.app.db.kysely
      .selectFrom('audit_log')
      .select(['id', 'purpose', 'subject_ids', 'actor_id'])
      .where('operation', '=', 'redemption.read')
      .execute();
    assert.equal(read.length, 1, 'refused reads are not audited as reads; the one read is');
    assert.equal(read[0]!.purpose, 'audit');
    assert.deepEqual(
      (JSON.parse(read[0]!.subject_ids) as string[]).sort(),
      lines.map((l) => l.person.id).sort(),
    );
    const indexed = await t.app.db.kysely
      .selectFrom('audit_subjects')
      .select('person_id')
      .where('audit_id', '=', read[0]!.id)
      .execute();
    assert.equal(indexed.length, 3, 'each person shown sees the read in their access report');

    // Paged: one line at a time, the cursor carrying on where the last page stopped.
    const seen: string[] = [];
    let cursor: string | null = '';
    for (let n = 0; n < 5 && cursor !== null; n++) {
      const r = await operator.request({
        method: 'GET',
        url: url(`day=2026-11-29&limit=1${cursor ? `&cursor=${cursor}` : ''}`),
        purpose: 'service_delivery',
      });
      assert.equal(r.statusCode, 200, r.body);
      seen.push(...r.json().items.map((i: { id: string }) => i.id));
      cursor = r.json().next;
    }
    assert.deepEqual(
      seen,
      lines.map((l) => (l as unknown as { id: string }).id),
    );
    const badCursor = await operator.request({
      method: 'GET',
      url: url('day=2026-11-29&cursor=not-a-cursor'),
      purpose: 'service_delivery',
    });
    assert.equal(badCursor.statusCode, 400);
    assert.equal(badCursor.json().error.field, 'cursor');

    const notHisPoint = await otherOperator.request({
      method: 'GET',
      url: url('day=2026-11-29'),
      purpose: 'service_delivery',
    });
    assert.equal(notHisPoint.statusCode, 403, notHisPoint.body);
    const otherRegion = await adminM.request({
      method: 'GET',
      url: url('day=2026-11-29'),
      purpose: 'audit',
    });
    assert.equal(otherRegion.statusCode, 404);
    assert.ok(!otherRegion.body.includes(f.people[0]!.registryNumber));
    const byDevice = await t.server.inject({
      method: 'GET',
      url: url('day=2026-11-29'),
      headers: { authorization: `Bearer ${device.token}`, 'x-purpose': 'service_delivery' },
    });
    assert.equal(byDevice.statusCode, 403, 'a device does not read the log');
    const audit = await auditor.request({
      method: 'GET',
      url: url('day=2026-11-29'),
      purpose: 'audit',
    });
    assert.equal(audit.statusCode, 200);
    const otherDay = await adminA.request({
      method: 'GET',
      url: url('day=2026-11-28'),
      purpose: 'audit',
    });
    assert.deepEqual(otherDay.json().items, []);
  });

  it('keeps a late evening in Caracas on its own day, not on the next UTC day', async () => {
    // 10:00 UTC + 16 h = 02:00 UTC on the 30th: 22:00 on the 29th in Caracas (UTC−4).
    // The device hands over then; the clock comes back so that staff sessions stay fresh.
    t.app.advance(16 * 3600_000);
    const late = await redeem(3);
    t.app.advance(-16 * 3600_000);
    assert.match(late.redemption.redeemedAt, /^2026-11-30T02:/);
    const day29 = await adminA.request({
      method: 'GET',
      url: `/api/v1/points/${f.pointId}/redemptions?day=2026-11-29`,
      purpose: 'audit',
    });
    assert.equal(day29.statusCode, 200, day29.body);
    assert.equal(day29.json().from, '2026-11-29T04:00:00.000Z');
    assert.ok(
      day29.json().items.some((i: { id: string }) => i.id === late.redemption.id),
      'the 22:00 delivery is in the 29th’s log',
    );
    const day30 = await adminA.request({
      method: 'GET',
      url: `/api/v1/points/${f.pointId}/redemptions?day=2026-11-30`,
      purpose: 'audit',
    });
    assert.deepEqual(day30.json().items, []);
  });
});
