// Cycles on both engines, each invariant tried directly: a frozen cycle ignores later registry
// changes; a crashed generation resumed creates each entitlement once; approval comes after
// generation, from someone else, and nothing is redeemable before it; a death voids; a pause
// survives regeneration and the next cycle; closing stores the exclusion report; a payment
// batch run twice pays once; retention reduces detail to totals.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { forEachEngine } from '../../test/support/engines';
import { refused } from '../../test/support/refusals';
import { distinctPerson, staff, testApp, validPerson, withPurpose } from '../../test/support/app';
import { createAccounts, createTransfers, getAccount } from '../ledger';
import { declareAttribute, enrolPerson, loadDemoRegistry, recordLifeEvent } from '../registry';
import { systemActor } from '../shared/access';
import type { AppContext, Caller } from '../shared/context';
import { approveCycle, cancelCycle, closeCycle, createCycle, freezeCycle } from './cycles';
import { changesSinceFreeze } from './changed-since-freeze';
import { dryRunRule } from './dry-run';
import {
  entitlementState,
  pauseEntitlements,
  personEntitlements,
  resumeEntitlements,
  voidEntitlementsOnLifeEvent,
} from './entitlements';
import { exclusionReport } from './exclusion-report';
import { generateEntitlements } from './generate-entitlements';
import { payCycle, walletAccountId } from './payments';
import { cashAmount, type ProgrammeInput } from './programme-input';
import { changeProgramme, createProgramme } from './programmes';
import { reduceExpiredDetail } from './retention';

const system: Caller = { actor: systemActor('test') };

function programme(code: string, overrides: Partial<ProgrammeInput> = {}): ProgrammeInput {
  return {
    code,
    kind: 'basket',
    target: 'person',
    schedule: 'monthly',
    name: { es: `Programa ${code}`, en: `Programme ${code}` },
    rule: 'age >= 18',
    benefit: {
      kind: 'basket',
      items: [{ code: 'rice', name: { es: 'Arroz', en: 'Rice' }, quantity: 2, unit: 'kg' }],
    },
    coPayment: 0n,
    currency: 'VES',
    serviceAreas: [{ regionCode: 'VE-A' }, { regionCode: 'VE-M' }],
    retentionDays: 30,
    stagger: [0, 0, 1, 1, 2, 2, 3, 3, 4, 4],
    ...overrides,
  } as ProgrammeInput;
}

async function count(
  app: AppContext,
  table: 'entitlements' | 'cycle_members',
  cycleId: string,
): Promise<number> {
  const { n } = await app.db.kysely
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('cycle_id', '=', cycleId)
    .executeTakeFirstOrThrow();
  return Number(n);
}

