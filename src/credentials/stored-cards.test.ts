// The stored card service on both engines: issue → print → scan with an independent QR
// decoder (jsQR) → verify offline with the published lists; revocation, death, replacement,
// expiry, four-eyes key rotation, and keys that never leave the database in the clear.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { before, it } from 'node:test';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { systemActor } from '../shared/access';
import { wireDomains } from '../app';
import { decideApproval } from '../privacy';
import { correctPerson, enrolPerson, personInput, recordLifeEvent } from '../registry';
import type { AppContext, Caller } from '../shared/context';
import { DomainError } from '../shared/errors';
import { nameCharsMax } from '../shared/limits';
import { parseInput } from '../shared/validate';
import { forEachEngine } from '../../test/support/engines';
import { distinctPerson, staff, testApp } from '../../test/support/app';
import { readRevocationList } from './read-revocation-list';
import { readTrustList } from './read-trust-list';
import {
  configureCredentials,
  createIssuerKey,
  currentRevocationList,
  currentTrustList,
  issuePersonCard,
  listIssuerKeys,
  listPersonCards,
  renderStoredCard,
  replaceCard,
  replaceCardInput,
  requestKeyRotation,
  revokeCard,
} from './service';
import { verifyCard } from './verify-card';
import type { CardVerdict } from './verify-card';

const dayMs = 24 * 60 * 60 * 1000;

/** What an offline verifier does: download both lists, check them, verify the QR text. */
async function verifyOffline(app: AppContext, qrText: string): Promise<CardVerdict> {
  const trustList = await readTrustList(await currentTrustList(app));
  const revocations = await readRevocationList(await currentRevocationList(app), {
    keys: trustList.keys,
  });
  return verifyCard(qrText, { trustList, revocations, now: app.now() });
}

function scan(png: Buffer): string | undefined {
  const image = PNG.sync.read(png);
  return jsQR(new Uint8ClampedArray(image.data), image.width, image.height)?.data;
}

async function qrTextOf(app: AppContext, serial: number): Promise<string> {
  const row = await app.db.kysely
    .selectFrom('cards')
    .select('qr_text')
    .where('serial', '=', serial)
    .executeTakeFirstOrThrow();
  return row.qr_text;
}

function refusedWith(code: string) {
  return (error: unknown) => error instanceof DomainError && error.code === code;
}

function invalidField(field: string) {
  return (error: unknown) => {
    assert.ok(error instanceof DomainError, String(error));
    assert.equal(error.code, 'VALIDATION_FAILED', error.message);
    assert.equal(error.field, field, error.message);
    return true;
  };
}

/** A name of `length` varied letters, so that compression gains nothing a real name would not give. */
function longName(length: number, offset: number): string {
  const letters = [...'abcdefghijklmnopqrstuvwxyzáéíóúñü'];
  const rest = Array.from({ length: length - 1 }, (_, i) => letters[(i * 7 + offset) % 33]);
  return ['Á', ...rest].join('');
}

