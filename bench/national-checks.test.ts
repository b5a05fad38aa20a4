// The national rehearsal's bookkeeping and end checks (bench/national-checks.ts): completed
// stages are skipped on a rerun and a different size in the same folder is refused; the
// invariant checker passes a clean cycle and catches a planted double delivery, a delivery
// before its window, and an acknowledged redemption that is not stored.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { migrateToLatest } from '../src/db';
import { migrations } from '../src/modules';
import { systemActor } from '../src/shared/access';
import { testApp, validPerson } from '../test/support/app';
import { benefitFixture } from '../test/support/benefit-fixture';
import { forEachEngine } from '../test/support/engines';
import {
  checkInvariants,
  invariantBreaks,
  loadState,
  runStage,
  saveState,
} from './national-checks';

describe('national rehearsal: stage bookkeeping', () => {
  it('runs a stage once, records it, and skips it when the run is resumed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-national-state-'));
    try {
      const file = join(dir, 'state.json');
      const secrets = () => ({ dataKey: 'k' });
      const state = loadState(file, { people: 10 }, secrets);
      saveState(file, state);
      let runs = 0;
      const stage = async () => ({ seconds: 1, count: ++runs });
      const first = await runStage(file, state, 'import', stage);
      assert.deepEqual([first.ranNow, first.result.count, runs], [true, 1, 1]);
      // A failing stage records nothing: the rerun does it again.
      await assert.rejects(
        runStage(file, state, 'dedup', () => Promise.reject(new Error('killed'))),
        /killed/,
      );
      const resumed = loadState(file, { people: 10 }, secrets);
      const again = await runStage(file, resumed, 'import', stage);
      assert.deepEqual([again.ranNow, again.result.count, runs], [false, 1, 1]);
      const dedup = await runStage(file, resumed, 'dedup', stage);
      assert.equal(dedup.ranNow, true);
      assert.throws(() => loadState(file, { people: 20 }, secrets), /people 10, not 20/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

forEachEngine('national rehearsal: invariants', ({ db }) => {
  it('passes a clean cycle and catches planted breaks', async () => {
    await migrateToLatest(db(), migrations);
    const app = testApp(db(), new Date());
    const today = new Date().toISOString().slice(0, 10);
    const people = [0, 1, 2].map((i) =>
      validPerson({ givenNames: `Ana ${'BCD'[i]}`, birthDate: `198${i}-02-1${i}` }),
    );
    const f = await benefitFixture(app, people, today);
    const caller = { actor: systemActor('national-test') };
    const entitlement = async (i: number) =>
      db()
        .kysely.selectFrom('entitlements')
        .selectAll()
        .where('cycle_id', '=', f.foodCycleId)
        .where('person_id', '=', f.people[i]!.id)
        .executeTakeFirstOrThrow();
    const plant = async (i: number, id: string, redeemedAt: string) => {
      const e = await entitlement(i);
      await db()
        .kysely.insertInto('redemptions')
        .values({
          id,
          cycle_id: f.foodCycleId,
          person_id: e.person_id,
          programme_id: e.programme_id,
          point_id: f.pointId,
          device_id: null,
          operator_id: 'staff-test',
          quantity: 1,
          proof_kind: 'document',
          proof_details: '{}',
          collected_by_person_id: null,
          collected_as: 'holder',
          channel: 'online',
          co_payment_method: 'none',
          co_payment_minor: 0,
          co_payment_id: null,
          receipt_code: id.toUpperCase(),
          redeemed_at: redeemedAt,
          recorded_at: redeemedAt,
          offline_counter: null,
        })
        .execute();
    };
    const now = new Date().toISOString();
    // Person 0 collected once, as the counter records it.
    await plant(0, 'red-one', now);
    await db()
      .kysely.updateTable('entitlements')
      .set({ redeemed_quantity: 1 })
      .where('cycle_id', '=', f.foodCycleId)
      .where('person_id', '=', f.people[0]!.id)
      .execute();
    const check = (acknowledged: number[]) =>
      checkInvariants(app, caller, {
        cycleId: f.foodCycleId,
        acknowledgedPersons: new Set(acknowledged.map((i) => f.people[i]!.id)),
        acknowledgedTransfers: [],
      });
    const clean = await check([0]);
    assert.deepEqual(invariantBreaks(clean), []);
    assert.equal(clean.redemptionsStored, 1);
    assert.ok(clean.statisticsCells > 0);

    // An acknowledgement the database lost.
    const lost = await check([0, 1]);
    assert.equal(lost.acknowledgedMissing, 1);
    assert.deepEqual(invariantBreaks(lost), ['1 acknowledged redemptions missing']);

    // The same entitlement handed over a second time.
    await plant(0, 'red-two', now);
    const twice = await check([0]);
    assert.equal(twice.deliveredTwice, 1);

    // A delivery dated before the entitlement's window opened.
    const e2 = await entitlement(2);
    const dayBefore = new Date(Date.parse(`${e2.opens_on}T12:00:00Z`) - 86_400_000).toISOString();
    await plant(2, 'red-early', dayBefore);
    const early = await check([0, 2]);
    assert.equal(early.deliveredEarly, 1);
    assert.equal(early.storedUnacknowledged, 0);
  });
});
