// Issues a stored card to a person: the face holds only what the printed card shows
// (principle 4), the QR is signed with the active issuer key, and the card, its serial and
// the audit entry are written in one transaction.
import type { Selectable } from 'kysely';
import { requirePermission } from '../shared/access';
import type { Queryable } from '../db';
import { appendAudit } from '../privacy';
import { loadPersonInRegion } from '../registry';
import type { PersonsTable } from '../registry';
import type { AppContext, Caller } from '../shared/context';
import { DomainError } from '../shared/errors';
import { activeOrNewKeyRow } from './create-issuer-key';
import { noSurnames } from './encode-card-claims';
import { issueCard } from './issue-card';
import { signingKeyOf } from './load-signing-key';
import { credentialSettings } from './settings';
import { nextSerial, presentCard, transactionWithRetry } from './store';
import type { CardRow, CardSummary } from './store';
import type { CardFace, SigningKey } from './types';

const dayMs = 24 * 60 * 60 * 1000;

/** What a card is made from: the person's printed fields, region and status. */
export type PersonForCard = Pick<
  Selectable<PersonsTable>,
  | 'id'
  | 'registry_number'
  | 'given_names'
  | 'surname1'
  | 'surname2'
  | 'birth_date'
  | 'sex'
  | 'region_code'
  | 'status'
>;

const sexOnCard = { F: 'female', M: 'male', X: 'other' } as const;

/** The printed face of a person's card: registry number, names, birth date, sex if recorded. */
export function faceOf(person: PersonForCard): CardFace {
  const surnames = [person.surname1, person.surname2].filter((s): s is string => !!s).join(' ');
  return {
    registryNumber: person.registry_number,
    givenNames: person.given_names,
    // A person recorded without surnames still gets a card; the face shows a dash, as signed.
    surnames: surnames || noSurnames,
    dateOfBirth: person.birth_date,
    ...(person.sex ? { sex: sexOnCard[person.sex] } : {}),
  };
}

/** Loads the person a card is for, inside the caller's regions for card:issue. */
export async function personForCard(
  trx: Queryable,
  caller: Caller,
  personId: string,
): Promise<PersonForCard> {
  const person = await loadPersonInRegion(trx, caller, personId, 'card:issue');
  if (person.status !== 'active') {
    throw new DomainError(
      'INVALID_STATE',
      `The person is ${person.status}; no card can be issued.`,
    );
  }
  return person;
}

/** When a card issued at `now` is dated (whole seconds, as signed) and when it expires. */
export function cardValidity(app: AppContext, now: Date): { issuedAt: Date; expiresAt: Date } {
  const issuedAt = new Date(Math.floor(now.getTime() / 1000) * 1000);
  const days = credentialSettings(app).cardValidityDays;
  return { issuedAt, expiresAt: new Date(issuedAt.getTime() + days * dayMs) };
}

/** A person's card row, signed with `key` (of `kid`) under `serial`; not yet inserted. */
export async function signedCardRow(
  app: AppContext,
  caller: Caller,
  person: PersonForCard,
  signing: { serial: number; kid: string; key: SigningKey; issuedAt: Date; expiresAt: Date },
): Promise<CardRow> {
  const { serial, kid, key, issuedAt, expiresAt } = signing;
  const face = faceOf(person);
  const { qrText } = await issueCard({
    face,
    serial,
    issuer: credentialSettings(app).issuer,
    key,
    issuedAt,
    expiresAt,
  });
  return {
    serial,
    person_id: person.id,
    kid,
    status: 'active',
    issued_at: issuedAt.toISOString(),
    expires_at: expiresAt.toISOString(),
    issued_by: caller.actor.id,
    qr_text: qrText,
    face: JSON.stringify(face),
    revoked_at: null,
    revoked_by: null,
    revocation_reason: null,
    replaced_by: null,
  };
}

/** Signs and inserts a new card for a person who holds no active card. */
export async function insertCard(
  trx: Queryable,
  app: AppContext,
  caller: Caller,
  person: PersonForCard,
): Promise<CardRow> {
  const keyRow = await activeOrNewKeyRow(trx, app);
  const row = await signedCardRow(app, caller, person, {
    serial: await nextSerial(trx),
    kid: keyRow.kid,
    key: await signingKeyOf(app, keyRow),
    ...cardValidity(app, app.now()),
  });
  await trx.insertInto('cards').values(row).execute();
  return row;
}

/** Records as expired the person's cards whose validity has run out, so a new one may be issued. */
async function expireLapsedCards(trx: Queryable, app: AppContext, personId: string): Promise<void> {
  await trx
    .updateTable('cards')
    .set({ status: 'expired' })
    .where('person_id', '=', personId)
    .where('status', '=', 'active')
    .where('expires_at', '<=', app.now().toISOString())
    .execute();
}

/** Issues a card to an active person who holds no valid card (else: replace it). */
export async function issuePersonCard(
  app: AppContext,
  caller: Caller,
  personId: string,
): Promise<CardSummary> {
  requirePermission(caller.actor, 'card:issue');
  return transactionWithRetry(app, async (trx) => {
    const person = await personForCard(trx, caller, personId);
    await expireLapsedCards(trx, app, person.id);
    const held = await trx
      .selectFrom('cards')
      .select('serial')
      .where('person_id', '=', person.id)
      .where('status', '=', 'active')
      .executeTakeFirst();
    if (held) {
      throw new DomainError(
        'CONFLICT',
        `The person already holds card ${held.serial}; replace it (lost, stolen or damaged) instead.`,
        'personId',
        { serial: Number(held.serial) },
      );
    }
    const card = await insertCard(trx, app, caller, person);
    await appendAudit(trx, app, caller, {
      operation: 'card.issue',
      permission: 'card:issue',
      subjectIds: [person.id],
      details: { serial: card.serial, kid: card.kid, expiresAt: card.expires_at },
    });
    return presentCard(card, app.now());
  });
}
