// Who is standing at the counter, and how we know (principle 2: the card is one proof among
// several, never a condition). A card is verified against the current lists; without one (or
// when it fails), the registry number and date of birth with a one-time code sent to the phone
// on record, or an identity document the operator checked and attests with a reason. Every
// proof kind is recorded with the redemption. The person proven may collect for the holder
// when they are the holder, a nominee the holder designated, or (for a household's benefit) a
// member of that household.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { qrTextCharsMax } from '../credentials';
import { preparedQuery, type Queryable } from '../db';
import type { AppContext } from '../shared/context';
import { DomainError } from '../shared/errors';
import { verifyAtPoint } from './card-lists';

/** Identity documents an operator may attest. */
export const documentTypes = ['national_id', 'passport', 'birth_certificate', 'other'] as const;

const registryNumber = z.string().trim().min(4).max(32);
const birthDate = z
  .string()
  .regex(/^\d{4}(-\d{2}(-\d{2})?)?$/, 'must be a date of birth as YYYY-MM-DD (or YYYY-MM, YYYY)');

/** A person named without a card: registry number and date of birth. */
export const namedPerson = z.object({ registryNumber, birthDate }).strict();

/** A proof of identity, as presented at the counter. */
export const proofInput = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('card'), qrText: z.string().min(1).max(qrTextCharsMax) }).strict(),
  z
    .object({
      kind: z.literal('sms_code'),
      codeId: z.string().min(1).max(64),
      code: z.string().regex(/^\d{6}$/, 'must be the 6-digit code the person received'),
    })
    .strict(),
  z
    .object({
      kind: z.literal('document'),
      registryNumber,
      birthDate,
      documentType: z.enum(documentTypes),
      documentNumber: z.string().trim().min(3).max(40),
      reason: z.string().trim().min(5).max(300),
    })
    .strict(),
]);
/** A proof of identity, validated. */
export type ProofInput = z.output<typeof proofInput>;

/** Who a proof showed, and what to record of it. */
export interface ProvenPerson {
  personId: string;
  kind: ProofInput['kind'];
  /** What is kept with the redemption: never the QR text or the code. */
  details: Record<string, string>;
  /** For sms_code: the code row to mark used inside the redemption's transaction. */
  codeId?: string;
}

/** Tries of a one-time code before it is spent. */
export const proofCodeTriesMax = 3;

/** The keyed hash a one-time code is stored as. */
export function proofCodeHash(app: AppContext, codeId: string, code: string): string {
  return createHmac('sha256', app.config.dataKey)
    .update(`proof-code:${codeId}:${code}`)
    .digest('hex');
}

const personByNumber = preparedQuery(1, (db, registryNumber: string) =>
  db
    .selectFrom('persons')
    .select([
      'id',
      'birth_date',
      'status',
      'phone',
      'registry_number',
      'given_names',
      'surname1',
      'household_id',
    ])
    .where('registry_number', '=', registryNumber),
);

/** A person found by registry number and date of birth, with what a counter shows of them. */
export interface NamedPerson {
  id: string;
  phone: string | null;
  registryNumber: string;
  /** Given names and first surname, as a point of service shows them. */
  displayName: string;
  householdId: string | null;
}

/** The active person with this registry number and date of birth, or a refusal. */
export async function findNamedPerson(
  db: Queryable,
  input: z.output<typeof namedPerson>,
): Promise<NamedPerson> {
  const row = (await personByNumber(db, input.registryNumber)).rows[0];
  // One answer for "no such number" and "wrong date of birth": probing learns nothing.
  if (!row || row.status !== 'active' || row.birth_date !== input.birthDate)
    throw new DomainError(
      'NOT_FOUND',
      'No active person has that registry number and date of birth.',
      'registryNumber',
    );
  return {
    id: row.id,
    phone: row.phone,
    registryNumber: row.registry_number,
    displayName: [row.given_names, row.surname1].filter(Boolean).join(' '),
    householdId: row.household_id,
  };
}

/**
 * Checks a proof and says whom it proves. A card that is not valid is refused with its
 * verdict's reason — and the operator is offered the other proofs on the same screen.
 */
export async function checkProof(app: AppContext, proof: ProofInput): Promise<ProvenPerson> {
  const db = app.db.kysely;
  switch (proof.kind) {
    case 'card': {
      const verdict = await verifyAtPoint(app, proof.qrText);
      if (!verdict.valid || !verdict.claims?.id)
        throw new DomainError(
          'INVALID_STATE',
          `The card was not accepted: ${verdict.message} Use another proof of identity.`,
          'proof',
          { reason: verdict.reason },
        );
      const person = await db
        .selectFrom('persons')
        .select(['id', 'status'])
        .where('registry_number', '=', verdict.claims.id)
        .executeTakeFirst();
      if (!person || person.status !== 'active')
        throw new DomainError('NOT_FOUND', 'The card holder has no active record.', 'proof');
      return {
        personId: person.id,
        kind: 'card',
        details: { serial: verdict.cardSerial ?? '', kid: verdict.kid ?? '' },
      };
    }
    case 'sms_code': {
      const row = await db
        .selectFrom('proof_codes')
        .selectAll()
        .where('id', '=', proof.codeId)
        .executeTakeFirst();
      const now = app.now().toISOString();
      if (!row || row.used_at || row.expires_at <= now || row.tries >= proofCodeTriesMax)
        throw new DomainError(
          'INVALID_STATE',
          'That code has expired or was already used: send a new one.',
          'proof.code',
        );
      const expected = Buffer.from(row.code_hash, 'hex');
      const given = Buffer.from(proofCodeHash(app, row.id, proof.code), 'hex');
      if (!timingSafeEqual(expected, given)) {
        await db
          .updateTable('proof_codes')
          .set((eb) => ({ tries: eb('tries', '+', 1) }))
          .where('id', '=', row.id)
          .execute();
        throw new DomainError(
          'VALIDATION_FAILED',
          'proof.code: that code is not right.',
          'proof.code',
          {
            triesLeft: Math.max(0, proofCodeTriesMax - row.tries - 1),
          },
        );
      }
      return {
        personId: row.person_id,
        kind: 'sms_code',
        details: { codeId: row.id },
        codeId: row.id,
      };
    }
    case 'document': {
      const person = await findNamedPerson(db, proof);
      return {
        personId: person.id,
        kind: 'document',
        details: {
          documentType: proof.documentType,
          documentNumber: proof.documentNumber,
          reason: proof.reason,
        },
      };
    }
  }
}

/** How the proven person relates to the holder, or a refusal. */
export async function collectorRole(
  db: Queryable,
  holderId: string,
  householdId: string | null,
  target: 'person' | 'household',
  presenterId: string,
): Promise<'holder' | 'nominee' | 'household_member'> {
  if (presenterId === holderId) return 'holder';
  const nominee = await db
    .selectFrom('nominees')
    .select('id')
    .where('beneficiary_id', '=', holderId)
    .where('nominee_id', '=', presenterId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  if (nominee) return 'nominee';
  if (target === 'household' && householdId) {
    const member = await db
      .selectFrom('persons')
      .select('id')
      .where('id', '=', presenterId)
      .where('household_id', '=', householdId)
      .where('status', '=', 'active')
      .executeTakeFirst();
    if (member) return 'household_member';
  }
  throw new DomainError(
    'FORBIDDEN',
    'The person proven is not the holder, their nominee, or (for a household benefit) a member of the household.',
    'proof',
  );
}
