// Signing in to the cardholder portal: registry number and date of birth, then a 6-digit code
// sent by SMS to the phone on record (never to a number typed here). The answer to the first
// step is the same whether or not the details match anyone — a challenge id and an expiry —
// so the form cannot be used to learn who is registered; for details that match nobody (or a
// person without a phone, or one whose codes are used up or locked) a decoy challenge is kept
// that no code opens. A code is stored only as a keyed hash, lasts ten minutes, allows three
// tries and one use; five wrong codes in an hour pause the person's sign-in for thirty
// minutes; each person gets at most three codes an hour and each address thirty requests.
// The session is the portal's own: its own table and cookie, thirty minutes at most, ten idle,
// and an actor that holds no staff permission.
import { createHash, createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { Queryable } from '../db';
import type { CardholderSession } from '../http/server';
import { enqueueNotice } from '../notices';
import { appendAudit } from '../privacy';
import { parseRegistryNumber } from '../registry';
import { cardholderActor, systemActor } from '../shared/access';
import type { AppContext, Caller } from '../shared/context';
import { DomainError } from '../shared/errors';

/** How long a code lasts. */
export const portalCodeMinutes = 10;
/** Wrong tries of one code before it is spent. */
export const portalCodeTriesMax = 3;
/** Codes one person may be sent per hour. */
export const portalCodesPerHour = 3;
/** Wrong codes for one person within an hour before their sign-in pauses. */
export const portalFailuresMax = 5;
/** How long a pause lasts. */
export const portalLockMs = 30 * 60 * 1000;
/** Code requests one address may make per hour. */
export const portalRequestsPerAddressHour = 30;
/** A portal session ends this long after sign-in. */
export const portalSessionMs = 30 * 60 * 1000;
/** … or after this long without a request. */
export const portalIdleMs = 10 * 60 * 1000;

const hourMs = 3600_000;

/** Asking for a code. */
export const codeRequestInput = z
  .object({
    registryNumber: z.string().trim().min(4).max(40),
    birthDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date of birth as YYYY-MM-DD'),
  })
  .strict();

/** Giving the code. */
export const codeInput = z
  .object({
    challengeId: z.string().min(1).max(64),
    code: z.string().regex(/^\d{6}$/, 'must be the 6 digits of the code you received'),
  })
  .strict();

/** What a code request answers, whoever asked: nothing about whether the person exists. */
export interface Challenge {
  challengeId: string;
  expiresAt: string;
}

/** A new portal session: the cookie's token, the CSRF token, and when it ends. */
export interface PortalSignIn {
  sessionToken: string;
  csrfToken: string;
  expiresAt: string;
}

function codeHash(app: AppContext, id: string, code: string): string {
  return createHmac('sha256', app.config.dataKey).update(`portal-code:${id}:${code}`).digest('hex');
}

function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Counts one event under `key` in an hour's window; returns the count after it. */
async function countUnder(db: Queryable, key: string, now: Date): Promise<number> {
  const row = await db
    .selectFrom('portal_limits')
    .selectAll()
    .where('key', '=', key)
    .executeTakeFirst();
  const fresh = row && new Date(row.window_start).getTime() + hourMs > now.getTime();
  const count = fresh ? Number(row.count) + 1 : 1;
  const values = { count, window_start: fresh ? row.window_start : now.toISOString() };
  if (row) await db.updateTable('portal_limits').set(values).where('key', '=', key).execute();
  else
    await db
      .insertInto('portal_limits')
      .values({ key, ...values, locked_until: null })
      .execute();
  return count;
}

async function currentCount(
  db: Queryable,
  key: string,
  now: Date,
): Promise<{ count: number; locked: boolean }> {
  const row = await db
    .selectFrom('portal_limits')
    .selectAll()
    .where('key', '=', key)
    .executeTakeFirst();
  if (!row) return { count: 0, locked: false };
  const fresh = new Date(row.window_start).getTime() + hourMs > now.getTime();
  return {
    count: fresh ? Number(row.count) : 0,
    locked: row.locked_until !== null && row.locked_until > now.toISOString(),
  };
}

/**
 * Sends a sign-in code to the phone on record of the person named — or, when the details
 * match nobody who can receive one, keeps a decoy — and answers the same either way.
 */
export async function requestPortalCode(
  app: AppContext,
  input: z.output<typeof codeRequestInput>,
  origin?: string,
): Promise<Challenge> {
  const now = app.now();
  const addressKey = `addr:${origin ?? 'unknown'}`;
  const challengeId = app.newId();
  const expiresAt = new Date(now.getTime() + portalCodeMinutes * 60_000).toISOString();
  const outcome = await app.db.transaction(async (trx) => {
    if ((await countUnder(trx, `codes:${addressKey}`, now)) > portalRequestsPerAddressHour)
      return new DomainError(
        'RATE_LIMITED',
        'Too many code requests from this connection; wait an hour and try again.',
      );
    const number = parseRegistryNumber(input.registryNumber);
    const person = number
      ? await trx
          .selectFrom('persons')
          .select(['id', 'birth_date', 'status', 'phone'])
          .where('registry_number', '=', number)
          .executeTakeFirst()
      : undefined;
    const matches =
      person && person.status === 'active' && person.birth_date === input.birthDate && person.phone;
    let sendTo: string | null = null;
    if (matches) {
      const limits = await currentCount(trx, `person:${person.id}`, now);
      const recent = await trx
        .selectFrom('portal_codes')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('person_id', '=', person.id)
        .where('created_at', '>', new Date(now.getTime() - hourMs).toISOString())
        .executeTakeFirstOrThrow();
      if (!limits.locked && Number(recent.n) < portalCodesPerHour) sendTo = person.id;
    }
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    await trx
      .insertInto('portal_codes')
      .values({
        id: challengeId,
        person_id: sendTo,
        code_hash: sendTo ? codeHash(app, challengeId, code) : null,
        created_at: now.toISOString(),
        expires_at: expiresAt,
        tries: 0,
        used_at: null,
        origin: origin ?? null,
      })
      .execute();
    if (sendTo) {
      await enqueueNotice(trx, app, sendTo, 'portal_code', { code });
      await appendAudit(
        trx,
        app,
        { actor: systemActor('portal'), ...(origin ? { origin } : {}) },
        {
          operation: 'portal.code_sent',
          subjectIds: [sendTo],
          details: { challengeId },
        },
      );
    }
    return null;
  });
  if (outcome) throw outcome;
  return { challengeId, expiresAt };
}

/** One answer for a wrong, spent, expired or decoy code and for a paused sign-in. */
function refused(): DomainError {
  return new DomainError(
    'UNAUTHENTICATED',
    'That code is wrong or no longer valid, or sign-in is paused after too many tries. Ask for a new code.',
    'code',
  );
}

/** Signs in with a challenge's code; a refusal still records its failure counts. */
export async function signInWithCode(
  app: AppContext,
  input: z.output<typeof codeInput>,
  origin?: string,
): Promise<PortalSignIn> {
  const now = app.now();
  const outcome = await app.db.transaction(async (trx): Promise<PortalSignIn | DomainError> => {
    const row = await trx
      .selectFrom('portal_codes')
      .selectAll()
      .where('id', '=', input.challengeId)
      .executeTakeFirst();
    if (
      !row ||
      row.used_at ||
      row.expires_at <= now.toISOString() ||
      Number(row.tries) >= portalCodeTriesMax
    )
      return refused();
    await trx
      .updateTable('portal_codes')
      .set({ tries: Number(row.tries) + 1 })
      .where('id', '=', row.id)
      .execute();
    if (!row.person_id || !row.code_hash) return refused();
    const personKey = `person:${row.person_id}`;
    const caller: Caller = { actor: cardholderActor(row.person_id), ...(origin ? { origin } : {}) };
    if ((await currentCount(trx, personKey, now)).locked) return refused();
    const right = timingSafeEqual(
      Buffer.from(row.code_hash, 'hex'),
      Buffer.from(codeHash(app, row.id, input.code), 'hex'),
    );
    if (!right) {
      const failures = await countUnder(trx, personKey, now);
      await appendAudit(trx, app, caller, {
        operation: 'portal.signin_failed',
        subjectIds: [row.person_id],
        details: { challengeId: row.id, failures },
      });
      if (failures >= portalFailuresMax) {
        await trx
          .updateTable('portal_limits')
          .set({ locked_until: new Date(now.getTime() + portalLockMs).toISOString(), count: 0 })
          .where('key', '=', personKey)
          .execute();
        await appendAudit(trx, app, caller, {
          operation: 'portal.locked',
          subjectIds: [row.person_id],
          details: { minutes: portalLockMs / 60_000 },
        });
      }
      return refused();
    }
    const used = await trx
      .updateTable('portal_codes')
      .set({ used_at: now.toISOString() })
      .where('id', '=', row.id)
      .where('used_at', 'is', null)
      .executeTakeFirst();
    if (Number(used.numUpdatedRows) !== 1) return refused();
    await trx.updateTable('portal_limits').set({ count: 0 }).where('key', '=', personKey).execute();
    const sessionToken = `me_${randomBytes(32).toString('base64url')}`;
    const csrfToken = randomBytes(24).toString('base64url');
    const expiresAt = new Date(now.getTime() + portalSessionMs).toISOString();
    const sessionId = app.newId();
    await trx
      .insertInto('portal_sessions')
      .values({
        id: sessionId,
        token_hash: tokenHash(sessionToken),
        person_id: row.person_id,
        csrf_token: csrfToken,
        created_at: now.toISOString(),
        last_seen_at: now.toISOString(),
        expires_at: expiresAt,
        ended_at: null,
        origin: origin ?? null,
      })
      .execute();
    await appendAudit(trx, app, caller, {
      operation: 'portal.signin',
      subjectIds: [row.person_id],
      details: { sessionId },
    });
    return { sessionToken, csrfToken, expiresAt };
  });
  if (outcome instanceof DomainError) throw outcome;
  return outcome;
}

/** The portal session behind a cookie's token, or null (ended, expired, idle, person gone). */
export async function resolveCardholder(
  app: AppContext,
  token: string,
): Promise<CardholderSession | null> {
  if (!token.startsWith('me_') || token.length > 100) return null;
  const now = app.now();
  const row = await app.db.kysely
    .selectFrom('portal_sessions as s')
    .innerJoin('persons as p', 'p.id', 's.person_id')
    .select([
      's.id',
      's.person_id',
      's.csrf_token',
      's.last_seen_at',
      's.expires_at',
      's.ended_at',
      'p.status',
    ])
    .where('s.token_hash', '=', tokenHash(token))
    .executeTakeFirst();
  if (!row || row.ended_at) return null;
  const idle = now.getTime() - new Date(row.last_seen_at).getTime() > portalIdleMs;
  if (idle || row.expires_at <= now.toISOString() || row.status !== 'active') {
    await app.db.kysely
      .updateTable('portal_sessions')
      .set({ ended_at: now.toISOString() })
      .where('id', '=', row.id)
      .execute();
    return null;
  }
  if (now.getTime() - new Date(row.last_seen_at).getTime() > 30_000)
    await app.db.kysely
      .updateTable('portal_sessions')
      .set({ last_seen_at: now.toISOString() })
      .where('id', '=', row.id)
      .execute();
  return {
    sessionId: row.id,
    personId: row.person_id,
    csrfToken: row.csrf_token,
    actor: cardholderActor(row.person_id),
  };
}

/** Ends a portal session. */
export async function signOutOfPortal(
  app: AppContext,
  session: CardholderSession,
  origin?: string,
): Promise<void> {
  await app.db.transaction(async (trx) => {
    await trx
      .updateTable('portal_sessions')
      .set({ ended_at: app.now().toISOString() })
      .where('id', '=', session.sessionId)
      .where('ended_at', 'is', null)
      .execute();
    await appendAudit(
      trx,
      app,
      { actor: session.actor, ...(origin ? { origin } : {}) },
      {
        operation: 'portal.signout',
        subjectIds: [session.personId],
        details: { sessionId: session.sessionId },
      },
    );
  });
}
