// Offline on both engines, tried the ways it could go wrong: a pack is signed and names
// nobody; an entitlement is in at most one device's pack; a device's signed chain is accepted
// exactly once however often it is uploaded; a second device redeeming the same entitlement
// (by a stolen pack, or with no lease) gets a conflict whichever syncs first; a removed,
// reordered or altered entry refuses the whole upload, naming the first bad entry; the daily
// offline cap turns what passes it into conflicts; an online delivery beats a later offline one.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { forEachEngine } from '../../test/support/engines';
import { distinctPerson } from '../../test/support/app';
import {
  signedInAgent,
  startTestServer,
  type Agent,
  type TestServer,
} from '../../test/support/http';
import { canonicalJson } from '../shared/canonical-json';
import { verifyPackSignature } from './pack-key';
import { leaseHash, type PackLease } from './packs';
import { chainStart, entryHash, type OfflineEntry } from './sync';
import {
  counterFixture,
  enrolDeviceFor,
  operatorGrants,
  signEntry,
  type CounterFixture,
  type EnrolledDevice,
} from './test-support';

interface Pack {
  pack: { salt: string; leases: PackLease[]; dailyCap: number } & Record<string, unknown>;
  signature: string;
}

/** A device as the app runs it: its pack, its counter and chain head. */
class OfflineDevice {
  counter = 0;
  head = chainStart;
  pack!: Pack['pack'];
  constructor(
    readonly t: TestServer,
    readonly d: EnrolledDevice,
  ) {}
  async download(): Promise<Pack> {
    const r = await this.t.server.inject({
      method: 'GET',
      url: '/api/v1/device/pack',
      headers: { authorization: `Bearer ${this.d.token}` },
    });
    assert.equal(r.statusCode, 200, r.body);
    const got = r.json<Pack>();
    this.pack = got.pack;
    return got;
  }
  lease(entitlementId: string): PackLease | undefined {
    return this.pack.leases.find((l) => l.entitlementId === entitlementId);
  }
  record(
    entitlementId: string,
    leaseId: string,
    quantity = 1,
  ): { entry: OfflineEntry; signature: string } {
    const entry: OfflineEntry = {
      v: 1,
      deviceId: this.d.deviceId,
      counter: ++this.counter,
      prev: this.head,
      entitlementId,
      leaseId,
      quantity,
      proof: { kind: 'card', serial: '1001', kid: 'kid-1' },
      coPayment: { method: 'none', amount: '0' },
      redeemedAt: this.t.app.now().toISOString(),
    };
    const signature = signEntry(this.d.privateKey, entry);
    this.head = entryHash(entry, signature);
    return { entry, signature };
  }
  sync(entries: unknown[]) {
    return this.t.server.inject({
      method: 'POST',
      url: '/api/v1/device/sync',
      payload: { entries },
      headers: { authorization: `Bearer ${this.d.token}` },
    });
  }
}

