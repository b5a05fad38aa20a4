// One-time codes for collecting without a card: the operator names the person by registry
// number and date of birth, and a 6-digit code goes by SMS to the phone on record (never to a
// number given at the counter). The code is stored only as a keyed hash, lasts ten minutes,
// allows three tries and one use; a person gets at most five codes an hour, so that the
// counter cannot be used to flood anyone's phone.
import { randomInt } from 'node:crypto';
import { z } from 'zod';
import { enqueueNotice } from '../notices';
import { appendAudit } from '../privacy';
import { requirePermission } from '../shared/access';
import type { AppContext, Caller } from '../shared/context';
import { DomainError } from '../shared/errors';
import { servingPoint } from './devices';
import { findNamedPerson, namedPerson, proofCodeHash } from './proofs';

/** How long a code lasts. */
export const proofCodeMinutes = 10;
/** Codes one person may be sent per hour. */
export const proofCodesPerHour = 5;

/** Asking for a code. */
export const proofCodeInput = namedPerson
  .extend({ pointId: z.string().min(1).max(64).optional() })
  .strict();

/** Sends a one-time code to the phone on record of the person named. */
export async function sendProofCode(
  app: AppContext,
  caller: Caller,
  input: z.output<typeof proofCodeInput>,
): Promise<{ codeId: string; expiresAt: string; phoneHint: string }> {
  requirePermission(caller.actor, 'proof:send');
  const db = app.db.kysely;
  const { pointId } = await servingPoint(db, caller, input.pointId);
  const person = await findNamedPerson(db, input);
  if (!person.phone)
    throw new DomainError(
      'INVALID_STATE',
      'No phone is on record for this person: use an identity document instead.',
      'registryNumber',
    );
  const at = app.now();
  const hourAgo = new Date(at.getTime() - 3600_000).toISOString();
  const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
  const codeId = app.newId();
  const expiresAt = new Date(at.getTime() + proofCodeMinutes * 60_000).toISOString();
  await app.db.transaction(async (trx) => {
    const recent = await trx
      .selectFrom('proof_codes')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('person_id', '=', person.id)
      .where('created_at', '>', hourAgo)
      .executeTakeFirstOrThrow();
    if (Number(recent.n) >= proofCodesPerHour)
      throw new DomainError(
        'RATE_LIMITED',
        'Too many codes were sent to this person in the last hour.',
        'registryNumber',
      );
    await trx
      .insertInto('proof_codes')
      .values({
        id: codeId,
        person_id: person.id,
        code_hash: proofCodeHash(app, codeId, code),
        point_id: pointId,
        requested_by: caller.actor.id,
        created_at: at.toISOString(),
        expires_at: expiresAt,
        tries: 0,
        used_at: null,
      })
      .execute();
    const point = await trx
      .selectFrom('points')
      .select(['name'])
      .where('id', '=', pointId)
      .executeTakeFirstOrThrow();
    await enqueueNotice(trx, app, person.id, 'proof_code', { point: point.name, code });
    await appendAudit(trx, app, caller, {
      operation: 'proof.send',
      permission: 'proof:send',
      subjectIds: [person.id],
      details: { codeId, pointId },
    });
  });
  return { codeId, expiresAt, phoneHint: `•••• ${person.phone.slice(-4)}` };
}
