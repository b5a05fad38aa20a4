// The PIN a cardholder confirms a wallet payment with. Four to six digits, never an obvious
// one; stored as a slow hash (scrypt) of an HMAC keyed by the deployment's data key, so that a
// copy of the database alone does not let anyone try the 10,000 four-digit PINs offline. Three
// wrong tries lock it for a quarter of an hour; it is set or reset only at a registration
// office, by a registrar who checked the person's identity document, with a purpose, audited.
import { createHmac } from 'node:crypto';
import { sql } from 'kysely';
import { z } from 'zod';
import { hashPassword, verifyPassword } from '../auth';
import { appendAudit } from '../privacy';
import { loadPersonInRegion } from '../registry';
import { humanOf, requirePermission } from '../shared/access';
import type { AppContext, Caller } from '../shared/context';
import { DomainError } from '../shared/errors';
import { reason } from '../shared/schemas';
import { identityDocuments } from './wallet-documents';

/** Wrong tries before a PIN locks. */
export const pinTriesMax = 3;
/** How long a locked PIN stays locked. */
export const pinLockMs = 15 * 60 * 1000;

export { identityDocuments };

/** Setting or resetting a PIN at a registration office. */
export const pinInput = z
  .object({
    pin: z.string().regex(/^\d{4,6}$/, 'must be 4 to 6 digits'),
    /** The document the registrar checked the person's identity with. */
    identityDocument: z.enum(identityDocuments),
    reason,
  })
  .strict();
/** Setting or resetting a PIN, validated. */
export type PinInput = z.output<typeof pinInput>;

/** Why a PIN is too easy to guess. */
export type WeakPin = 'repeated' | 'run' | 'birth_year';

const weakPinWords: Record<WeakPin, string> = {
  repeated: 'all its digits are the same',
  run: 'its digits run in order',
  birth_year: 'it contains the birth year',
};

/** Why a PIN is too easy to guess, or null: repeated digits, runs, or the person's birth year. */
export function weakPin(pin: string, birthDate: string): WeakPin | null {
  if (/^(\d)\1+$/.test(pin)) return 'repeated';
  const digits = [...pin].map(Number);
  const steps = digits.slice(1).map((d, i) => d - digits[i]!);
  if (steps.every((s) => s === 1) || steps.every((s) => s === -1)) return 'run';
  if (pin.includes(birthDate.slice(0, 4))) return 'birth_year';
  return null;
}

function pepper(app: AppContext, personId: string, pin: string): string {
  return createHmac('sha256', app.config.dataKey)
    .update(`tessera.wallet.pin\n${personId}\n${pin}`)
    .digest('base64url');
}

/** Sets or resets a person's wallet PIN (registration office only); clears any lock. */
export async function setWalletPin(
  app: AppContext,
  caller: Caller,
  personId: string,
  input: PinInput,
): Promise<{ setAt: string }> {
  requirePermission(caller.actor, 'wallet:pin');
  if (!caller.purpose)
    throw new DomainError(
      'PURPOSE_REQUIRED',
      'Setting a PIN reads the person’s record: declare a purpose.',
      'purpose',
    );
  // The hash is slow on purpose: made before the transaction, so no lock waits on it.
  const hash = await hashPassword(pepper(app, personId, input.pin));
  return app.db.transaction(async (trx) => {
    const person = await loadPersonInRegion(trx, caller, personId, 'wallet:pin');
    if (person.status !== 'active')
      throw new DomainError('INVALID_STATE', 'Only an active person has a wallet PIN.', 'personId');
    const weak = weakPin(input.pin, person.birth_date);
    if (weak)
      throw new DomainError(
        'VALIDATION_FAILED',
        `pin: too easy to guess (${weakPinWords[weak]}); choose another`,
        'pin',
        { weak },
      );
    const at = app.now().toISOString();
    const row = {
      pin_hash: hash,
      failed_tries: 0,
      locked_until: null,
      set_at: at,
      set_by: humanOf(caller.actor),
    };
    await trx
      .insertInto('wallet_pins')
      .values({ person_id: personId, ...row })
      .onConflict((oc) => oc.column('person_id').doUpdateSet(row))
      .execute();
    await appendAudit(trx, app, caller, {
      operation: 'wallet.pin_set',
      permission: 'wallet:pin',
      subjectIds: [personId],
      details: { identityDocument: input.identityDocument, reason: input.reason },
    });
    return { setAt: at };
  });
}

/** What checking a PIN found. */
export type PinCheck =
  | { ok: true }
  | { ok: false; reason: 'no_pin' }
  | { ok: false; reason: 'wrong'; triesLeft: number }
  | { ok: false; reason: 'locked'; lockedUntil: string };

/**
 * Checks a person's PIN and counts the try. The slow hash is compared outside any
 * transaction, so that no write lock waits on it (on SQLite every writer would); the count
 * is then one atomic update, so that concurrent wrong tries each count.
 */
export async function checkWalletPin(
  app: AppContext,
  personId: string,
  pin: string,
): Promise<PinCheck> {
  const db = app.db.kysely;
  const row = await db
    .selectFrom('wallet_pins')
    .selectAll()
    .where('person_id', '=', personId)
    .executeTakeFirst();
  if (!row) return { ok: false, reason: 'no_pin' };
  const now = app.now();
  if (row.locked_until && row.locked_until > now.toISOString())
    return { ok: false, reason: 'locked', lockedUntil: row.locked_until };
  const right =
    /^\d{4,6}$/.test(pin) && (await verifyPassword(pepper(app, personId, pin), row.pin_hash));
  if (right) {
    if (row.failed_tries > 0 || row.locked_until)
      await db
        .updateTable('wallet_pins')
        .set({ failed_tries: 0, locked_until: null })
        .where('person_id', '=', personId)
        .where('pin_hash', '=', row.pin_hash)
        .execute();
    return { ok: true };
  }
  return app.db.transaction(async (trx) => {
    // A lock that has run out starts a fresh count.
    const counted = await trx
      .updateTable('wallet_pins')
      .set({
        failed_tries: sql<number>`case when locked_until is not null and locked_until <= ${now.toISOString()} then 1 else failed_tries + 1 end`,
      })
      .where('person_id', '=', personId)
      .returning(['failed_tries', 'locked_until'])
      .executeTakeFirstOrThrow();
    if (counted.locked_until && counted.locked_until > now.toISOString())
      return { ok: false, reason: 'locked', lockedUntil: counted.locked_until };
    if (counted.failed_tries < pinTriesMax)
      return { ok: false, reason: 'wrong', triesLeft: pinTriesMax - counted.failed_tries };
    const lockedUntil = new Date(now.getTime() + pinLockMs).toISOString();
    await trx
      .updateTable('wallet_pins')
      .set({ failed_tries: 0, locked_until: lockedUntil })
      .where('person_id', '=', personId)
      .execute();
    return { ok: false, reason: 'locked', lockedUntil };
  });
}
