// Nominees on both engines, over HTTP: a registrar of the beneficiary's region records one with
// the purpose enrolment and how consent was given, naming the nominee by registry number or
// person id; self-nomination, a dead or inactive person, a fourth live nominee, a repeat and a
// nominee outside the registrar's regions are refused with nothing written; the list is read
// with a purpose and audited; a revoked nominee is kept, with its reason, and can no longer
// collect.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { distinctPerson, staff, withPurpose } from '../../test/support/app';
import { forEachEngine } from '../../test/support/engines';
import {
  signedInAgent,
  startTestServer,
  type Agent,
  type TestServer,
} from '../../test/support/http';
import { enrolPerson, recordLifeEvent } from '../registry';
import { systemActor } from '../shared/access';

forEachEngine('nominees', ({ db }) => {
  let t: TestServer;
  let registrar: Agent;
  let registrarM: Agent;
  const people: { id: string; registryNumber: string }[] = [];
  let inMiranda: { id: string; registryNumber: string };
  let dead: { id: string; registryNumber: string };

  const nominees = (agent: Agent, personId: string, payload: Record<string, unknown>) =>
    agent.request({
      method: 'POST',
      url: `/api/v1/persons/${personId}/nominees`,
      payload,
      purpose: 'enrolment',
    });
  const rows = async () =>
    t.app.db.kysely.selectFrom('nominees').selectAll().orderBy('recorded_at').execute();

  before(async () => {
    t = await startTestServer(db());
    const system = { actor: systemActor('test') };
    for (let i = 0; i < 7; i++) {
      const p = await enrolPerson(
        t.app,
        system,
        distinctPerson(`Nómina ${String.fromCharCode(65 + i)}`),
      );
      people.push({ id: p.id, registryNumber: p.registryNumber });
    }
    const m = await enrolPerson(t.app, system, {
      ...distinctPerson('Mirandina'),
      address: { regionCode: 'VE-M', locality: 'Los Teques' },
    });
    inMiranda = { id: m.id, registryNumber: m.registryNumber };
    const d = await enrolPerson(t.app, system, distinctPerson('Difunta'));
    dead = { id: d.id, registryNumber: d.registryNumber };
    await recordLifeEvent(t.app, withPurpose(staff('registrar', '*'), 'enrolment'), d.id, {
      kind: 'death',
      occurredOn: '2026-11-01',
    });
    registrar = await signedInAgent(t, [{ role: 'registrar', regions: ['VE-A'] }]);
    registrarM = await signedInAgent(t, [{ role: 'registrar', regions: ['VE-M'] }]);
  });
  after(async () => {
    await t.server.close();
  });

  it('records a nominee by registry number or id, with the consent, audited', async () => {
    const [holder, a, b] = people;
    const first = await nominees(registrar, holder!.id, {
      nomineeRegistryNumber: a!.registryNumber,
      consent: 'in_person_signed',
    });
    assert.equal(first.statusCode, 201, first.body);
    assert.equal(first.json().nominee.nominee.id, a!.id);
    assert.equal(first.json().nominee.consent, 'in_person_signed');
    assert.equal(first.json().nominee.live, true);
    const second = await nominees(registrar, holder!.id, {
      nomineePersonId: b!.id,
      consent: 'notarised_document',
    });
    assert.equal(second.statusCode, 201, second.body);
    assert.equal(second.json().nominees.length, 2);
    const audited = await t.app.db.kysely
      .selectFrom('audit_log')
      .select(['subject_ids', 'purpose', 'details'])
      .where('operation', '=', 'nominee.record')
      .execute();
    assert.equal(audited.length, 2);
    assert.deepEqual(JSON.parse(audited[0]!.subject_ids), [holder!.id, a!.id]);
    assert.equal(audited[0]!.purpose, 'enrolment');
  });

  it('refuses self-nomination, the dead, repeats, a fourth, and other regions — writing nothing', async () => {
    const [holder, a, , c, d, e] = people;
    const before = (await rows()).length;
    const self = await nominees(registrar, holder!.id, {
      nomineePersonId: holder!.id,
      consent: 'in_person_signed',
    });
    assert.equal(self.statusCode, 400);
    assert.equal(self.json().error.field, 'nomineePersonId');
    const toDead = await nominees(registrar, holder!.id, {
      nomineeRegistryNumber: dead.registryNumber,
      consent: 'in_person_signed',
    });
    assert.equal(toDead.statusCode, 409, toDead.body);
    assert.equal(toDead.json().error.field, 'nomineeRegistryNumber');
    const byDead = await nominees(registrar, dead.id, {
      nomineePersonId: a!.id,
      consent: 'in_person_signed',
    });
    assert.equal(byDead.statusCode, 409, byDead.body);
    const repeat = await nominees(registrar, holder!.id, {
      nomineePersonId: a!.id,
      consent: 'in_person_witnessed',
    });
    assert.equal(repeat.statusCode, 409);
    assert.equal(repeat.json().error.code, 'ALREADY_EXISTS');
    const elsewhere = await nominees(registrar, holder!.id, {
      nomineeRegistryNumber: inMiranda.registryNumber,
      consent: 'in_person_signed',
    });
    assert.equal(elsewhere.statusCode, 404, 'a nominee outside the registrar’s regions');
    const unknown = await nominees(registrar, holder!.id, {
      nomineeRegistryNumber: 'VE-0000-0000',
      consent: 'in_person_signed',
    });
    assert.deepEqual(elsewhere.json(), unknown.json(), 'elsewhere and unknown answer alike');
    const otherRegistrar = await nominees(registrarM, holder!.id, {
      nomineePersonId: c!.id,
      consent: 'in_person_signed',
    });
    assert.equal(otherRegistrar.statusCode, 404);
    const badConsent = await nominees(registrar, holder!.id, {
      nomineePersonId: c!.id,
      consent: 'phoned_in',
    });
    assert.equal(badConsent.statusCode, 400);
    assert.equal(badConsent.json().error.field, 'consent');
    const both = await nominees(registrar, holder!.id, {
      nomineePersonId: c!.id,
      nomineeRegistryNumber: c!.registryNumber,
      consent: 'in_person_signed',
    });
    assert.equal(both.statusCode, 400);
    const wrongPurpose = await registrar.request({
      method: 'POST',
      url: `/api/v1/persons/${holder!.id}/nominees`,
      payload: { nomineePersonId: c!.id, consent: 'in_person_signed' },
      purpose: 'service_delivery',
    });
    assert.equal(wrongPurpose.statusCode, 403);
    assert.equal(wrongPurpose.json().error.code, 'PURPOSE_NOT_ALLOWED');
    const malformed = await registrar.request({
      method: 'POST',
      url: `/api/v1/persons/${holder!.id}/nominees`,
      payload: '{"consent": "in_person_signed", ',
      headers: { 'content-type': 'application/json' },
      purpose: 'enrolment',
    });
    assert.equal(malformed.statusCode, 400);
    assert.equal(malformed.json().error.code, 'MALFORMED_JSON');
    assert.equal((await rows()).length, before, 'no refused nominee was written');

    const third = await nominees(registrar, holder!.id, {
      nomineePersonId: c!.id,
      consent: 'in_person_witnessed',
    });
    assert.equal(third.statusCode, 201, third.body);
    const fourth = await nominees(registrar, holder!.id, {
      nomineePersonId: d!.id,
      consent: 'in_person_witnessed',
    });
    assert.equal(fourth.statusCode, 409, fourth.body);
    assert.match(fourth.json().error.message, /at most 3/);
    assert.equal((await rows()).filter((r) => r.revoked_at === null).length, 3);
    // Another beneficiary is not limited by this one's nominees.
    const other = await nominees(registrar, e!.id, {
      nomineePersonId: d!.id,
      consent: 'in_person_signed',
    });
    assert.equal(other.statusCode, 201, other.body);
  });

  it('lists nominees with a purpose, audited, and revokes one with a reason, kept', async () => {
    const [holder, a, , , d] = people;
    const url = `/api/v1/persons/${holder!.id}/nominees`;
    const noPurpose = await registrar.request({ method: 'GET', url });
    assert.equal(noPurpose.statusCode, 400);
    const listed = await registrar.request({ method: 'GET', url, purpose: 'grievance' });
    assert.equal(listed.statusCode, 200, listed.body);
    const items = listed.json().items as { id: string; nominee: { id: string }; live: boolean }[];
    assert.equal(items.length, 3);
    const read = await t.app.db.kysely
      .selectFrom('audit_log')
      .select(['subject_ids', 'purpose'])
      .where('operation', '=', 'nominee.read')
      .execute();
    assert.equal(read.length, 1);
    assert.equal(read[0]!.purpose, 'grievance');
    assert.equal(JSON.parse(read[0]!.subject_ids).length, 4, 'the holder and each nominee');
    const elsewhere = await registrarM.request({ method: 'GET', url, purpose: 'enrolment' });
    assert.equal(elsewhere.statusCode, 404);

    const ofA = items.find((n) => n.nominee.id === a!.id)!;
    const revokeUrl = `${url}/${ofA.id}/revoke`;
    const noReason = await registrar.request({
      method: 'POST',
      url: revokeUrl,
      payload: {},
      purpose: 'enrolment',
    });
    assert.equal(noReason.statusCode, 400);
    assert.equal(noReason.json().error.field, 'reason');
    const revoked = await registrar.request({
      method: 'POST',
      url: revokeUrl,
      payload: { reason: 'La beneficiaria lo pidió en la oficina' },
      purpose: 'enrolment',
    });
    assert.equal(revoked.statusCode, 200, revoked.body);
    assert.equal(revoked.json().live, false);
    assert.equal(revoked.json().revokeReason, 'La beneficiaria lo pidió en la oficina');
    const twice = await registrar.request({
      method: 'POST',
      url: revokeUrl,
      payload: { reason: 'Otra vez' },
      purpose: 'enrolment',
    });
    assert.equal(twice.statusCode, 409);
    const kept = await registrar.request({ method: 'GET', url, purpose: 'enrolment' });
    assert.equal(kept.json().items.length, 3, 'a revoked nominee is kept, never deleted');
    assert.equal(kept.json().items.filter((n: { live: boolean }) => n.live).length, 2);
    // The freed place takes a new nominee.
    const again = await nominees(registrar, holder!.id, {
      nomineePersonId: d!.id,
      consent: 'in_person_signed',
    });
    assert.equal(again.statusCode, 201, again.body);
    const wrongOwner = await registrar.request({
      method: 'POST',
      url: `/api/v1/persons/${people[5]!.id}/nominees/${ofA.id}/revoke`,
      payload: { reason: 'No es suyo' },
      purpose: 'enrolment',
    });
    assert.equal(wrongOwner.statusCode, 404, 'a nominee record belongs to its beneficiary');
  });
});
