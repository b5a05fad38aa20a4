// A grievance's life on both engines: filed by SMS with a receipt's complaint code (matched to
// the redemption and to the phone on record), routed to the person's region, overdue when the
// clock passes its target, taken for review and resolved, appealed, and decided by a different
// staff member — the resolver refused however they sign in — with a notice owed at each step.
// Staff file on a person's behalf; the queue is region-scoped and audited with a purpose; bad
// input writes nothing; counts are suppressed; and filing changes no eligibility result.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { after, before, it } from 'node:test';
import { distinctPerson, staff, withPurpose } from '../../test/support/app';
import { forEachEngine } from '../../test/support/engines';
import {
  signedInAgent,
  startTestServer,
  type Agent,
  type TestServer,
} from '../../test/support/http';
import {
  benefitFixture,
  deviceTokenFor,
  type BenefitFixture,
} from '../../test/support/benefit-fixture';
import { dryRunRule, exclusionReport } from '../programs';
import {
  configureGrievanceTargets,
  exclusionComplaintsByRegion,
  fileGrievanceBySms,
  grievanceAggregates,
  readReference,
} from '.';

const day = 86_400_000;

forEachEngine('grievances', ({ db }) => {
  let t: TestServer;
  let f: BenefitFixture;
  let deviceToken = '';
  let officerA: Agent;
  let officerB: Agent;
  let registrar: Agent;
  let elsewhere: Agent;
  let receipt = '';
  let grievanceId = '';

  const notices = async (personId: string) =>
    t.app.db.kysely
      .selectFrom('notice_outbox')
      .select(['template', 'params'])
      .where('person_id', '=', personId)
      .where('template', 'like', 'grievance_%')
      .orderBy('created_at')
      .orderBy('id')
      .execute();
  const count = async () =>
    Number(
      (
        await t.app.db.kysely
          .selectFrom('grievances')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  // Staff sessions last hours; the test moves the clock by days, so everyone signs in again.
  const signInAll = async () => {
    // Also an administrator, to make themselves an API token (token:manage).
    officerA = await signedInAgent(t, [
      { role: 'grievance_officer', regions: ['VE-A'] },
      { role: 'admin', regions: '*' },
    ]);
    officerB = await signedInAgent(t, [{ role: 'grievance_officer', regions: ['VE-A'] }]);
    registrar = await signedInAgent(t, [{ role: 'registrar', regions: ['VE-A'] }]);
    elsewhere = await signedInAgent(t, [{ role: 'grievance_officer', regions: ['VE-M'] }]);
  };

  before(async () => {
    t = await startTestServer(db());
    configureGrievanceTargets(t.app, { wrong_quantity: 10 });
    const people = Array.from({ length: 3 }, (_, i) => ({
      ...distinctPerson(`Reclamante ${String.fromCharCode(65 + i)}`),
      phone: `+58412777${String(1000 + i)}`,
    }));
    f = await benefitFixture(t.app, people, '2026-11-29');
    const operator = await signedInAgent(t, [{ role: 'operator', regions: ['VE-A'] }]);
    deviceToken = await deviceTokenFor(t, operator, f.pointId);
    const delivered = await t.server.inject({
      method: 'POST',
      url: '/api/v1/redemptions',
      headers: {
        authorization: `Bearer ${deviceToken}`,
        'x-purpose': 'service_delivery',
        'idempotency-key': 'grievance-test-1',
      },
      payload: {
        entitlementId: f.food(0),
        quantity: 1,
        proof: {
          kind: 'document',
          registryNumber: f.people[0]!.registryNumber,
          birthDate: f.people[0]!.birthDate,
          documentType: 'national_id',
          documentNumber: 'V-12000000',
          reason: 'Cédula vista en el mostrador',
        },
      },
    });
    assert.equal(delivered.statusCode, 201, delivered.body);
    receipt = delivered.json<{ redemption: { receiptCode: string } }>().redemption.receiptCode;
    await signInAll();
  });
  after(async () => {
    await t.server.close();
  });

  it('files a grievance by SMS with the receipt code, from the phone on record only', async () => {
    const person = f.people[0]!;
    const stranger = await fileGrievanceBySms(t.app, {
      from: '+584120000000',
      text: `Reclamo ${receipt} me dieron menos`,
      receivedAt: t.app.now().toISOString(),
    });
    assert.equal(stranger, null, 'a code from another phone matches nothing');
    const noCode = await fileGrievanceBySms(t.app, {
      from: '+584127771000',
      text: 'hola',
      receivedAt: t.app.now().toISOString(),
    });
    assert.equal(noCode, null);
    assert.equal(await count(), 0);
    const filed = await fileGrievanceBySms(t.app, {
      from: '0412-777-1000',
      text: `Reclamo ${receipt.toLowerCase().replace('-', ' ')}: me dieron menos cantidad`,
      receivedAt: t.app.now().toISOString(),
    });
    assert.ok(filed);
    grievanceId = filed.id;
    assert.equal(filed.personId, person.id);
    assert.equal(filed.regionCode, 'VE-A', 'routed to the person’s region');
    assert.equal(filed.category, 'wrong_quantity');
    assert.equal(filed.channel, 'sms');
    assert.equal(filed.link?.kind, 'redemption');
    assert.match(
      filed.reference,
      /^[34679ACDEFGHJKMNPQRTUVWXY]{4}-[34679ACDEFGHJKMNPQRTUVWXY]{4}$/,
    );
    assert.equal(readReference(filed.reference.toLowerCase().replace('-', '')), filed.reference);
    assert.equal(filed.dueAt.slice(0, 10), '2026-12-09', 'ten days for a wrong quantity');
    const sent = await notices(person.id);
    assert.deepEqual(
      sent.map((n) => n.template),
      ['grievance_received'],
    );
    assert.equal(
      JSON.parse(sent[0]!.params).reference,
      filed.reference,
      'the reply names the reference',
    );
  });

  it('shows it in its region’s queue only, overdue once the clock passes the target', async () => {
    const queue = await officerA.request({
      method: 'GET',
      url: '/api/v1/grievances',
      purpose: 'grievance',
    });
    assert.equal(queue.statusCode, 200, queue.body);
    assert.deepEqual(
      queue
        .json<{ items: { id: string; overdue: boolean }[] }>()
        .items.map((i) => [i.id, i.overdue]),
      [[grievanceId, false]],
    );
    const noPurpose = await officerA.request({ method: 'GET', url: '/api/v1/grievances' });
    assert.equal(noPurpose.statusCode, 400);
    assert.equal(noPurpose.json<{ error: { code: string } }>().error.code, 'PURPOSE_REQUIRED');
    const other = await elsewhere.request({
      method: 'GET',
      url: '/api/v1/grievances',
      purpose: 'grievance',
    });
    assert.deepEqual(
      other.json<{ items: unknown[] }>().items,
      [],
      'another region’s queue is empty',
    );
    const peek = await elsewhere.request({
      method: 'GET',
      url: `/api/v1/grievances/${grievanceId}`,
      purpose: 'grievance',
    });
    assert.equal(peek.statusCode, 404);
    t.app.advance(11 * day);
    await signInAll();
    const late = await officerA.request({
      method: 'GET',
      url: '/api/v1/grievances?overdue=true',
      purpose: 'grievance',
    });
    assert.deepEqual(
      late
        .json<{ items: { id: string; overdue: boolean }[] }>()
        .items.map((i) => [i.id, i.overdue]),
      [[grievanceId, true]],
    );
    const read = await t.app.db.kysely
      .selectFrom('audit_log')
      .select(['operation', 'purpose'])
      .where('operation', '=', 'grievance.list')
      .execute();
    assert.ok(
      read.length >= 2 && read.every((r) => r.purpose === 'grievance'),
      'the queue reads are audited',
    );
  });

  it('is reviewed and resolved with a reason, the person notified at each step', async () => {
    const review = await officerA.request({
      method: 'POST',
      url: `/api/v1/grievances/${grievanceId}/review`,
      purpose: 'grievance',
      payload: { note: 'Pedido el registro del punto' },
    });
    assert.equal(review.statusCode, 200, review.body);
    assert.equal(review.json<{ status: string }>().status, 'in_review');
    const shown = await officerA.request({
      method: 'GET',
      url: `/api/v1/grievances/${grievanceId}`,
      purpose: 'grievance',
    });
    const detail = shown.json<{
      linked: { found: boolean; es: string };
      history: { event: string }[];
    }>();
    assert.ok(
      detail.linked.found && detail.linked.es.includes(receipt),
      'the linked delivery in words',
    );
    assert.deepEqual(
      detail.history.map((h) => h.event),
      ['filed', 'in_review'],
    );
    const bad = await officerA.request({
      method: 'POST',
      url: `/api/v1/grievances/${grievanceId}/resolve`,
      purpose: 'grievance',
      payload: { outcome: 'maybe', reason: 'x' },
    });
    assert.equal(bad.statusCode, 400);
    const resolved = await officerA.request({
      method: 'POST',
      url: `/api/v1/grievances/${grievanceId}/resolve`,
      purpose: 'grievance',
      payload: { outcome: 'not_upheld', reason: 'El registro del punto muestra una caja completa' },
    });
    assert.equal(resolved.statusCode, 200, resolved.body);
    assert.equal(resolved.json<{ overdue: boolean }>().overdue, false, 'resolved is not overdue');
    assert.deepEqual(
      (await notices(f.people[0]!.id)).map((n) => n.template),
      ['grievance_received', 'grievance_updated', 'grievance_resolved'],
    );
  });

  it('sends an appeal to someone other than the resolver, refused to them by session or token', async () => {
    const appeal = await registrar.request({
      method: 'POST',
      url: `/api/v1/grievances/${grievanceId}/appeal`,
      purpose: 'grievance',
      payload: { reason: 'Faltaba medio kilo de arroz' },
    });
    assert.equal(appeal.statusCode, 200, appeal.body);
    assert.equal(appeal.json<{ status: string }>().status, 'appealed');
    const decision = { outcome: 'upheld', reason: 'El inventario del punto confirma el faltante' };
    const same = await officerA.request({
      method: 'POST',
      url: `/api/v1/grievances/${grievanceId}/appeal-decision`,
      purpose: 'grievance',
      payload: decision,
    });
    assert.equal(same.statusCode, 403, same.body);
    // The resolver again, through an API token of their own: the same person, refused alike.
    const made = await officerA.request({
      method: 'POST',
      url: '/api/v1/tokens',
      payload: { name: 'resolver token', permissions: ['grievance:handle'], regions: ['VE-A'] },
    });
    assert.equal(made.statusCode, 201, made.body);
    const token = made.json<{ token: string }>().token;
    {
      const viaToken = await t.server.inject({
        method: 'POST',
        url: `/api/v1/grievances/${grievanceId}/appeal-decision`,
        headers: { authorization: `Bearer ${token}`, 'x-purpose': 'grievance' },
        payload: decision,
      });
      assert.equal(viaToken.statusCode, 403, viaToken.body);
    }
    const status = await t.app.db.kysely
      .selectFrom('grievances')
      .select('status')
      .where('id', '=', grievanceId)
      .executeTakeFirstOrThrow();
    assert.equal(status.status, 'appealed', 'nothing decided by the resolver');
    const decided = await officerB.request({
      method: 'POST',
      url: `/api/v1/grievances/${grievanceId}/appeal-decision`,
      purpose: 'grievance',
      payload: decision,
    });
    assert.equal(decided.statusCode, 200, decided.body);
    const body = decided.json<{
      status: string;
      appealOutcome: string;
      appealDecidedBy: string;
      resolvedBy: string;
    }>();
    assert.deepEqual([body.status, body.appealOutcome], ['closed', 'upheld']);
    assert.equal(body.appealDecidedBy, officerB.staffId);
    assert.equal(body.resolvedBy, officerA.staffId);
    assert.deepEqual(
      (await notices(f.people[0]!.id)).map((n) => n.template),
      [
        'grievance_received',
        'grievance_updated',
        'grievance_resolved',
        'grievance_updated',
        'grievance_resolved',
      ],
    );
    const again = await registrar.request({
      method: 'POST',
      url: `/api/v1/grievances/${grievanceId}/appeal`,
      purpose: 'grievance',
      payload: { reason: 'Otra vez' },
    });
    assert.equal(again.statusCode, 409, 'one appeal');
  });

  it('lets a registrar file on a person’s behalf, and refuses bad input with nothing written', async () => {
    const before = await count();
    const url = `/api/v1/persons/${f.people[1]!.id}/grievances`;
    const cases: [unknown, string][] = [
      [{ category: 'other' }, 'description'],
      [{ category: 'politics', description: 'Algo pasó aquí' }, 'category'],
      [{ category: 'other', description: 'Algo pasó aquí', extra: 1 }, 'extra'],
      [{ category: 'other', description: 'x'.repeat(1001) }, 'description'],
      [{ category: 'other', description: 'Línea\u202euna' }, 'description'],
      [
        {
          category: 'other',
          description: 'Algo pasó aquí',
          link: { kind: 'redemption', id: 'not-theirs' },
        },
        'link.id',
      ],
      [
        {
          category: 'other',
          description: 'Algo pasó aquí',
          link: { kind: 'entitlement', id: f.food(0) },
        },
        'link.id',
      ],
    ];
    for (const [payload, field] of cases) {
      const r = await registrar.request({
        method: 'POST',
        url,
        purpose: 'grievance',
        payload: payload as Record<string, unknown>,
      });
      assert.ok([400, 404].includes(r.statusCode), r.body);
      assert.match(
        r.json<{ error: { field?: string; message: string } }>().error.field ?? r.body,
        new RegExp(field.replace('.', '\\.')),
        r.body,
      );
    }
    const malformed = await registrar.request({
      method: 'POST',
      url,
      purpose: 'grievance',
      headers: { 'content-type': 'application/json' },
      payload: '{"category": "other", ',
    });
    assert.equal(malformed.statusCode, 400);
    assert.equal(await count(), before, 'nothing written');
    const ok = await registrar.request({
      method: 'POST',
      url,
      purpose: 'grievance',
      payload: {
        category: 'excluded',
        description: 'No me incluyeron en el programa',
        link: { kind: 'eligibility', id: f.foodCycleId },
      },
    });
    assert.equal(ok.statusCode, 201, ok.body);
    assert.equal(ok.json<{ channel: string }>().channel, 'office');
    const shown = await officerA.request({
      method: 'GET',
      url: `/api/v1/grievances/${ok.json<{ reference: string }>().reference}`,
      purpose: 'grievance',
    });
    const linked = shown.json<{ linked: { es: string; en: string } }>().linked;
    assert.match(linked.en, /age >= 0/, 'the rule in its words');
    assert.match(linked.en, /included you/);
  });

  it('counts by category, region and outcome with small cells suppressed', async () => {
    const stats = await grievanceAggregates(t.app, staff('analyst', '*'));
    const excludedA = stats.byCategory.cells.find(
      (c) => c.labels[0] === 'excluded' && c.labels[1] === 'VE-A',
    );
    assert.equal(excludedA?.suppressed, true, 'one complaint is a small cell');
    assert.equal(excludedA?.value, null);
    const port = await exclusionComplaintsByRegion(
      t.app.db.kysely,
      ['VE-A', 'VE-M'],
      '2026-01-01',
      '2027-12-31',
    );
    assert.deepEqual(
      [...port.entries()],
      [
        ['VE-A', 1],
        ['VE-M', 0],
      ],
    );
    assert.ok(t.app.grievanceSignals, 'the exclusion monitor’s port is connected');
  });

  it('changes no eligibility result by filing, and programmes import nothing of grievances', async () => {
    const admin = withPurpose(staff('programme_admin', '*'), 'audit');
    const input = {
      rule: 'age >= 0',
      kind: 'basket' as const,
      target: 'person' as const,
      samples: 0,
    };
    const strip = (r: Awaited<ReturnType<typeof dryRunRule>>) => ({ ...r, milliseconds: 0 });
    const beforeFiling = strip(await dryRunRule(t.app, admin, input));
    const members = async () =>
      t.app.db.kysely
        .selectFrom('cycle_members')
        .select(['cycle_id', 'person_id'])
        .orderBy('cycle_id')
        .orderBy('person_id')
        .execute();
    const membersBefore = await members();
    const r = await registrar.request({
      method: 'POST',
      url: `/api/v1/persons/${f.people[2]!.id}/grievances`,
      purpose: 'grievance',
      payload: { category: 'excluded', description: 'Creo que me corresponde el programa' },
    });
    assert.equal(r.statusCode, 201, r.body);
    assert.deepEqual(strip(await dryRunRule(t.app, admin, input)), beforeFiling);
    assert.deepEqual(await members(), membersBefore);
    const dir = new URL('../programs/', import.meta.url).pathname;
    const files = readdirSync(dir, { recursive: true })
      .map(String)
      .filter((n) => n.endsWith('.ts'));
    for (const file of files)
      assert.doesNotMatch(readFileSync(dir + file, 'utf8'), /from '\.\.\/grievances/, file);
  });
  it('shows the exclusion monitor how many complained of being left out during the cycle', async () => {
    const clock = t.app.now;
    const cellMin = t.app.config.statsCellMin;
    try {
      // Inside the food cycle (November 2026), one more complaint of exclusion.
      t.app.now = () => new Date('2026-11-30T12:00:00.000Z');
      await signInAll();
      const filed = await registrar.request({
        method: 'POST',
        url: `/api/v1/persons/${f.people[1]!.id}/grievances`,
        purpose: 'grievance',
        payload: { category: 'excluded', description: 'Quedé fuera de la bolsa de este mes' },
      });
      assert.equal(filed.statusCode, 201, filed.body);
      t.app.config.statsCellMin = 1;
      const report = await exclusionReport(
        t.app,
        withPurpose(staff('programme_admin', '*'), 'audit'),
        f.foodCycleId,
      );
      const cell = report.measures.exclusionComplaints.cells.find((c) => c.labels[0] === 'VE-A');
      const counted = await exclusionComplaintsByRegion(
        t.app.db.kysely,
        ['VE-A'],
        '2026-11-01T00:00:00.000Z',
        '2026-12-01T00:00:00.000Z',
      );
      assert.ok((counted.get('VE-A') ?? 0) >= 1);
      assert.equal(cell?.value, counted.get('VE-A'), 'the complaints of the cycle, by region');
    } finally {
      t.app.now = clock;
      t.app.config.statsCellMin = cellMin;
    }
  });
});
