// `tessera points …`, `tessera devices …` and `tessera stock show` as an operator runs them, on
// both engines: define a point (programmes named by code), list and show it, register a device
// (its one-time code printed once and never stored), list and revoke it, read a point's stock;
// a bad kind or an unknown point exits 1 with the reason. And the demo: its two points with
// stock, the operator assigned to the depot, and a device awaiting enrolment with its code.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { loadDemo, wireDomains } from '../app';
import { tesseraRunner } from '../../test/support/cli';
import { forEachEngine } from '../../test/support/engines';
import { distinctPerson, testApp } from '../../test/support/app';
import { loadDemoRegistry } from '../registry';
import { systemActor } from '../shared/access';
import { recordStock } from './stock';
import { counterFixture } from './test-support';

forEachEngine('distribution commands', ({ db, url }) => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-distribution-cli-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const tessera = tesseraRunner(url, dir);

  it('defines a point, registers and revokes its device, and shows its stock', async () => {
    const app = testApp(db(), new Date());
    const today = new Date().toISOString().slice(0, 10);
    const f = await counterFixture(app, [distinctPerson('Orlanda')], today);
    const foodCode = (
      await app.db.kysely
        .selectFrom('programmes')
        .select('code')
        .where('id', '=', f.foodBoxId)
        .executeTakeFirstOrThrow()
    ).code;

    const badKind = await tessera(
      'points',
      'create',
      '--code',
      'FAR-CLI-01',
      '--name',
      'Farmacia del centro',
      '--kind',
      'bodega',
      '--region',
      'VE-M',
    );
    assert.equal(badKind.code, 1, JSON.stringify(badKind));
    assert.match(badKind.stderr, /VALIDATION_FAILED at kind|kind/);
    const made = await tessera(
      'points',
      'create',
      '--code',
      'FAR-CLI-01',
      '--name',
      'Farmacia del centro',
      '--kind',
      'pharmacy',
      '--region',
      'VE-M',
      '--locality',
      'Los Teques',
      '--programmes',
      foodCode,
    );
    assert.equal(made.code, 0, made.stderr);
    const pointId = /created (\S+) \(FAR-CLI-01, pharmacy, VE-M\)/.exec(made.stdout)?.[1];
    assert.ok(pointId, made.stdout);
    const listed = await tessera('points', 'list', '--region', 'VE-M');
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, new RegExp(`${pointId}  FAR-CLI-01  pharmacy  VE-M  active`));
    assert.doesNotMatch(listed.stdout, /food_depot/, 'only Miranda’s points');
    const shown = await tessera('points', 'show', 'FAR-CLI-01');
    assert.equal(shown.code, 0, shown.stderr);
    const point = JSON.parse(shown.stdout) as { id: string; programmeIds: string[] };
    assert.equal(point.id, pointId);
    assert.deepEqual(point.programmeIds, [f.foodBoxId]);

    const registered = await tessera(
      'devices',
      'register',
      '--point',
      'FAR-CLI-01',
      '--name',
      'Caja 1',
      '--offline-cap',
      '50',
    );
    assert.equal(registered.code, 0, registered.stderr);
    const code = /one-time enrolment code: ([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})/.exec(
      registered.stdout,
    )?.[1];
    const deviceId = /registered device (\S+)/.exec(registered.stdout)?.[1];
    assert.ok(code && deviceId, registered.stdout);
    const row = await app.db.kysely
      .selectFrom('devices')
      .selectAll()
      .where('id', '=', deviceId)
      .executeTakeFirstOrThrow();
    assert.equal(row.status, 'awaiting_enrolment');
    assert.equal(row.offline_daily_cap, 50);
    assert.ok(!JSON.stringify(row).includes(code.replaceAll('-', '')), 'the code is not stored');
    const devices = await tessera('devices', 'list', '--point', pointId);
    assert.match(devices.stdout, new RegExp(`${deviceId}  awaiting_enrolment  Caja 1`));
    const noReason = await tessera('devices', 'revoke', deviceId);
    assert.notEqual(noReason.code, 0);
    const revoked = await tessera(
      'devices',
      'revoke',
      deviceId,
      '--reason',
      'Perdido en la mudanza',
    );
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.match(revoked.stdout, new RegExp(`revoked ${deviceId} \\(Caja 1\\)`));
    assert.match((await tessera('devices', 'list', '--point', pointId)).stdout, / {2}revoked {2}/);

    await recordStock(app, { actor: systemActor('test') }, f.pointId, {
      cycleId: f.foodCycleId,
      kind: 'received',
      quantity: 40,
      reference: 'Guía 77',
    });
    const stock = await tessera('stock', 'show', '--point', f.pointId);
    assert.equal(stock.code, 0, stock.stderr);
    assert.match(stock.stdout, /received 40 {2}adjusted 0 {2}delivered 0 {2}left 40 box/);
    const unknown = await tessera('stock', 'show', '--point', 'NO-SUCH-POINT');
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /NOT_FOUND/);
    const audited = await app.db.kysely
      .selectFrom('audit_log')
      .select('operation')
      .where('actor_id', 'like', 'system:cli:%')
      .where('operation', 'in', ['point.create', 'device.register', 'device.revoke'])
      .execute();
    assert.deepEqual(audited.map((a) => a.operation).sort(), [
      'device.register',
      'device.revoke',
      'point.create',
    ]);
  });
});

forEachEngine('distribution demo', ({ db, url }) => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-distribution-demo-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const tessera = tesseraRunner(url, dir);

  it('loads the demo points with stock, the operator at the depot and a device to enrol', async () => {
    const app = testApp(db(), new Date());
    wireDomains(app);
    // The registry first, smaller than serve --demo's; then the rest of the demo as it serves it.
    await loadDemoRegistry(app, { actor: systemActor('test') }, { people: 120, seed: 9 });
    const lines = await loadDemo(app);
    const printed = lines.join('\n');
    assert.match(printed, /^\s+operador\s+\S+\s+operator \(VE-A\)$/m);
    assert.match(printed, /one-time enrolment code [A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}/);
    const points = await app.db.kysely
      .selectFrom('points')
      .select(['id', 'code', 'kind', 'region_code'])
      .orderBy('code')
      .execute();
    assert.deepEqual(
      points.map((p) => [p.code, p.kind, p.region_code]),
      [
        ['DEP-CCS-0001', 'food_depot', 'VE-A'],
        ['FAR-MIR-0001', 'pharmacy', 'VE-M'],
      ],
    );
    const operator = await app.db.kysely
      .selectFrom('point_operators as o')
      .innerJoin('staff as s', 's.id', 'o.staff_id')
      .select(['o.point_id', 's.username'])
      .execute();
    assert.deepEqual(operator, [{ point_id: points[0]!.id, username: 'operador' }]);
    const stock = await tessera('stock', 'show', '--point', 'FAR-MIR-0001');
    assert.match(stock.stdout, /received 150 {2}adjusted -3 {2}delivered 0 {2}left 147 box/);
    const device = await app.db.kysely
      .selectFrom('devices')
      .select(['point_id', 'status'])
      .executeTakeFirstOrThrow();
    assert.deepEqual(device, { point_id: points[0]!.id, status: 'awaiting_enrolment' });
  });
});