forEachEngine('programme cycles', ({ db }) => {
  let app: ReturnType<typeof testApp>;
  const admin = staff('programme_admin');
  const second = staff('programme_admin');
  let adults = 0;
  const countAdults = async () => {
    const { rows } = await sql<{ n: number }>`select count(*) as n from persons
      where status = 'active' and region_code in ('VE-A', 'VE-M') and birth_date <= '2008-12-01'`.execute(
      app.db.kysely,
    );
    return Number(rows[0]!.n);
  };

  before(async () => {
    app = testApp(db(), new Date('2026-12-01T08:00:00Z'));
    app.lifeEventHooks.push(voidEntitlementsOnLifeEvent);
    await loadDemoRegistry(app, system, { people: 400, seed: 7 });
    adults = await countAdults();
    assert.ok(adults > 20, `the demo registry has ${adults} adults in VE-A and VE-M`);
  });

  async function frozenCycle(
    code: string,
    overrides: Partial<ProgrammeInput> = {},
    label = '2026-12',
  ) {
    const p = await createProgramme(app, admin, programme(code, overrides));
    const c = await createCycle(app, admin, {
      programmeId: p.id,
      label,
      opensOn: '2026-12-01',
      closesOn: '2026-12-31',
    });
    return { programme: p, cycle: await freezeCycle(app, admin, c.id) };
  }

  it('freezes the rule’s set once; a later registry change does not alter the cycle', async () => {
    const { cycle } = await frozenCycle('freeze_test');
    assert.equal(cycle.status, 'frozen');
    assert.equal(cycle.eligibleCount, adults);
    assert.equal(await count(app, 'cycle_members', cycle.id), adults);
    // A member of the snapshot dies after the freeze; a child becomes "adult" by correction.
    const member = await app.db.kysely
      .selectFrom('cycle_members')
      .select('person_id')
      .where('cycle_id', '=', cycle.id)
      .limit(1)
      .executeTakeFirstOrThrow();
    app.advance(1000);
    await recordLifeEvent(app, staff('registrar'), member.person_id, {
      kind: 'death',
      occurredOn: '2026-12-01',
    });
    const child = await app.db.kysely
      .selectFrom('persons')
      .select('id')
      .where('birth_date', '>', '2010-01-01')
      .where('region_code', '=', 'VE-A')
      .where('status', '=', 'active')
      .limit(1)
      .executeTakeFirstOrThrow();
    app.advance(1000);
    await app.db.kysely
      .updateTable('persons')
      .set({ birth_date: '1990-01-01', updated_at: app.now().toISOString() })
      .where('id', '=', child.id)
      .execute();
    assert.equal(await count(app, 'cycle_members', cycle.id), adults, 'the snapshot is unchanged');
    const changes = await changesSinceFreeze(app, admin, cycle.id);
    assert.equal(changes.noLongerActive, 1);
    assert.equal(changes.newlyEligible, 1);
    assert.ok(changes.changed >= 2);
  });

  it('resumes a crashed generation and creates each entitlement exactly once', async () => {
    const { cycle } = await frozenCycle('crash_test');
    const total = cycle.eligibleCount!;
    await assert.rejects(
      generateEntitlements(app, admin, cycle.id, {
        sliceRows: 25,
        onProgress: ({ done }) => {
          if (done >= 50) throw new Error('power cut');
        },
      }),
      /power cut/,
    );
    const partial = await count(app, 'entitlements', cycle.id);
    assert.ok(partial > 0 && partial < total, `${partial} of ${total} made before the crash`);
    const done = await generateEntitlements(app, admin, cycle.id, { sliceRows: 25 });
    assert.equal(done.status, 'generated');
    assert.equal(done.entitlementCount, total);
    assert.equal(await count(app, 'entitlements', cycle.id), total);
    // Running the slice SQL again inserts nothing: the primary key, not a lookup, decides.
    await refused(generateEntitlements(app, admin, cycle.id), 'INVALID_STATE');
  });

  it('approves only after generation, only by someone else, and nothing is redeemable before', async () => {
    const { cycle } = await frozenCycle('approval_test');
    await refused(approveCycle(app, second, cycle.id), 'INVALID_STATE', /must be generated/);
    await generateEntitlements(app, admin, cycle.id);
    const e = await app.db.kysely
      .selectFrom('entitlements')
      .selectAll()
      .where('cycle_id', '=', cycle.id)
      .limit(1)
      .executeTakeFirstOrThrow();
    const before = await app.db.kysely
      .selectFrom('cycles')
      .selectAll()
      .where('id', '=', cycle.id)
      .executeTakeFirstOrThrow();
    assert.equal(entitlementState(e, before, '2026-12-20'), 'awaiting_approval');
    await refused(approveCycle(app, admin, cycle.id), 'FORBIDDEN', /someone other/);
    // The same person through an API token is still the same person.
    const sameByToken: Caller = {
      actor: { ...admin.actor, kind: 'token', id: 'token-1', staffId: admin.actor.id },
    };
    await refused(approveCycle(app, sameByToken, cycle.id), 'FORBIDDEN');
    await refused(approveCycle(app, staff('programme_admin', ['VE-A']), cycle.id), 'NOT_FOUND');
    const approved = await approveCycle(app, second, cycle.id);
    assert.equal(approved.status, 'approved');
    const after = await app.db.kysely
      .selectFrom('cycles')
      .selectAll()
      .where('id', '=', cycle.id)
      .executeTakeFirstOrThrow();
    assert.equal(entitlementState(e, after, e.opens_on), 'redeemable');
    assert.equal(entitlementState(e, after, '2026-11-30'), 'not_yet_open');
    assert.equal(entitlementState(e, after, '2027-01-01'), 'closed');
  });

  it('staggers windows by the last digit of the registry number', async () => {
    const { cycle } = await frozenCycle('stagger_test', {
      stagger: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    });
    await generateEntitlements(app, admin, cycle.id);
    const rows = await app.db.kysely
      .selectFrom('entitlements as e')
      .innerJoin('persons as p', 'p.id', 'e.person_id')
      .select(['e.opens_on', 'p.registry_number'])
      .where('e.cycle_id', '=', cycle.id)
      .execute();
    for (const r of rows) {
      const digit = Number(r.registry_number.slice(-1));
      assert.equal(r.opens_on, `2026-12-${String(digit + 1).padStart(2, '0')}`);
    }
    assert.ok(new Set(rows.map((r) => r.opens_on)).size >= 5, 'the days are spread');
  });

  it('voids a person’s uncollected entitlements when they die', async () => {
    const { cycle } = await frozenCycle('death_test');
    await generateEntitlements(app, admin, cycle.id);
    const e = await app.db.kysely
      .selectFrom('entitlements as e')
      .innerJoin('persons as p', 'p.id', 'e.person_id')
      .select('e.person_id')
      .where('e.cycle_id', '=', cycle.id)
      .where('p.status', '=', 'active')
      .limit(1)
      .executeTakeFirstOrThrow();
    await recordLifeEvent(app, staff('registrar'), e.person_id, {
      kind: 'death',
      occurredOn: '2026-12-02',
    });
    const after = await app.db.kysely
      .selectFrom('entitlements')
      .select(['status', 'status_reason'])
      .where('cycle_id', '=', cycle.id)
      .where('person_id', '=', e.person_id)
      .executeTakeFirstOrThrow();
    assert.deepEqual(after, { status: 'void', status_reason: 'death' });
  });

  it('keeps a household’s box when its head dies and others remain; voids it when nobody does', async () => {
    const { cycle } = await frozenCycle('household_death', {
      target: 'household',
      rule: 'household_size >= 1',
    });
    await generateEntitlements(app, admin, cycle.id);
    const sizes = await sql<{ person_id: string; household_id: string | null; others: number }>`
      select e.person_id, e.household_id,
        (select count(*) from persons m where m.household_id = e.household_id and m.status = 'active'
           and m.id <> e.person_id) as others
      from entitlements e where e.cycle_id = ${cycle.id} and e.status = 'issued'`.execute(
      app.db.kysely,
    );
    const shared = sizes.rows.find((r) => r.household_id !== null && Number(r.others) > 0)!;
    const alone = sizes.rows.find((r) => r.household_id === null || Number(r.others) === 0)!;
    assert.ok(shared && alone, 'the demo registry has both kinds of household');
    for (const r of [shared, alone])
      await recordLifeEvent(app, staff('registrar'), r.person_id, {
        kind: 'death',
        occurredOn: '2026-12-02',
      });
    const state = async (personId: string) =>
      app.db.kysely
        .selectFrom('entitlements')
        .select(['status', 'status_reason'])
        .where('cycle_id', '=', cycle.id)
        .where('person_id', '=', personId)
        .executeTakeFirstOrThrow();
    assert.deepEqual(await state(shared.person_id), {
      status: 'issued',
      status_reason: 'holder_death',
    });
    assert.deepEqual(await state(alone.person_id), { status: 'void', status_reason: 'death' });
  });

  it('keeps a pause through a regenerated cycle and the next cycle, until it is lifted', async () => {
    const { programme: p, cycle } = await frozenCycle('pause_test');
    await generateEntitlements(app, admin, cycle.id);
    const someone = await app.db.kysely
      .selectFrom('entitlements as e')
      .innerJoin('persons as p', 'p.id', 'e.person_id')
      .select('e.person_id')
      .where('e.cycle_id', '=', cycle.id)
      .where('p.status', '=', 'active')
      .where('e.status', '=', 'issued')
      .limit(1)
      .executeTakeFirstOrThrow();
    const paused = await pauseEntitlements(app, admin, someone.person_id, {
      programmeId: p.id,
      reason: 'Under review after a complaint',
    });
    assert.equal(paused.paused, 1);
    await refused(
      pauseEntitlements(app, admin, someone.person_id, { programmeId: p.id, reason: 'again' }),
      'INVALID_STATE',
    );
    // The next cycle is generated with the pause in place.
    const next = await createCycle(app, admin, {
      programmeId: p.id,
      label: '2027-01',
      opensOn: '2027-01-01',
      closesOn: '2027-01-31',
    });
    await freezeCycle(app, admin, next.id);
    await generateEntitlements(app, admin, next.id);
    const status = async (cycleId: string) =>
      (
        await app.db.kysely
          .selectFrom('entitlements')
          .select('status')
          .where('cycle_id', '=', cycleId)
          .where('person_id', '=', someone.person_id)
          .executeTakeFirstOrThrow()
      ).status;
    assert.equal(await status(cycle.id), 'paused');
    assert.equal(await status(next.id), 'paused');
    const resumed = await resumeEntitlements(app, admin, someone.person_id, {
      programmeId: p.id,
      reason: 'Review finished',
    });
    assert.equal(resumed.resumed, 2);
    assert.equal(await status(cycle.id), 'issued');
  });

  it('closes only after approval and the closing day, expires the rest, and stores the exclusion report', async () => {
    const { cycle } = await frozenCycle('close_test');
    await generateEntitlements(app, admin, cycle.id);
    await refused(closeCycle(app, admin, cycle.id), 'INVALID_STATE');
    await approveCycle(app, second, cycle.id);
    await refused(closeCycle(app, admin, cycle.id), 'INVALID_STATE', /until 2026-12-31/);
    // One person collects (as the point of service will record it), without a card.
    const one = await app.db.kysely
      .selectFrom('entitlements')
      .select('person_id')
      .where('cycle_id', '=', cycle.id)
      .where('status', '=', 'issued')
      .limit(1)
      .executeTakeFirstOrThrow();
    await app.db.kysely
      .updateTable('entitlements')
      .set({
        redeemed_quantity: 1,
        status: 'redeemed',
        last_proof_kind: 'alternative',
        last_point_id: 'point-1',
        last_redeemed_at: '2026-12-05T10:11:12.000Z',
      })
      .where('cycle_id', '=', cycle.id)
      .where('person_id', '=', one.person_id)
      .execute();
    app.advance(31 * 86_400_000);
    const closed = await closeCycle(app, admin, cycle.id);
    assert.equal(closed.cycle.status, 'closed');
    assert.equal(closed.expired, cycle.eligibleCount! - 1);
    const stored = await app.db.kysely
      .selectFrom('exclusion_reports')
      .selectAll()
      .where('cycle_id', '=', cycle.id)
      .where('final', '=', 1)
      .execute();
    assert.equal(stored.length, 1);
    const report = await exclusionReport(app, staff('analyst'), cycle.id);
    assert.equal(report.final, true);
    const total = (m: keyof typeof report.measures) =>
      report.measures[m].cells.find((c) => c.isTotal)!;
    assert.equal(total('eligible').value, cycle.eligibleCount);
    assert.equal(total('redeemed').suppressed, true, 'one redemption is a small cell');
    assert.equal(
      total('eligibleWithoutCard').value,
      cycle.eligibleCount,
      'nobody here has a card, and all are eligible',
    );
    // A regional analyst sees their region only, without the national total.
    const regional = await exclusionReport(app, staff('analyst', ['VE-A']), cycle.id);
    assert.deepEqual(regional.regions, ['VE-A']);
    assert.ok(regional.measures.eligible.cells.every((c) => c.labels[0] === 'VE-A'));
    // Retention: after 30 days the point and the minute are gone; totals remain.
    assert.deepEqual(await reduceExpiredDetail(app), []);
    app.advance(31 * 86_400_000);
    assert.deepEqual(await reduceExpiredDetail(app), [cycle.id]);
    const reduced = await app.db.kysely
      .selectFrom('entitlements')
      .select(['last_point_id', 'last_redeemed_at', 'status'])
      .where('cycle_id', '=', cycle.id)
      .where('person_id', '=', one.person_id)
      .executeTakeFirstOrThrow();
    assert.deepEqual(reduced, {
      last_point_id: null,
      last_redeemed_at: '2026-12',
      status: 'redeemed',
    });
    const aggregates = await app.db.kysely
      .selectFrom('cycle_aggregates')
      .selectAll()
      .where('cycle_id', '=', cycle.id)
      .execute();
    assert.equal(
      aggregates.reduce((n, a) => n + Number(a.entitlements), 0),
      cycle.eligibleCount,
    );
    assert.ok(aggregates.some((a) => a.point_id === 'point-1' && Number(a.entitlements) === 1));
    assert.deepEqual(await reduceExpiredDetail(app), [], 'reduced once');
  });

  it('keeps a cycle on the version it was opened with when the programme changes', async () => {
    const p = await createProgramme(app, admin, programme('version_test'));
    const c = await createCycle(app, admin, {
      programmeId: p.id,
      label: '2026-12',
      opensOn: '2026-12-01',
      closesOn: '2026-12-31',
    });
    const {
      code: _code,
      kind: _kind,
      target: _target,
      schedule: _schedule,
      ...next
    } = programme('version_test', { rule: 'age >= 65' });
    await changeProgramme(app, admin, p.id, { ...next, reason: 'Narrowed to older people' });
    const frozen = await freezeCycle(app, admin, c.id);
    assert.equal(frozen.programmeVersion, 1);
    assert.equal(frozen.eligibleCount, await countAdults(), 'the rule of version 1, not 2');
  });

  it('refuses a rule that names a card or prohibited data, with its position', async () => {
    await refused(
      createProgramme(
        app,
        admin,
        programme('card_gate', { rule: 'age >= 18 and\n  has_card = true' }),
      ),
      'INVALID_RULE',
      /line 2, column 3/,
    );
    await refused(
      createProgramme(app, admin, programme('politics', { rule: 'party_member = true' })),
      'INVALID_RULE',
    );
  });

  it('cancels a generated cycle and voids what it made', async () => {
    const { cycle } = await frozenCycle('cancel_test');
    await generateEntitlements(app, admin, cycle.id);
    const cancelled = await cancelCycle(app, admin, cycle.id, 'Wrong period');
    assert.equal(cancelled.status, 'cancelled');
    const live = await app.db.kysely
      .selectFrom('entitlements')
      .select('status')
      .where('cycle_id', '=', cycle.id)
      .where('status', '<>', 'void')
      .execute();
    assert.equal(live.length, 0);
  });

  it('dry-runs a rule as suppressed counts, with samples only for who may read persons', async () => {
    const result = await dryRunRule(app, admin, {
      rule: 'age >= 18',
      kind: 'basket',
      target: 'person',
      regions: ['VE-A', 'VE-M'],
      samples: 0,
    });
    assert.ok(result.total === null || result.total > 0);
    assert.equal(result.counts.dimensions.length, 3);
    await refused(
      dryRunRule(app, withPurpose(admin, 'service_delivery'), {
        rule: 'age >= 18',
        kind: 'basket',
        target: 'person',
        samples: 3,
      }),
      'FORBIDDEN',
      /person:read/,
    );
    const both: Caller = {
      actor: {
        ...admin.actor,
        grants: [...admin.actor.grants, ...staff('registrar').actor.grants],
      },
      purpose: 'service_delivery',
    };
    const withSamples = await dryRunRule(app, both, {
      rule: 'age >= 18',
      kind: 'basket',
      target: 'person',
      regions: ['VE-A'],
      samples: 3,
    });
    assert.equal(withSamples.samples.length, 3);
    const audited = await app.db.kysely
      .selectFrom('audit_log')
      .select('subject_ids')
      .where('operation', '=', 'rule.dry_run')
      .execute();
    assert.equal(audited.length, 1);
  });

  it('reads a person’s entitlements only with a purpose and in region, audited', async () => {
    const someone = await app.db.kysely
      .selectFrom('entitlements')
      .select('person_id')
      .where('region_code', '=', 'VE-A')
      .limit(1)
      .executeTakeFirstOrThrow();
    const operator = staff('operator', ['VE-A']);
    await refused(personEntitlements(app, operator, someone.person_id), 'PURPOSE_REQUIRED');
    await refused(
      personEntitlements(
        app,
        withPurpose(staff('operator', ['VE-Z']), 'service_delivery'),
        someone.person_id,
      ),
      'NOT_FOUND',
    );
    const list = await personEntitlements(
      app,
      withPurpose(operator, 'service_delivery'),
      someone.person_id,
    );
    assert.ok(list.length >= 1);
    assert.ok(list.every((e) => e.id.includes('.')));
  });

  it('opens sealed health attributes for a medicine rule only under health_eligibility, audited', async () => {
    await declareAttribute(app, system, {
      name: 'insulin_dependent',
      type: 'boolean',
      category: 'health',
      description: 'Needs insulin every day',
    });
    const registrar = staff('registrar');
    await enrolPerson(
      app,
      registrar,
      validPerson({ ...distinctPerson('Insulina Dos'), attributes: { insulin_dependent: true } }),
    );
    await enrolPerson(
      app,
      registrar,
      validPerson({ ...distinctPerson('Sin Insulina'), attributes: { insulin_dependent: false } }),
    );
    const stored = await app.db.kysely
      .selectFrom('persons')
      .select('health_attributes')
      .where('given_names', '=', 'Insulina Dos')
      .executeTakeFirstOrThrow();
    assert.match(stored.health_attributes ?? '', /^v1\./, 'sealed at rest');
    await refused(
      createProgramme(
        app,
        admin,
        programme('health_in_food', { rule: 'insulin_dependent = true' }),
      ),
      'INVALID_RULE',
    );
    const p = await createProgramme(
      app,
      admin,
      programme('insulin', {
        kind: 'medicine',
        rule: 'insulin_dependent = true',
        benefit: {
          kind: 'medicine',
          items: [
            { code: 'insulin', name: { es: 'Insulina', en: 'Insulin' }, quantity: 3, unit: 'pack' },
          ],
        },
      }),
    );
    const c = await createCycle(app, admin, {
      programmeId: p.id,
      label: '2026-12',
      opensOn: '2026-12-01',
      closesOn: '2026-12-31',
    });
    await refused(
      freezeCycle(app, withPurpose(admin, 'service_delivery'), c.id),
      'PURPOSE_NOT_ALLOWED',
    );
    const frozen = await freezeCycle(app, withPurpose(admin, 'health_eligibility'), c.id);
    assert.equal(frozen.eligibleCount, 1);
    const member = await app.db.kysely
      .selectFrom('cycle_members as m')
      .innerJoin('persons as p', 'p.id', 'm.person_id')
      .select('p.given_names')
      .where('m.cycle_id', '=', c.id)
      .executeTakeFirstOrThrow();
    assert.equal(member.given_names, 'Insulina Dos');
    const read = await app.db.kysely
      .selectFrom('audit_log')
      .select(['purpose', 'subject_ids'])
      .where('operation', '=', 'rule.health_read')
      .execute();
    assert.equal(read.length, 1);
    assert.equal(read[0]!.purpose, 'health_eligibility');
    assert.equal(
      (JSON.parse(read[0]!.subject_ids) as string[]).length,
      2,
      'both people with health data were opened',
    );
    // The decrypted values left with the transaction.
    await assert.rejects(sql`select * from rule_health_values`.execute(app.db.kysely));
  });

  describe('one-time payments', () => {
    it('pays a batch once, however often it is run, and reports each item', async () => {
      await createAccounts(app, system, {
        accounts: [
          { id: 'test-equity', ledger: 'VES', code: 'operator_equity' },
          {
            id: 'test-fund',
            ledger: 'VES',
            code: 'programme_fund',
            flags: { debitsMustNotExceedCredits: true },
          },
        ],
      });
      await createTransfers(app, system, {
        transfers: [
          {
            id: 'test-funding',
            debitAccountId: 'test-equity',
            creditAccountId: 'test-fund',
            amount: 1_000_000_00n,
            ledger: 'VES',
            code: 'funding',
          },
        ],
      });
      const { cycle } = await frozenCycle('mothers_test', {
        kind: 'one_time',
        schedule: 'one_time',
        rule: 'sex = "F" and age >= 18 and count(age < 18) >= 1',
        benefit: { kind: 'one_time', amount: 50_00n },
        fundingAccountId: 'test-fund',
      });
      assert.ok(cycle.eligibleCount! > 0, 'some mothers');
      await generateEntitlements(app, admin, cycle.id);
      await refused(payCycle(app, admin, cycle.id, 'batch-0001'), 'INVALID_STATE', /approved/);
      await approveCycle(app, second, cycle.id);
      // One mother dies before the payment: she is skipped, with the reason.
      const dead = await app.db.kysely
        .selectFrom('entitlements')
        .select('person_id')
        .where('cycle_id', '=', cycle.id)
        .limit(1)
        .executeTakeFirstOrThrow();
      await recordLifeEvent(app, staff('registrar'), dead.person_id, {
        kind: 'death',
        occurredOn: '2026-12-03',
      });
      const first = await payCycle(app, admin, cycle.id, 'batch-0001');
      assert.equal(first.paid, cycle.eligibleCount! - 1);
      assert.equal(first.skipped, 1);
      assert.equal(first.items.find((i) => i.personId === dead.person_id)?.reason, 'void');
      const fundAfterFirst = await getAccount(app, system, 'test-fund');
      const again = await payCycle(app, admin, cycle.id, 'batch-0001');
      assert.equal(again.repeated, true);
      assert.equal(again.paid, first.paid);
      const other = await payCycle(app, admin, cycle.id, 'batch-0002');
      assert.equal(other.paid, 0, 'a new batch finds everything paid');
      const fund = await getAccount(app, system, 'test-fund');
      assert.equal(
        fund.debitsPosted,
        fundAfterFirst.debitsPosted,
        'no second payment left the fund',
      );
      assert.equal(fund.debitsPosted, BigInt(first.paid) * 50_00n);
      const paidOne = first.items.find((i) => i.outcome === 'paid')!;
      const wallet = await getAccount(app, system, walletAccountId(paidOne.personId));
      assert.equal(wallet.creditsPosted, 50_00n);
    });

    it('computes cash as base plus members, capped without cutting the base', () => {
      assert.equal(cashAmount({ base: 100n, perMember: 10n, cap: 130n }, 2), 120n);
      assert.equal(cashAmount({ base: 100n, perMember: 10n, cap: 130n }, 5), 130n);
      assert.equal(
        cashAmount({ base: 100n, perMember: 10n, cap: 50n }, 5),
        100n,
        'a cap below the base never cuts it',
      );
      assert.equal(cashAmount({ base: 100n, perMember: 10n }, 5), 150n);
      assert.equal(cashAmount({ base: 100n }, 5), 100n);
    });

    it('generates the same cash amounts in SQL as cashAmount', async () => {
      const { cycle } = await frozenCycle('cash_test', {
        kind: 'cash',
        target: 'household',
        rule: 'household_size >= 1',
        benefit: { kind: 'cash', base: 100n, perMember: 25n, cap: 160n },
        fundingAccountId: 'test-fund',
      });
      await generateEntitlements(app, admin, cycle.id);
      const rows = await app.db.kysely
        .selectFrom('entitlements as e')
        .innerJoin('cycle_members as m', (j) =>
          j.onRef('m.cycle_id', '=', 'e.cycle_id').onRef('m.person_id', '=', 'e.person_id'),
        )
        .select(['e.amount_minor', 'm.household_size'])
        .where('e.cycle_id', '=', cycle.id)
        .execute();
      assert.ok(rows.length > 0);
      for (const r of rows)
        assert.equal(
          BigInt(r.amount_minor),
          cashAmount({ base: 100n, perMember: 25n, cap: 160n }, r.household_size!),
        );
      assert.ok(new Set(rows.map((r) => r.amount_minor)).size > 1, 'households of several sizes');
    });
  });
});
