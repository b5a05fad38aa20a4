// The conflict review queue, on both engines, over HTTP: each programme administrator and
// auditor sees the conflicts of their regions' points only; the queue names no one, one
// conflict's detail names its person only with a purpose, audited; resolving takes a
// resolution and a note, happens once, is audited, and never makes a second delivery.
// (Sync creates conflicts; here the rows are inserted as sync writes them.)
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
import { registerDevice } from './devices';
import { createPoint } from './points';
import {
  counterFixture,
  enrolDeviceFor,
  operatorGrants,
  type CounterFixture,
} from './test-support';

forEachEngine('conflict review', ({ db }) => {
  let t: TestServer;
  let f: CounterFixture;
  let adminA: Agent;
  let adminM: Agent;
  let national: Agent;
  let auditorM: Agent;
  let conflictA = '';
  let conflictM = '';
  let validRedemption = '';
  const system = { actor: systemActor('test') };

  const insertConflict = async (
    conflictId: string,
    pointId: string,
    deviceId: string,
    personIndex: number,
    at: string,
    redemptionId: string | null,
  ) => {
    await t.app.db.kysely
      .insertInto('conflicts')
      .values({
        id: conflictId,
        cycle_id: f.foodCycleId,
        person_id: f.people[personIndex]!.id,
        point_id: pointId,
        device_id: deviceId,
        reason: 'already_redeemed',
        redemption_id: redemptionId,
        quantity: 1,
        offline_counter: 7,
        details: JSON.stringify({
          entry: { redeemedAt: '2026-11-29T09:30:00.000Z', proof: { kind: 'card' } },
        }),
        status: 'open',
        resolution: null,
        resolution_note: null,
        created_at: at,
        resolved_at: null,
        resolved_by: null,
      })
      .execute();
  };
  const deliveries = async () => ({
    redemptions: Number(
      (
        await t.app.db.kysely
          .selectFrom('redemptions')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    ),
    taken: await t.app.db.kysely
      .selectFrom('entitlements')
      .select(['person_id', 'redeemed_quantity'])
      .where('cycle_id', '=', f.foodCycleId)
      .orderBy('person_id')
      .execute(),
  });

  before(async () => {
    t = await startTestServer(db());
    const people = Array.from({ length: 4 }, (_, i) =>
      distinctPerson(`Conflicto ${String.fromCharCode(65 + i)}`),
    );
    f = await counterFixture(t.app, people, '2026-11-29');
    adminA = await signedInAgent(t, [{ role: 'programme_admin', regions: ['VE-A'] }]);
    adminM = await signedInAgent(t, [{ role: 'programme_admin', regions: ['VE-M'] }]);
    national = await signedInAgent(t, [{ role: 'programme_admin', regions: '*' }]);
    auditorM = await signedInAgent(t, [{ role: 'auditor', regions: ['VE-M'] }]);
    const operator = await signedInAgent(t, operatorGrants);
    const device = await enrolDeviceFor(t.app, operator, f.pointId);
    // The valid delivery a later offline record collides with.
    const valid = await t.server.inject({
      method: 'POST',
      url: '/api/v1/redemptions',
      headers: {
        authorization: `Bearer ${device.token}`,
        'x-purpose': 'service_delivery',
        'idempotency-key': `conflict-${process.pid}`,
      },
      payload: {
        entitlementId: f.food(0),
        quantity: 1,
        proof: {
          kind: 'document',
          registryNumber: f.people[0]!.registryNumber,
          birthDate: f.people[0]!.birthDate,
          documentType: 'national_id',
          documentNumber: 'V-14000000',
          reason: 'Cédula vista en el mostrador',
        },
      },
    });
    assert.equal(valid.statusCode, 201, valid.body);
    validRedemption = valid.json().redemption.id;
    const pharmacy = await createPoint(t.app, system, {
      code: `FAR-MIR-${process.pid % 1000}`,
      name: 'Farmacia Los Teques',
      kind: 'pharmacy',
      regionCode: 'VE-M',
      programmeIds: [f.foodBoxId],
    });
    const far = await registerDevice(t.app, system, {
      pointId: pharmacy.id,
      name: 'Caja 1',
      offlineDailyCap: 300,
    });
    conflictA = `conflict-a-${process.pid}`;
    conflictM = `conflict-m-${process.pid}`;
    await insertConflict(
      conflictA,
      f.pointId,
      device.deviceId,
      0,
      '2026-11-29T09:40:00.000Z',
      validRedemption,
    );
    await insertConflict(
      conflictM,
      pharmacy.id,
      far.device.id,
      1,
      '2026-11-29T09:45:00.000Z',
      null,
    );
    await insertConflict(
      `${conflictA}-2`,
      f.pointId,
      device.deviceId,
      2,
      '2026-11-29T09:50:00.000Z',
      null,
    );
  });
  after(async () => {
    await t.server.close();
  });

  const list = async (agent: Agent, query = '') => {
    const r = await agent.request({ method: 'GET', url: `/api/v1/conflicts${query}` });
    assert.equal(r.statusCode, 200, r.body);
    return r;
  };

  it('shows each reviewer the conflicts of their regions only, naming no one', async () => {
    const a = await list(adminA);
    assert.deepEqual(
      a.json().items.map((c: { id: string }) => c.id),
      [conflictA, `${conflictA}-2`],
    );
    const first = a.json().items[0];
    assert.equal(first.point.id, f.pointId);
    assert.equal(first.reason, 'already_redeemed');
    assert.equal(first.redemptionId, validRedemption);
    assert.equal(first.device.name, 'Teléfono del mostrador');
    for (const p of f.people) {
      assert.ok(!a.body.includes(p.id), 'the queue carries no person id');
      assert.ok(!a.body.includes(p.registryNumber), 'nor a registry number');
    }
    assert.deepEqual(
      (await list(auditorM)).json().items.map((c: { id: string }) => c.id),
      [conflictM],
    );
    assert.equal((await list(national)).json().items.length, 3);
    const paged = await list(national, '?limit=2');
    assert.equal(paged.json().items.length, 2);
    const rest = await list(national, `?limit=2&cursor=${paged.json().next}`);
    assert.deepEqual(
      rest.json().items.map((c: { id: string }) => c.id),
      [`${conflictA}-2`],
    );
    assert.equal(rest.json().next, null);
    const byPoint = await list(national, `?pointId=${f.pointId}`);
    assert.equal(byPoint.json().items.length, 2);
    const badStatus = await national.request({ method: 'GET', url: '/api/v1/conflicts?status=x' });
    assert.equal(badStatus.statusCode, 400);
    assert.equal(badStatus.json().error.field, 'query.status');
  });

  it('names the person of one conflict only with a purpose, and audits it', async () => {
    const url = `/api/v1/conflicts/${conflictA}`;
    const noPurpose = await adminA.request({ method: 'GET', url });
    assert.equal(noPurpose.statusCode, 400);
    const detail = await adminA.request({ method: 'GET', url, purpose: 'audit' });
    assert.equal(detail.statusCode, 200, detail.body);
    assert.equal(detail.json().person.registryNumber, f.people[0]!.registryNumber);
    assert.equal(detail.json().collidesWith.id, validRedemption);
    assert.equal(detail.json().collidesWith.pointId, f.pointId);
    assert.deepEqual(detail.json().recorded, {
      redeemedAt: '2026-11-29T09:30:00.000Z',
      proofKind: 'card',
    });
    const audited = await t.app.db.kysely
      .selectFrom('audit_log')
      .select(['purpose', 'subject_ids'])
      .where('operation', '=', 'conflict.read')
      .execute();
    assert.deepEqual(
      audited.map((a) => [a.purpose, JSON.parse(a.subject_ids)]),
      [['audit', [f.people[0]!.id]]],
    );
    const elsewhere = await adminM.request({ method: 'GET', url, purpose: 'audit' });
    assert.equal(elsewhere.statusCode, 404);
    const missing = await adminM.request({
      method: 'GET',
      url: '/api/v1/conflicts/no-such-conflict',
      purpose: 'audit',
    });
    assert.deepEqual(elsewhere.json(), missing.json(), 'elsewhere and missing answer alike');
  });

  it('resolves a conflict once, with a note, audited, and never makes a second delivery', async () => {
    const before = await deliveries();
    const resolve = (agent: Agent, id: string, payload: Record<string, unknown>) =>
      agent.request({ method: 'POST', url: `/api/v1/conflicts/${id}/resolve`, payload });
    const body = { resolution: 'confirmed_loss', note: 'La caja se entregó dos veces; pérdida.' };
    assert.equal((await resolve(auditorM, conflictM, body)).statusCode, 403, 'auditors only read');
    assert.equal((await resolve(adminM, conflictA, body)).statusCode, 404);
    const badResolution = await resolve(adminA, conflictA, { ...body, resolution: 'forgiven' });
    assert.equal(badResolution.statusCode, 400);
    assert.equal(badResolution.json().error.field, 'resolution');
    const noNote = await resolve(adminA, conflictA, { resolution: 'error' });
    assert.equal(noNote.statusCode, 400);
    assert.equal(noNote.json().error.field, 'note');
    const done = await resolve(adminA, conflictA, body);
    assert.equal(done.statusCode, 200, done.body);
    assert.equal(done.json().status, 'resolved');
    assert.equal(done.json().resolution, 'confirmed_loss');
    assert.equal(done.json().resolutionNote, body.note);
    assert.equal(done.json().resolvedBy, adminA.staffId);
    assert.equal(done.json().resolvedByUsername, adminA.username);
    const again = await resolve(national, conflictA, { resolution: 'recovered', note: 'Otra vez' });
    assert.equal(again.statusCode, 409);
    assert.deepEqual(await deliveries(), before, 'no delivery was made or undone');
    const audited = await t.app.db.kysely
      .selectFrom('audit_log')
      .select(['subject_ids', 'details', 'actor_id'])
      .where('operation', '=', 'conflict.resolve')
      .execute();
    assert.equal(audited.length, 1);
    assert.deepEqual(JSON.parse(audited[0]!.subject_ids), [f.people[0]!.id]);
    assert.equal(JSON.parse(audited[0]!.details).resolution, 'confirmed_loss');
    assert.deepEqual(
      (await list(adminA)).json().items.map((c: { id: string }) => c.id),
      [`${conflictA}-2`],
    );
    assert.deepEqual(
      (await list(adminA, '?status=resolved')).json().items.map((c: { id: string }) => c.id),
      [conflictA],
    );
  });
});