forEachEngine('offline packs and sync', ({ db }) => {
  let t: TestServer;
  let f: CounterFixture;
  let operator: Agent;
  let a: OfflineDevice;
  let b: OfflineDevice;
  let packKey = '';
  const count = async (table: 'redemptions' | 'conflicts', entitlement: string) => {
    const [cycleId, personId] = entitlement.split('.');
    const { n } = await t.app.db.kysely
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('cycle_id', '=', cycleId!)
      .where('person_id', '=', personId!)
      .executeTakeFirstOrThrow();
    return Number(n);
  };

  before(async () => {
    t = await startTestServer(db());
    const people = Array.from({ length: 10 }, (_, i) => ({
      ...distinctPerson(`Sin Conexión ${String.fromCharCode(65 + i)}`),
      regionCode: 'VE-A',
    }));
    f = await counterFixture(t.app, people, '2026-11-29');
    operator = await signedInAgent(t, operatorGrants);
    a = new OfflineDevice(t, await enrolDeviceFor(t.app, operator, f.pointId));
    b = new OfflineDevice(t, await enrolDeviceFor(t.app, operator, f.pointId));
    const me = await t.server.inject({
      method: 'GET',
      url: '/api/v1/device',
      headers: { authorization: `Bearer ${a.d.token}` },
    });
    packKey = me.json().packKey;
  });
  after(async () => {
    await t.server.close();
  });

  it('signs a pack that names nobody, and leases each entitlement to one device only', async () => {
    const got = await a.download();
    assert.ok(verifyPackSignature(packKey, canonicalJson(got.pack), got.signature));
    const tampered = { ...got.pack, dailyCap: 999_999 };
    assert.ok(!verifyPackSignature(packKey, canonicalJson(tampered), got.signature));
    assert.equal(got.pack.leases.length, 20, 'both programmes for ten people');
    const text = JSON.stringify(got.pack);
    assert.ok(!text.includes('Sin Conexión'), 'no names in the pack');
    assert.ok(!text.includes(f.people[0]!.registryNumber), 'no registry numbers in clear');
    const lease = a.lease(f.food(0))!;
    assert.equal(lease.rn, leaseHash(got.pack.salt, f.people[0]!.registryNumber));
    assert.equal(
      lease.rnDob,
      leaseHash(got.pack.salt, f.people[0]!.registryNumber, f.people[0]!.birthDate),
    );
    const other = await b.download();
    assert.equal(other.pack.leases.length, 0, 'what A holds is in no other pack');
    const again = await a.download();
    assert.equal(again.pack.leases.length, 20, 'a new pack of A carries its leases over');
  });

  it('accepts a signed chain exactly once, however often it is uploaded', async () => {
    const e1 = a.record(f.food(0), a.lease(f.food(0))!.leaseId);
    const e2 = a.record(f.fuel(0), a.lease(f.fuel(0))!.leaseId, 15);
    const first = await a.sync([e1, e2]);
    assert.equal(first.statusCode, 200, first.body);
    assert.equal(first.json().redeemed.length, 2);
    assert.equal(first.json().conflicts.length, 0);
    const retry = await a.sync([e1, e2]);
    assert.equal(retry.statusCode, 200, retry.body);
    assert.equal(retry.json().accepted, 0);
    assert.equal(await count('redemptions', f.food(0)), 1);
    const [fuel] = await t.app.db.kysely
      .selectFrom('entitlements')
      .select(['redeemed_quantity'])
      .where('cycle_id', '=', f.fuelCycleId)
      .where('person_id', '=', f.people[0]!.id)
      .execute();
    assert.equal(fuel!.redeemed_quantity, 15);
  });

  it('records a second device’s redemption of the same entitlement as a conflict, whichever syncs first', async () => {
    // B holds a stolen copy of A's pack: it uses A's lease of food(1), and syncs first.
    const stolen = b.record(f.food(1), a.lease(f.food(1))!.leaseId);
    const bFirst = await b.sync([stolen]);
    assert.equal(bFirst.statusCode, 200, bFirst.body);
    assert.deepEqual(
      bFirst.json().conflicts.map((c: { reason: string }) => c.reason),
      ['not_leased'],
    );
    const valid = await a.sync([a.record(f.food(1), a.lease(f.food(1))!.leaseId)]);
    assert.equal(valid.json().redeemed.length, 1, valid.body);
    // And in the other order: A first, then B with no lease at all.
    await a.sync([a.record(f.food(2), a.lease(f.food(2))!.leaseId)]);
    const late = await b.sync([b.record(f.food(2), 'no-lease')]);
    assert.deepEqual(
      late.json().conflicts.map((c: { reason: string }) => c.reason),
      ['not_leased'],
    );
    for (const e of [f.food(1), f.food(2)]) {
      assert.equal(await count('redemptions', e), 1, 'one valid delivery');
      assert.equal(await count('conflicts', e), 1, 'one conflict for review');
    }
  });

  it('refuses a chain with a removed, reordered or altered entry, naming the first bad one', async () => {
    const e1 = a.record(f.food(3), a.lease(f.food(3))!.leaseId);
    const e2 = a.record(f.food(4), a.lease(f.food(4))!.leaseId);
    const e3 = a.record(f.food(5), a.lease(f.food(5))!.leaseId);
    const refusal = async (entries: unknown[], counter: number, reason: string) => {
      const r = await a.sync(entries);
      assert.equal(r.statusCode, 422, r.body);
      assert.equal(r.json().error.code, 'CHAIN_BROKEN');
      assert.equal(r.json().error.details.counter, counter, r.body);
      assert.equal(r.json().error.details.reason, reason, r.body);
    };
    await refusal([e1, e3], e3.entry.counter, 'gap');
    await refusal([e2, e1, e3], e2.entry.counter, 'out_of_order');
    const altered = {
      entry: { ...e2.entry, quantity: 1, entitlementId: f.food(6) },
      signature: e2.signature,
    };
    await refusal([e1, altered, e3], e2.entry.counter, 'bad_signature');
    const resigned = { ...e2, entry: { ...e2.entry, prev: chainStart } };
    resigned.signature = signEntry(a.d.privateKey, resigned.entry);
    await refusal([e1, resigned, e3], e2.entry.counter, 'prev_mismatch');
    for (const e of [f.food(3), f.food(4), f.food(5)])
      assert.equal(await count('redemptions', e), 0, 'nothing applied');
    const whole = await a.sync([e1, e2, e3]);
    assert.equal(whole.json().redeemed.length, 3, whole.body);
    // An entry already accepted cannot be swapped afterwards for another with its counter.
    const swapped = { entry: { ...e1.entry, quantity: 1, leaseId: 'other' }, signature: '' };
    swapped.signature = signEntry(a.d.privateKey, swapped.entry);
    await refusal([swapped], e1.entry.counter, 'changed');
  });

  it('turns what passes the daily offline cap into conflicts, and lets an online delivery win', async () => {
    await t.app.db.kysely
      .updateTable('devices')
      .set({ offline_daily_cap: 6 + 15 + 1 })
      .where('id', '=', a.d.deviceId)
      .execute();
    // So far today A handed over 6 boxes and 15 litres offline: one more unit fits, two do not.
    const fits = a.record(f.food(6), a.lease(f.food(6))!.leaseId);
    const over = a.record(f.food(7), a.lease(f.food(7))!.leaseId);
    const r = await a.sync([fits, over]);
    assert.equal(r.json().redeemed.length, 1, r.body);
    assert.deepEqual(
      r.json().conflicts.map((c: { reason: string }) => c.reason),
      ['over_daily_cap'],
    );
    await t.app.db.kysely
      .updateTable('devices')
      .set({ offline_daily_cap: 1000 })
      .where('id', '=', a.d.deviceId)
      .execute();
    // Online, at B, food(8) is handed over although A holds its lease: A's lease ends.
    const online = await t.server.inject({
      method: 'POST',
      url: '/api/v1/redemptions',
      payload: {
        entitlementId: f.food(8),
        quantity: 1,
        proof: {
          kind: 'document',
          registryNumber: f.people[8]!.registryNumber,
          birthDate: f.people[8]!.birthDate,
          documentType: 'passport',
          documentNumber: 'P-0042',
          reason: 'Pasaporte visto en el mostrador',
        },
      },
      headers: {
        authorization: `Bearer ${b.d.token}`,
        'x-purpose': 'service_delivery',
        'idempotency-key': 'online-food-8',
      },
    });
    assert.equal(online.statusCode, 201, online.body);
    const late = await a.sync([a.record(f.food(8), a.lease(f.food(8))!.leaseId)]);
    assert.equal(late.json().conflicts.length, 1, late.body);
    assert.equal(await count('redemptions', f.food(8)), 1);
  });

  it('refuses malformed uploads whole, and a pack to anyone but a device', async () => {
    const bad = await a.sync([{ entry: { v: 2 }, signature: 'x' }]);
    assert.equal(bad.statusCode, 400);
    assert.match(bad.json().error.field ?? '', /entries/);
    const asStaff = await operator.request({ method: 'GET', url: '/api/v1/device/pack' });
    assert.equal(asStaff.statusCode, 403, asStaff.body);
  });
});
