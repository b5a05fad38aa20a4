// The card routes in-process over HTTP, on both engines: a registrar issues and prints, an
// offline verifier checks with what the public URLs publish, an operator verifies online;
// revocation, death, replacement, four-eyes rotation, bad QR text and region checks.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, it } from 'node:test';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { systemActor } from '../shared/access';
import { enrolPerson } from '../registry';
import { forEachEngine } from '../../test/support/engines';
import { distinctPerson } from '../../test/support/app';
import { signedInAgent, startTestServer } from '../../test/support/http';
import type { Agent, TestServer } from '../../test/support/http';
import { readRevocationList } from './read-revocation-list';
import { readTrustList } from './read-trust-list';
import { configureCredentials } from './service';
import { verifyCard } from './verify-card';

const marker = 'Wenceslao Yolanda';

function scan(png: Buffer): string {
  const image = PNG.sync.read(png);
  const found = jsQR(new Uint8ClampedArray(image.data), image.width, image.height);
  assert.ok(found, 'jsQR found a QR code on the card');
  return found.data;
}

forEachEngine('card routes', ({ db }) => {
  let t: TestServer;
  let registrar: Agent;
  let operator: Agent;
  let admin: Agent;
  let auditor: Agent;
  let elsewhere: Agent;
  const system = { actor: systemActor('test') };

  before(async () => {
    t = await startTestServer(db());
    configureCredentials(t.app, {
      keyEncryptionKey: randomBytes(32),
      issuer: 'https://tessera.test',
    });
    registrar = await signedInAgent(t, [{ role: 'registrar', regions: ['VE-A'] }]);
    operator = await signedInAgent(t, [{ role: 'operator', regions: ['VE-A'] }]);
    admin = await signedInAgent(t, [{ role: 'admin', regions: '*' }]);
    auditor = await signedInAgent(t, [{ role: 'auditor', regions: '*' }]);
    elsewhere = await signedInAgent(t, [{ role: 'registrar', regions: ['VE-Z'] }]);
  });
  after(async () => {
    await t.server.close();
  });

  const enrol = async (givenNames: string) =>
    (await enrolPerson(t.app, system, distinctPerson(givenNames))).id;

  async function issue(personId: string): Promise<{ serial: number; kid: string }> {
    const response = await registrar.request({
      method: 'POST',
      url: `/api/v1/persons/${personId}/cards`,
    });
    assert.equal(response.statusCode, 201, response.body);
    return response.json();
  }

  async function qrOf(serial: number): Promise<string> {
    const response = await registrar.request({
      method: 'GET',
      url: `/api/v1/cards/${serial}/face.png`,
      purpose: 'card_issuance',
    });
    assert.equal(response.statusCode, 200, response.body);
    return scan(response.rawPayload);
  }

  async function verifyOnline(qrText: string) {
    return operator.request({
      method: 'POST',
      url: '/api/v1/cards/verify',
      purpose: 'service_delivery',
      payload: { qrText },
    });
  }

  it('issue → PNG → jsQR → verify offline with the public trust and revocation lists', async () => {
    const personId = await enrol(marker);
    const card = await issue(personId);
    const png = await registrar.request({
      method: 'GET',
      url: `/api/v1/cards/${card.serial}/face.png`,
      purpose: 'card_issuance',
    });
    assert.equal(png.headers['content-type'], 'image/png');
    assert.equal(png.headers['cache-control'], 'no-store');
    const qrText = scan(png.rawPayload);
    // Anyone may download the lists: no cookie, no token.
    const trust = await t.server.inject({ method: 'GET', url: '/api/v1/trust-list' });
    const revocations = await t.server.inject({ method: 'GET', url: '/api/v1/revocations' });
    assert.equal(trust.statusCode, 200);
    assert.equal(revocations.statusCode, 200);
    assert.ok(!trust.body.includes('ciphertext') && !trust.body.includes('"d"'));
    const trustList = await readTrustList(trust.body);
    const revocationList = await readRevocationList(revocations.body, { keys: trustList.keys });
    const verdict = await verifyCard(qrText, {
      trustList,
      revocations: revocationList,
      now: t.app.now(),
    });
    assert.equal(verdict.reason, 'VALID');
    assert.equal(verdict.cardSerial, String(card.serial));
    assert.equal(verdict.claims?.firstName, marker);
  });

  it('prints SVG (front and back), a PDF and an A4 sheet; never outside the region', async () => {
    const card = await issue(await enrol('Impresa'));
    const url = `/api/v1/cards/${card.serial}`;
    const svg = await registrar.request({
      method: 'GET',
      url: `${url}/face.svg`,
      purpose: 'card_issuance',
    });
    assert.equal(svg.headers['content-type'], 'image/svg+xml');
    assert.match(svg.body, /Impresa/);
    const back = await registrar.request({
      method: 'GET',
      url: `${url}/face.svg?side=back`,
      purpose: 'card_issuance',
    });
    // The deployment's card language is Spanish unless TESSERA_CARD_LANGUAGE says otherwise.
    assert.match(back.body, /¿Perdida o robada\?/);
    const pdf = await registrar.request({
      method: 'GET',
      url: `${url}/face.pdf`,
      purpose: 'card_issuance',
    });
    assert.equal(pdf.rawPayload.subarray(0, 5).toString(), '%PDF-');
    const sheet = await registrar.request({
      method: 'GET',
      url: `/api/v1/cards/sheet.pdf?serials=${card.serial}&backs=true`,
      purpose: 'card_issuance',
    });
    assert.equal(sheet.statusCode, 200, sheet.body);
    assert.equal(sheet.headers['content-type'], 'application/pdf');
    const noPurpose = await registrar.request({ method: 'GET', url: `${url}/face.svg` });
    assert.equal(noPurpose.statusCode, 400);
    assert.equal(noPurpose.json().error.code, 'PURPOSE_REQUIRED');
    for (const request of [
      { method: 'GET' as const, url: `${url}/face.svg` },
      { method: 'GET' as const, url: `/api/v1/cards/sheet.pdf?serials=${card.serial}` },
      { method: 'POST' as const, url: `${url}/revoke`, payload: { reason: 'not my region' } },
      { method: 'POST' as const, url: `${url}/replace`, payload: { reason: 'lost' } },
    ]) {
      const response = await elsewhere.request({ ...request, purpose: 'card_issuance' });
      assert.equal(response.statusCode, 404, `${request.url}: ${response.body}`);
      assert.ok(!response.body.includes('Impresa'));
    }
  });

  it('answers alike for a card that does not exist and a card of a person in another region', async () => {
    const personId = await enrol('Lejana');
    const card = await issue(personId);
    const missingSerial = 987654321;
    const missingPerson = t.app.newId();
    const routes = [
      (serial: number) => ({ method: 'GET' as const, url: `/api/v1/cards/${serial}/face.svg` }),
      (serial: number) => ({ method: 'GET' as const, url: `/api/v1/cards/${serial}/face.png` }),
      (serial: number) => ({
        method: 'GET' as const,
        url: `/api/v1/cards/${serial}/face.pdf?side=back`,
      }),
      (serial: number) => ({
        method: 'GET' as const,
        url: `/api/v1/cards/sheet.pdf?serials=${serial}`,
      }),
      (serial: number) => ({
        method: 'POST' as const,
        url: `/api/v1/cards/${serial}/revoke`,
        payload: { reason: 'probing' },
      }),
      (serial: number) => ({
        method: 'POST' as const,
        url: `/api/v1/cards/${serial}/replace`,
        payload: { reason: 'lost' },
      }),
    ];
    // What the caller sent may be echoed; nothing else may differ.
    const answer = async (request: Record<string, unknown>, echoed: string) => {
      const response = await elsewhere.request({ ...request, purpose: 'card_issuance' } as never);
      return {
        status: response.statusCode,
        body: response.body.replaceAll(echoed, '…'),
        contentType: response.headers['content-type'],
      };
    };
    for (const route of routes) {
      const theirs = await answer(route(card.serial), String(card.serial));
      const missing = await answer(route(missingSerial), String(missingSerial));
      assert.equal(theirs.status, 404, `${route(card.serial).url}: ${theirs.body}`);
      assert.deepEqual(theirs, missing, route(card.serial).url);
    }
    for (const method of ['GET', 'POST'] as const) {
      const theirs = await answer({ method, url: `/api/v1/persons/${personId}/cards` }, personId);
      const missing = await answer(
        { method, url: `/api/v1/persons/${missingPerson}/cards` },
        missingPerson,
      );
      assert.equal(theirs.status, 404, theirs.body);
      assert.deepEqual(theirs, missing, `${method} /api/v1/persons/:id/cards`);
    }
  });

  it('verifies online with a purpose, audits the read, and refuses text that is not a card', async () => {
    const personId = await enrol('Verificada');
    const card = await issue(personId);
    const ok = await verifyOnline(await qrOf(card.serial));
    assert.equal(ok.statusCode, 200, ok.body);
    assert.equal(ok.json().valid, true);
    assert.equal(ok.json().reason, 'VALID');
    assert.equal(typeof ok.json().revocationListAgeSeconds, 'number');
    const audited = await t.app.db.kysely
      .selectFrom('audit_subjects')
      .innerJoin('audit_log', 'audit_log.id', 'audit_subjects.audit_id')
      .select(['audit_log.operation', 'audit_log.purpose', 'audit_log.actor_id'])
      .where('audit_subjects.person_id', '=', personId)
      .where('audit_log.operation', '=', 'card.verify')
      .execute();
    assert.deepEqual(audited, [
      { operation: 'card.verify', purpose: 'service_delivery', actor_id: operator.staffId },
    ]);
    const bad = await verifyOnline('this is not a card');
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().error.code, 'BAD_BASE45');
    assert.match(bad.json().error.message, /not valid Base45/);
    const huge = await verifyOnline('A'.repeat(5000));
    assert.equal(huge.statusCode, 400);
    const noPurpose = await operator.request({
      method: 'POST',
      url: '/api/v1/cards/verify',
      payload: { qrText: 'X' },
    });
    assert.equal(noPurpose.json().error.code, 'PURPOSE_REQUIRED');
  });

  it('revocation, death and replacement each make the old card REVOKED', async () => {
    const revokedPerson = await enrol('Revocada');
    const revoked = await issue(revokedPerson);
    const revokedQr = await qrOf(revoked.serial);
    const revoke = await registrar.request({
      method: 'POST',
      url: `/api/v1/cards/${revoked.serial}/revoke`,
      payload: { reason: 'issued in error' },
    });
    assert.equal(revoke.statusCode, 200, revoke.body);
    assert.equal((await verifyOnline(revokedQr)).json().reason, 'REVOKED');
    const told = await t.app.db.kysely
      .selectFrom('notice_outbox')
      .select(['template', 'params'])
      .where('person_id', '=', revokedPerson)
      .execute();
    assert.deepEqual(
      told.map((n) => n.template),
      ['card_revoked'],
      'the holder is told, in the same commit',
    );

    const deceasedId = await enrol('Fallecida');
    const deceased = await issue(deceasedId);
    const deceasedQr = await qrOf(deceased.serial);
    const death = await registrar.request({
      method: 'POST',
      url: `/api/v1/persons/${deceasedId}/events`,
      payload: { kind: 'death', occurredOn: '2026-11-20' },
    });
    assert.equal(death.statusCode, 201, death.body);
    assert.equal((await verifyOnline(deceasedQr)).json().reason, 'REVOKED');
    const listed = await registrar.request({
      method: 'GET',
      url: `/api/v1/persons/${deceasedId}/cards`,
      purpose: 'card_issuance',
    });
    assert.equal(listed.json().items[0].status, 'revoked');
    assert.equal(listed.json().items[0].revocationReason, 'death');

    const lost = await issue(await enrol('Extraviada'));
    const lostQr = await qrOf(lost.serial);
    const replace = await registrar.request({
      method: 'POST',
      url: `/api/v1/cards/${lost.serial}/replace`,
      payload: { reason: 'stolen' },
    });
    assert.equal(replace.statusCode, 201, replace.body);
    const { card } = replace.json();
    assert.equal((await verifyOnline(lostQr)).json().reason, 'REVOKED');
    assert.equal((await verifyOnline(await qrOf(card.serial))).json().reason, 'VALID');
  });

  it('refuses a card whose names do not fit the card, with the reason code', async () => {
    // Enrolment refuses names longer than a card holds; a record written before that limit
    // (restored from an older archive, say) may still carry one.
    const personId = await enrol('Nombre Largo');
    await db()
      .kysely.updateTable('persons')
      .set({ given_names: 'Nombre '.repeat(12).trim() })
      .where('id', '=', personId)
      .execute();
    const response = await registrar.request({
      method: 'POST',
      url: `/api/v1/persons/${personId}/cards`,
    });
    assert.equal(response.statusCode, 422);
    assert.equal(response.json().error.code, 'BAD_INPUT');
  });

  it('rotates the key only with a second approver; old cards still verify, new cards carry the new kid', async () => {
    const before = await issue(await enrol('Antes'));
    const beforeQr = await qrOf(before.serial);
    const asked = await admin.request({
      method: 'POST',
      url: '/api/v1/keys/rotate',
      payload: { reason: 'scheduled rotation' },
    });
    assert.equal(asked.statusCode, 202, asked.body);
    const approvalId = asked.json().id as string;
    const self = await admin.request({
      method: 'POST',
      url: `/api/v1/approvals/${approvalId}/decision`,
      payload: { approve: true, reason: 'mine' },
    });
    assert.equal(self.statusCode, 403);
    const keysBefore = await admin.request({ method: 'GET', url: '/api/v1/keys' });
    assert.equal(
      keysBefore.json().items.filter((k: { status: string }) => k.status === 'active')[0].kid,
      before.kid,
    );
    t.app.advance(60_000);
    const decided = await auditor.request({
      method: 'POST',
      url: `/api/v1/approvals/${approvalId}/decision`,
      payload: { approve: true, reason: 'checked the request' },
    });
    assert.equal(decided.statusCode, 200, decided.body);
    const keys = (await admin.request({ method: 'GET', url: '/api/v1/keys' })).json().items as {
      kid: string;
      status: string;
    }[];
    assert.ok(!JSON.stringify(keys).includes('ciphertext'));
    const active = keys.find((k) => k.status === 'active');
    assert.notEqual(active?.kid, before.kid);
    assert.equal(keys.find((k) => k.kid === before.kid)?.status, 'retired');
    assert.equal((await verifyOnline(beforeQr)).json().reason, 'VALID');
    const after = await issue(await enrol('Después'));
    assert.equal(after.kid, active?.kid);
    const verdict = (await verifyOnline(await qrOf(after.serial))).json();
    assert.equal(verdict.reason, 'VALID');
    assert.equal(verdict.kid, active?.kid);
  });
});