forEachEngine('stored cards', ({ db }) => {
  let app: ReturnType<typeof testApp>;
  const system: Caller = { actor: systemActor('test') };
  const registrar = staff('registrar', ['VE-A'], 'card_issuance');
  const elsewhere = staff('registrar', ['VE-Z'], 'card_issuance');
  // Parsed at the edge, as the route does: enrolment's limits live in its schema.
  const enrol = async (overrides: Record<string, unknown> = {}) =>
    (
      await enrolPerson(
        app,
        system,
        parseInput(personInput, { ...distinctPerson('Persona'), ...overrides }),
      )
    ).id;

  before(() => {
    app = testApp(db());
    wireDomains(app);
    configureCredentials(app, {
      keyEncryptionKey: randomBytes(32),
      issuer: 'https://tessera.test',
    });
  });

  it('issues a card that prints, scans with jsQR and verifies with the published lists', async () => {
    const personId = await enrol();
    const card = await issuePersonCard(app, registrar, personId);
    assert.equal(card.status, 'active');
    assert.equal(card.personId, personId);
    const png = await renderStoredCard(app, registrar, card.serial, { format: 'png' });
    assert.equal(png.contentType, 'image/png');
    const scanned = scan(png.body);
    assert.equal(scanned, await qrTextOf(app, card.serial));
    app.advance(3 * dayMs);
    const verdict = await verifyOffline(app, scanned ?? '');
    assert.equal(verdict.reason, 'VALID');
    assert.equal(verdict.cardSerial, String(card.serial));
    assert.equal(verdict.kid, card.kid);
    assert.equal(verdict.revocationChecked, true);
    assert.equal(typeof verdict.revocationListAgeSeconds, 'number');
    // Principle 4: the QR holds what the face shows and nothing else (no address, no phone).
    assert.deepEqual(Object.keys(verdict.claims ?? {}).sort(), [
      'dateOfBirth',
      'firstName',
      'fullName',
      'gender',
      'id',
      'lastName',
    ]);
    const person = await app.db.kysely
      .selectFrom('persons')
      .select(['surname1', 'surname2'])
      .where('id', '=', personId)
      .executeTakeFirstOrThrow();
    assert.equal(verdict.claims?.lastName, `${person.surname1} ${person.surname2}`);
    const operations = await app.db.kysely
      .selectFrom('audit_subjects')
      .innerJoin('audit_log', 'audit_log.id', 'audit_subjects.audit_id')
      .select(['audit_log.operation', 'audit_log.purpose'])
      .where('audit_subjects.person_id', '=', personId)
      .execute();
    assert.ok(operations.some((a) => a.operation === 'card.issue'));
    assert.ok(
      operations.some((a) => a.operation === 'card.render' && a.purpose === 'card_issuance'),
    );
  });

  it('refuses a second card while one is active, and anyone outside the region', async () => {
    const personId = await enrol({ givenNames: 'Ana Lucía' });
    await issuePersonCard(app, registrar, personId);
    await assert.rejects(issuePersonCard(app, registrar, personId), refusedWith('CONFLICT'));
    const other = await enrol({ givenNames: 'Otra Región' });
    await assert.rejects(issuePersonCard(app, elsewhere, other), refusedWith('NOT_FOUND'));
    await assert.rejects(
      issuePersonCard(app, staff('operator', '*'), other),
      refusedWith('FORBIDDEN'),
    );
    await assert.rejects(listPersonCards(app, elsewhere, personId), refusedWith('NOT_FOUND'));
    const { serial } = (await listPersonCards(app, registrar, personId))[0]!;
    await assert.rejects(
      renderStoredCard(app, elsewhere, serial, { format: 'svg' }),
      refusedWith('NOT_FOUND'),
    );
    await assert.rejects(
      revokeCard(app, elsewhere, serial, { reason: 'not yours' }),
      refusedWith('NOT_FOUND'),
    );
    const cards = await app.db.kysely
      .selectFrom('cards')
      .select('serial')
      .where('person_id', '=', other)
      .execute();
    assert.equal(cards.length, 0);
  });

  it('a revoked card is refused as REVOKED by a verifier with the new list', async () => {
    const personId = await enrol({ givenNames: 'Revocada' });
    const card = await issuePersonCard(app, registrar, personId);
    const qrText = await qrTextOf(app, card.serial);
    assert.equal((await verifyOffline(app, qrText)).reason, 'VALID');
    const revoked = await revokeCard(app, registrar, card.serial, { reason: 'issued in error' });
    assert.equal(revoked.status, 'revoked');
    assert.equal((await verifyOffline(app, qrText)).reason, 'REVOKED');
    await assert.rejects(
      revokeCard(app, registrar, card.serial, { reason: 'again' }),
      refusedWith('INVALID_STATE'),
    );
    await assert.rejects(
      renderStoredCard(app, registrar, card.serial, { format: 'png' }),
      refusedWith('INVALID_STATE'),
    );
  });

  it('registering a death revokes the card in the same transaction', async () => {
    const personId = await enrol({ givenNames: 'Fallecido' });
    const card = await issuePersonCard(app, registrar, personId);
    await recordLifeEvent(app, staff('registrar', ['VE-A']), personId, {
      kind: 'death',
      occurredOn: '2026-11-01',
    });
    const [after] = await listPersonCards(app, registrar, personId);
    assert.equal(after?.status, 'revoked');
    assert.equal(after?.revocationReason, 'death');
    assert.equal((await verifyOffline(app, await qrTextOf(app, card.serial))).reason, 'REVOKED');
    await assert.rejects(issuePersonCard(app, registrar, personId), refusedWith('INVALID_STATE'));
  });

  it('replacing a lost card revokes the old one; the new one verifies', async () => {
    const personId = await enrol({ givenNames: 'Perdida' });
    const old = await issuePersonCard(app, registrar, personId);
    assert.throws(
      () => parseInput(replaceCardInput, { reason: 'misplaced' }),
      refusedWith('VALIDATION_FAILED'),
    );
    const { old: before, card } = await replaceCard(app, registrar, old.serial, { reason: 'lost' });
    assert.equal(before.status, 'revoked');
    assert.equal(before.replacedBy, card.serial);
    assert.notEqual(card.serial, old.serial);
    assert.equal((await verifyOffline(app, await qrTextOf(app, old.serial))).reason, 'REVOKED');
    assert.equal((await verifyOffline(app, await qrTextOf(app, card.serial))).reason, 'VALID');
    const damaged = await replaceCard(app, registrar, card.serial, { reason: 'damaged' });
    assert.equal(damaged.old.status, 'replaced');
    assert.equal((await verifyOffline(app, await qrTextOf(app, card.serial))).reason, 'REVOKED');
  });

  it('an expired card is refused as EXPIRED, shown as expired, and a new one may be issued', async () => {
    const personId = await enrol({ givenNames: 'Caducada' });
    const card = await issuePersonCard(app, registrar, personId);
    app.advance(6 * 365 * dayMs);
    assert.equal((await verifyOffline(app, await qrTextOf(app, card.serial))).reason, 'EXPIRED');
    assert.equal((await listPersonCards(app, registrar, personId))[0]?.status, 'expired');
    const renewed = await issuePersonCard(app, registrar, personId);
    assert.equal(renewed.status, 'active');
    assert.equal((await listPersonCards(app, registrar, personId))[1]?.status, 'expired');
  });

  it('rotation needs a second approver; old cards still verify, new cards carry the new kid', async () => {
    const personId = await enrol({ givenNames: 'Antes Rotación' });
    const oldCard = await issuePersonCard(app, registrar, personId);
    const admin = staff('admin');
    await assert.rejects(
      requestKeyRotation(app, registrar, { reason: 'yearly rotation' }),
      refusedWith('FORBIDDEN'),
    );
    const request = await requestKeyRotation(app, admin, { reason: 'yearly rotation' });
    assert.equal(request.status, 'pending');
    assert.equal(
      (await listIssuerKeys(app, admin)).filter((k) => k.status === 'active')[0]?.kid,
      oldCard.kid,
    );
    await assert.rejects(
      decideApproval(app, admin, request.id, { approve: true, reason: 'self-approval' }),
      refusedWith('FORBIDDEN'),
    );
    app.advance(60_000);
    const decided = await decideApproval(app, staff('auditor'), request.id, {
      approve: true,
      reason: 'checked',
    });
    assert.equal(decided.status, 'approved');
    const keys = await listIssuerKeys(app, admin);
    const active = keys.filter((k) => k.status === 'active');
    assert.equal(active.length, 1);
    assert.notEqual(active[0]?.kid, oldCard.kid);
    const retired = keys.find((k) => k.kid === oldCard.kid);
    assert.equal(retired?.status, 'retired');
    assert.ok(
      (retired?.notAfter ?? '') >= oldCard.expiresAt,
      'trusted until its last card expires',
    );
    const trust = await readTrustList(await currentTrustList(app));
    assert.deepEqual(
      new Set(trust.keys.map((k) => k.kid)),
      new Set(
        keys
          .filter((k) => k.status === 'active' || (k.notAfter ?? '') > app.now().toISOString())
          .map((k) => k.kid),
      ),
    );
    assert.equal((await verifyOffline(app, await qrTextOf(app, oldCard.serial))).reason, 'VALID');
    const newCard = await issuePersonCard(app, registrar, await enrol({ givenNames: 'Después' }));
    assert.equal(newCard.kid, active[0]?.kid);
    const verdict = await verifyOffline(app, await qrTextOf(app, newCard.serial));
    assert.equal(verdict.reason, 'VALID');
    assert.equal(verdict.kid, newCard.kid);
  });

  it('cards the longest names enrolment accepts, and enrolment refuses longer ones', async () => {
    // The card prints the given names, and both surnames joined by a space: each at most
    // nameCharsMax characters, which is what enrolment accepts.
    const givenNames = longName(nameCharsMax, 3);
    const surname1 = longName(31, 5);
    const surname2 = longName(nameCharsMax - 32, 11);
    assert.equal(`${surname1} ${surname2}`.length, nameCharsMax);
    const personId = await enrol({ givenNames, surname1, surname2 });
    const card = await issuePersonCard(app, registrar, personId);
    const png = await renderStoredCard(app, registrar, card.serial, { format: 'png' });
    const scanned = scan(png.body);
    assert.equal(scanned, await qrTextOf(app, card.serial));
    const verdict = await verifyOffline(app, scanned ?? '');
    assert.equal(verdict.reason, 'VALID');
    assert.equal(verdict.claims?.firstName, givenNames);
    assert.equal(verdict.claims?.lastName, `${surname1} ${surname2}`);

    // One character more, in either card field, is refused at enrolment, naming the field.
    await assert.rejects(
      enrol({ givenNames: longName(nameCharsMax + 1, 3) }),
      invalidField('givenNames'),
    );
    await assert.rejects(
      enrol({ givenNames, surname1: longName(32, 5), surname2 }),
      invalidField('surname2'),
    );
    await assert.rejects(
      enrol({ givenNames, surname1: longName(nameCharsMax + 1, 5), surname2: null }),
      invalidField('surname1'),
    );
    // Characters are counted as the card counts them, after NFC: a decomposed accent is one
    // character, and a letter that NFC decomposes (Devanagari qa, U+0958) is two.
    const decomposed = givenNames.normalize('NFD');
    assert.ok(decomposed.length > nameCharsMax);
    const accepted = await enrol({ givenNames: decomposed, surname1: 'Ruiz', surname2: null });
    assert.ok(accepted);
    await assert.rejects(
      enrol({ givenNames: '\u0958'.repeat(nameCharsMax / 2 + 1), surname1: 'Ruiz' }),
      invalidField('givenNames'),
    );
    // Nor can a correction or a name change make the surnames too long for a card.
    await assert.rejects(
      correctPerson(app, system, personId, { surname1: longName(32, 5), reason: 'typo' }),
      invalidField('surname2'),
    );
    await assert.rejects(
      recordLifeEvent(app, system, personId, {
        kind: 'name_change',
        occurredOn: '2024-01-02',
        surname2: longName(nameCharsMax - 31, 11),
        reason: 'marriage',
      }),
      invalidField('surname2'),
    );
  });

  it('keeps private keys encrypted at rest and out of every listing', async () => {
    // The first card issued creates the issuer key, if no earlier test has.
    await issuePersonCard(app, registrar, await enrol({ givenNames: 'Clave Cifrada' }));
    const rows = await app.db.kysely.selectFrom('issuer_keys').selectAll().execute();
    assert.ok(rows.length >= 1);
    for (const row of rows) {
      const stored = JSON.parse(row.private_key) as Record<string, unknown>;
      assert.deepEqual(Object.keys(stored).sort(), [
        'alg',
        'ciphertext',
        'iv',
        'kid',
        'tag',
        'version',
      ]);
      assert.equal(JSON.parse(row.public_jwk).d, undefined);
    }
    const listed = JSON.stringify(await listIssuerKeys(app, staff('admin')));
    assert.ok(!listed.includes('ciphertext') && !listed.includes('"d"'));
    const trust = JSON.stringify(await currentTrustList(app));
    assert.ok(!trust.includes('ciphertext'));
    // A server with the wrong key-encryption key cannot sign: it refuses, it does not guess.
    const wrong = testApp(db());
    wireDomains(wrong);
    configureCredentials(wrong, { keyEncryptionKey: randomBytes(32) });
    await assert.rejects(
      issuePersonCard(wrong, registrar, await enrol({ givenNames: 'Clave Errónea' })),
      (error: unknown) => (error as { code?: string }).code === 'BAD_KEY',
    );
    await assert.rejects(createIssuerKey(app, staff('admin')), refusedWith('CONFLICT'));
  });
});
