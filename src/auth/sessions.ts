// Sign-in with a password and a second factor, sessions with idle and absolute limits,
// lockout after repeated failures. Every sign-in, failure and lock is audited.
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Queryable } from '../db';
import { appendAudit, type AuditEvent } from '../privacy';
import type { AppContext, Caller } from '../shared/context';
import { DomainError } from '../shared/errors';
import { seal, unseal } from '../shared/sealed';
import { anonymousActor, resolveGrants } from '../shared/access';
import { loadGrants } from './grants';
import { checkPasswordPolicy, deploymentWords, hashPassword, verifyPassword } from './password';
import { generateRecoveryCodes, matchRecoveryCode } from './recovery-codes';
import type { StaffTable } from './tables';
import { generateToken, hashToken } from './tokens';
import { generateTotpSecret, otpauthUri, verifyTotp } from './totp';
import type { RequestSession } from '../http/server';

/** A session ends after this long without a request. */
export const sessionIdleMs = 30 * 60 * 1000;
/** A session ends this long after sign-in, whatever happens. */
export const sessionAbsoluteMs = 12 * 60 * 60 * 1000;
/** Wrong passwords or codes in a row before an account locks. */
export const accountFailuresMax = 10;
/** How long a lock lasts. */
export const lockMs = 15 * 60 * 1000;
/** Failed sign-ins from one address within the window before it is locked out. */
export const addressFailuresMax = 50;
/** A one-time password must be used (first sign-in) within this long of the account's creation. */
export const oneTimePasswordMs = 72 * 60 * 60 * 1000;
/** An offered TOTP secret must be confirmed within this long. */
export const totpEnrolmentMs = 10 * 60 * 1000;
/** last_seen_at is written at most this often, to keep reads cheap. */
const touchEveryMs = 60 * 1000;

/** A sign-in request. */
export const signInInput = z
  .object({
    username: z.string().min(1).max(100),
    password: z.string().min(1).max(200),
    code: z.string().max(20).optional(),
    recoveryCode: z.string().max(40).optional(),
  })
  .strict();
/** A sign-in request, validated. */
export type SignInInput = z.output<typeof signInInput>;

/** The code that confirms a TOTP enrolment. */
export const totpConfirmationInput = z.object({ code: z.string().max(20) }).strict();
/** A TOTP confirmation, validated. */
export type TotpConfirmation = z.output<typeof totpConfirmationInput>;

/** A change of one's own password. */
export const passwordChangeInput = z
  .object({ currentPassword: z.string().max(200), newPassword: z.string().max(200) })
  .strict();
/** A password change, validated. */
export type PasswordChange = z.output<typeof passwordChangeInput>;

/** The outcome of a sign-in: a session token (for the cookie) and what comes next. */
export interface SignInResult {
  sessionToken: string;
  csrfToken: string;
  /** `ready`: fully signed in. `enrol-second-factor` / `change-password`: do that first. */
  next: 'ready' | 'enrol-second-factor' | 'change-password';
  expiresAt: string;
}

const anonymous = (origin?: string): Caller => ({
  actor: anonymousActor,
  ...(origin ? { origin } : {}),
});

async function addressLocked(db: Queryable, key: string, now: Date): Promise<boolean> {
  const row = await db
    .selectFrom('signin_failures')
    .selectAll()
    .where('key', '=', key)
    .executeTakeFirst();
  return Boolean(row?.locked_until && row.locked_until > now.toISOString());
}

async function countAddressFailure(db: Queryable, key: string, now: Date): Promise<void> {
  const row = await db
    .selectFrom('signin_failures')
    .selectAll()
    .where('key', '=', key)
    .executeTakeFirst();
  const windowFresh = row && new Date(row.window_start).getTime() + lockMs > now.getTime();
  const failures = windowFresh ? Number(row.failures) + 1 : 1;
  const values = {
    failures,
    window_start: windowFresh ? row.window_start : now.toISOString(),
    locked_until:
      failures >= addressFailuresMax ? new Date(now.getTime() + lockMs).toISOString() : null,
  };
  if (row) await db.updateTable('signin_failures').set(values).where('key', '=', key).execute();
  else
    await db
      .insertInto('signin_failures')
      .values({ key, ...values })
      .execute();
}

/** Records a failed attempt on an account and locks it at the limit; audited. */
async function countAccountFailure(
  trx: Queryable,
  app: AppContext,
  staff: { id: string; failed_attempts: number },
  origin: string | undefined,
  why: string,
  operation: 'auth.signin_failed' | 'auth.password_change_failed' = 'auth.signin_failed',
): Promise<void> {
  const failures = Number(staff.failed_attempts) + 1;
  const locked = failures >= accountFailuresMax;
  await trx
    .updateTable('staff')
    .set({
      failed_attempts: locked ? 0 : failures,
      ...(locked ? { locked_until: new Date(app.now().getTime() + lockMs).toISOString() } : {}),
    })
    .where('id', '=', staff.id)
    .execute();
  const caller: Caller = {
    actor: { kind: 'staff', id: staff.id, grants: [] },
    ...(origin ? { origin } : {}),
  };
  await appendAudit(trx, app, caller, { operation, details: { why, failures } });
  if (locked)
    await appendAudit(trx, app, caller, {
      operation: 'auth.locked',
      details: { minutes: lockMs / 60000 },
    });
}

/** One sign-in attempt, as each of its steps sees it. */
interface Attempt {
  app: AppContext;
  input: z.output<typeof signInInput>;
  origin: string | undefined;
  /** One instant for the whole attempt, so that every check and record agrees on it. */
  now: Date;
  /** The client address's key in signin_failures. */
  addressKey: string;
}

/** One answer for an unknown user, a wrong password and a wrong code: nothing to probe. */
function wrongCredentials(): DomainError {
  return new DomainError('UNAUTHENTICATED', 'Wrong username, password or code.');
}

/**
 * Signs in with username, password and — once enrolled — a TOTP code or a recovery code.
 * Without the second factor no session is made; a wrong password or code counts toward the
 * lock. The message never says which of username, password or code was wrong.
 */
export async function signIn(
  app: AppContext,
  input: SignInInput,
  origin?: string,
): Promise<SignInResult> {
  const now = app.now();
  const attempt: Attempt = { app, input, origin, now, addressKey: `addr:${origin ?? 'unknown'}` };
  if (await addressLocked(app.db.kysely, attempt.addressKey, now))
    throw new DomainError(
      'RATE_LIMITED',
      'Too many failed sign-ins from this address; wait 15 minutes.',
    );
  // A refusal is returned, not thrown, so that the transaction commits what a failed attempt
  // records: its failure counts and its audit entries.
  const outcome = await app.db.transaction((trx) => attemptSignIn(trx, attempt));
  if (outcome instanceof DomainError) throw outcome;
  return outcome;
}

/** The steps of a sign-in, in order: the first that refuses ends the attempt. */
async function attemptSignIn(
  trx: Queryable,
  attempt: Attempt,
): Promise<SignInResult | DomainError> {
  const staff = await trx
    .selectFrom('staff')
    .selectAll()
    .where('username', '=', attempt.input.username)
    .executeTakeFirst();
  if (!staff) return refuseUnknownUser(trx, attempt);
  // The password is always checked, and every failure answers alike, so that neither timing
  // nor the message tells a caller without the password that an account exists, is disabled,
  // is locked, or holds an expired one-time password: those show only after a right password.
  const isPasswordRight = await verifyPassword(attempt.input.password, staff.password_hash);
  if (staff.status !== 'active')
    return refuse(
      trx,
      attempt,
      { operation: 'auth.signin_failed', details: { why: 'disabled', staffId: staff.id } },
      wrongCredentials(),
    );
  if (!isPasswordRight) return countFailedAttempt(trx, attempt, staff, 'password');
  const refused = await refuseAccount(trx, attempt, staff);
  if (refused) return refused;
  const stage = await checkSecondFactor(trx, attempt, staff);
  if (stage instanceof DomainError) return stage;
  return createSession(trx, attempt, staff, stage);
}

/** Audits a refusal by an anonymous caller (not yet signed in) and returns its error. */
async function refuse(
  trx: Queryable,
  attempt: Attempt,
  event: AuditEvent,
  error: DomainError,
): Promise<DomainError> {
  await appendAudit(trx, attempt.app, anonymous(attempt.origin), event);
  return error;
}

let decoy: Promise<string> | undefined;

/** A real scrypt hash of a random secret, made once per process. */
function decoyHash(): Promise<string> {
  decoy ??= hashPassword(randomBytes(32).toString('base64'));
  return decoy;
}

/** No such username: counted against the address, and answered as a wrong password is. */
async function refuseUnknownUser(trx: Queryable, attempt: Attempt): Promise<DomainError> {
  // Costs what checking a real password costs, so that timing does not tell which usernames
  // exist: a well-formed hash with the current parameters, of a random secret nobody knows.
  await verifyPassword(attempt.input.password, await decoyHash()).catch(() => false);
  await countAddressFailure(trx, attempt.addressKey, attempt.now);
  return refuse(
    trx,
    attempt,
    { operation: 'auth.signin_failed', details: { why: 'unknown user' } },
    wrongCredentials(),
  );
}

/** Refuses, once the password was right, an account whose one-time password expired or that is locked. */
async function refuseAccount(
  trx: Queryable,
  attempt: Attempt,
  staff: StaffTable,
): Promise<DomainError | null> {
  const { now } = attempt;
  const neverSignedIn = staff.totp_secret === null && Boolean(staff.must_change_password);
  if (neverSignedIn && now.getTime() - new Date(staff.created_at).getTime() > oneTimePasswordMs)
    // Whoever holds a one-time password enrols the second factor: an old one is refused so
    // that a password handed over long ago cannot take the account.
    return refuse(
      trx,
      attempt,
      {
        operation: 'auth.signin_failed',
        details: { why: 'one-time password expired', staffId: staff.id },
      },
      new DomainError(
        'UNAUTHENTICATED',
        'This one-time password has expired. Ask an administrator for a new account.',
      ),
    );
  if (staff.locked_until && staff.locked_until > now.toISOString())
    return refuse(
      trx,
      attempt,
      { operation: 'auth.signin_refused_locked', details: { staffId: staff.id } },
      new DomainError(
        'ACCOUNT_LOCKED',
        'This account is locked after too many failed sign-ins. Try again in 15 minutes or ask an administrator.',
      ),
    );
  return null;
}

/** A wrong password or code counts against both the address and the account. */
async function countFailedAttempt(
  trx: Queryable,
  attempt: Attempt,
  staff: StaffTable,
  why: 'password' | 'code' | 'recovery code',
): Promise<DomainError> {
  await countAddressFailure(trx, attempt.addressKey, attempt.now);
  await countAccountFailure(trx, attempt.app, staff, attempt.origin, why);
  return wrongCredentials();
}

/**
 * Checks the second factor once one is enrolled. Without one, the session stays at stage
 * `password`, which only lets its holder enrol it.
 */
async function checkSecondFactor(
  trx: Queryable,
  attempt: Attempt,
  staff: StaffTable,
): Promise<'password' | 'full' | DomainError> {
  if (!staff.totp_secret) return 'password';
  const { app, input, now } = attempt;
  // Asking for the code after the right password is not a failure: it is how the form proceeds.
  if (!input.code && !input.recoveryCode)
    return new DomainError(
      'SECOND_FACTOR_REQUIRED',
      'Enter the 6-digit code from your authenticator app (or a recovery code).',
      'code',
    );
  const ok = input.code
    ? await acceptTotp(
        trx,
        staff.id,
        unseal(app.config.dataKey, staff.totp_secret),
        input.code,
        staff.totp_last_step,
        now,
      )
    : await acceptRecoveryCode(trx, app, staff.id, input.recoveryCode ?? '');
  if (!ok) return countFailedAttempt(trx, attempt, staff, input.code ? 'code' : 'recovery code');
  return 'full';
}

/** Clears the account's failure count, opens the session and audits the sign-in. */
async function createSession(
  trx: Queryable,
  attempt: Attempt,
  staff: StaffTable,
  stage: 'password' | 'full',
): Promise<SignInResult> {
  const { app, input, origin, now } = attempt;
  await trx
    .updateTable('staff')
    .set({ failed_attempts: 0, locked_until: null })
    .where('id', '=', staff.id)
    .execute();
  const sessionToken = generateToken('session');
  const csrfToken = randomBytes(24).toString('base64url');
  const expiresAt = new Date(now.getTime() + sessionAbsoluteMs).toISOString();
  const sessionId = app.newId();
  await trx
    .insertInto('sessions')
    .values({
      id: sessionId,
      token_hash: hashToken(sessionToken),
      staff_id: staff.id,
      stage,
      csrf_token: csrfToken,
      created_at: now.toISOString(),
      last_seen_at: now.toISOString(),
      expires_at: expiresAt,
      ended_at: null,
      origin: origin ?? null,
    })
    .execute();
  await appendAudit(
    trx,
    app,
    { actor: { kind: 'staff', id: staff.id, grants: [] }, ...(origin ? { origin } : {}) },
    {
      operation: 'auth.signin',
      details: {
        stage,
        sessionId,
        with: input.recoveryCode
          ? 'recovery code'
          : input.code
            ? 'totp'
            : 'password only (enrolment)',
      },
    },
  );
  const next =
    stage === 'password'
      ? 'enrol-second-factor'
      : staff.must_change_password
        ? 'change-password'
        : 'ready';
  return { sessionToken, csrfToken, next, expiresAt };
}

/** Accepts a TOTP code once: the step is stored atomically so a replay fails. */
async function acceptTotp(
  trx: Queryable,
  staffId: string,
  secret: string,
  code: string,
  lastStep: number | null,
  now: Date,
): Promise<boolean> {
  const result = verifyTotp(secret, code, {
    atMs: now.getTime(),
    lastUsedStep: lastStep === null ? null : Number(lastStep),
  });
  if (!result.ok) return false;
  const updated = await trx
    .updateTable('staff')
    .set({ totp_last_step: result.step })
    .where('id', '=', staffId)
    .where((eb) =>
      eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', result.step)]),
    )
    .executeTakeFirst();
  return Number(updated.numUpdatedRows) === 1;
}

async function acceptRecoveryCode(
  trx: Queryable,
  app: AppContext,
  staffId: string,
  typed: string,
): Promise<boolean> {
  const rows = await trx
    .selectFrom('recovery_codes')
    .selectAll()
    .where('staff_id', '=', staffId)
    .where('used_at', 'is', null)
    .orderBy('id')
    .execute();
  const match = matchRecoveryCode(
    typed,
    rows.map((r) => r.code_hash),
  );
  if (!match.ok) return false;
  const r = await trx
    .updateTable('recovery_codes')
    .set({ used_at: app.now().toISOString() })
    .where('id', '=', rows[match.index]!.id)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** A resolved session: what the HTTP server's gate needs of it. */
export type SessionInfo = RequestSession;

/** Resolves a session token, ending it if idle or too old. Null when it is not valid. */
export async function resolveSession(app: AppContext, token: string): Promise<SessionInfo | null> {
  const now = app.now();
  const row = await app.db.kysely
    .selectFrom('sessions')
    .innerJoin('staff', 'staff.id', 'sessions.staff_id')
    .select([
      'sessions.id',
      'sessions.staff_id',
      'sessions.stage',
      'sessions.csrf_token',
      'sessions.last_seen_at',
      'sessions.expires_at',
      'sessions.ended_at',
      'staff.status',
      'staff.must_change_password',
    ])
    .where('sessions.token_hash', '=', hashToken(token))
    .executeTakeFirst();
  if (!row || row.ended_at || row.status !== 'active') return null;
  const idle = now.getTime() - new Date(row.last_seen_at).getTime() > sessionIdleMs;
  if (idle || row.expires_at <= now.toISOString()) {
    await app.db.kysely
      .updateTable('sessions')
      .set({ ended_at: now.toISOString() })
      .where('id', '=', row.id)
      .execute();
    return null;
  }
  if (now.getTime() - new Date(row.last_seen_at).getTime() > touchEveryMs) {
    await app.db.kysely
      .updateTable('sessions')
      .set({ last_seen_at: now.toISOString() })
      .where('id', '=', row.id)
      .execute();
  }
  const grants =
    row.stage === 'full' && !row.must_change_password
      ? resolveGrants(app.permissionMatrix, await loadGrants(app.db.kysely, row.staff_id))
      : [];
  return {
    sessionId: row.id,
    staffId: row.staff_id,
    stage: row.stage,
    csrfToken: row.csrf_token,
    mustChangePassword: Boolean(row.must_change_password),
    actor: { kind: 'staff', id: row.staff_id, staffId: row.staff_id, grants, sessionId: row.id },
  };
}

/** Who a session belongs to and how long it lasts, for the console's header and expiry notice. */
export async function sessionProfile(
  app: AppContext,
  session: SessionInfo,
): Promise<{ username: string; displayName: string; expiresAt: string; idleMinutes: number }> {
  const row = await app.db.kysely
    .selectFrom('sessions')
    .innerJoin('staff', 'staff.id', 'sessions.staff_id')
    .select(['staff.username', 'staff.display_name', 'sessions.expires_at'])
    .where('sessions.id', '=', session.sessionId)
    .executeTakeFirstOrThrow();
  return {
    username: row.username,
    displayName: row.display_name,
    expiresAt: row.expires_at,
    idleMinutes: Math.round(sessionIdleMs / 60_000),
  };
}

/** Ends a session on the server. */
export async function signOut(app: AppContext, caller: Caller, sessionId: string): Promise<void> {
  await app.db.transaction(async (trx) => {
    await trx
      .updateTable('sessions')
      .set({ ended_at: app.now().toISOString() })
      .where('id', '=', sessionId)
      .where('ended_at', 'is', null)
      .execute();
    await appendAudit(trx, app, caller, { operation: 'auth.signout', details: { sessionId } });
  });
}

/** Starts TOTP enrolment: a new secret, kept sealed until confirmed with a code. */
export async function startTotpEnrolment(
  app: AppContext,
  session: SessionInfo,
): Promise<{ secret: string; otpauthUri: string }> {
  const staff = await app.db.kysely
    .selectFrom('staff')
    .select(['username', 'totp_secret'])
    .where('id', '=', session.staffId)
    .executeTakeFirstOrThrow();
  if (staff.totp_secret && session.stage === 'full')
    throw new DomainError('INVALID_STATE', 'A second factor is already enrolled.');
  if (staff.totp_secret)
    throw new DomainError('INVALID_STATE', 'A second factor is already enrolled; sign in with it.');
  const secret = generateTotpSecret();
  // In the database, not in this process: the confirmation may reach another server process.
  // Starting again replaces the offered secret, so only the latest QR code can be confirmed.
  const now = app.now();
  const pending = {
    staff_id: session.staffId,
    secret: seal(app.config.dataKey, secret),
    created_at: now.toISOString(),
    expires_at: new Date(now.getTime() + totpEnrolmentMs).toISOString(),
    used_at: null,
  };
  await app.db.kysely
    .insertInto('totp_enrolments')
    .values({ session_id: session.sessionId, ...pending })
    .onConflict((oc) => oc.column('session_id').doUpdateSet(pending))
    .execute();
  return { secret, otpauthUri: otpauthUri(secret, staff.username, 'Tessera') };
}

/** A confirmed enrolment: the session's new token and CSRF token, and the recovery codes. */
export interface TotpConfirmed {
  recoveryCodes: string[];
  next: 'ready' | 'change-password';
  /** The session's new token (for the cookie): the one it was signed in with has ended. */
  sessionToken: string;
  csrfToken: string;
  expiresAt: string;
}

/**
 * Confirms TOTP enrolment with a code; returns recovery codes once. The session becomes full
 * under a new token (the one issued at sign-in with the password alone no longer works), and
 * the account's other half-signed-in sessions end: of two sessions signed in with the same
 * one-time password, only the first to confirm enrols, and the other can do nothing more.
 */
export async function confirmTotpEnrolment(
  app: AppContext,
  session: SessionInfo,
  { code }: TotpConfirmation,
): Promise<TotpConfirmed> {
  const at = app.now();
  const now = at.toISOString();
  const enrolled = await app.db.kysely
    .selectFrom('staff')
    .select('totp_secret')
    .where('id', '=', session.staffId)
    .executeTakeFirstOrThrow();
  if (enrolled.totp_secret) throw alreadyEnrolled();
  const pending = await app.db.kysely
    .selectFrom('totp_enrolments')
    .select(['secret', 'expires_at'])
    .where('session_id', '=', session.sessionId)
    .where('staff_id', '=', session.staffId)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  if (!pending?.secret || pending.expires_at < now) throw enrolmentNotStarted();
  const secret = unseal(app.config.dataKey, pending.secret);
  const result = verifyTotp(secret, code, { atMs: at.getTime() });
  if (!result.ok)
    throw new DomainError(
      'VALIDATION_FAILED',
      'That code does not match; check the time on your phone and try again.',
      'code',
    );
  const { codes, hashes } = generateRecoveryCodes();
  const sessionToken = generateToken('session');
  const csrfToken = randomBytes(24).toString('base64url');
  const expiresAt = await app.db.transaction(async (trx) => {
    // Used once: of two confirmations racing on two processes, only one gets the row. The
    // secret is cleared because from here on the staff row holds it; the row stays as a record.
    const consumed = await trx
      .updateTable('totp_enrolments')
      .set({ used_at: now, secret: null })
      .where('session_id', '=', session.sessionId)
      .where('staff_id', '=', session.staffId)
      .where('used_at', 'is', null)
      .where('expires_at', '>=', now)
      .executeTakeFirst();
    if (Number(consumed.numUpdatedRows) !== 1) throw enrolmentNotStarted();
    // Once per account: another session's enrolment (same one-time password) that confirmed
    // first has set the secret, and this one is refused rather than adding recovery codes.
    const stored = await trx
      .updateTable('staff')
      .set({ totp_secret: seal(app.config.dataKey, secret), totp_last_step: result.step })
      .where('id', '=', session.staffId)
      .where('totp_secret', 'is', null)
      .executeTakeFirst();
    if (Number(stored.numUpdatedRows) !== 1) throw alreadyEnrolled();
    for (const hash of hashes)
      await trx
        .insertInto('recovery_codes')
        .values({ id: app.newId(), staff_id: session.staffId, code_hash: hash, used_at: null })
        .execute();
    // A new token for the upgraded session (no fixation: a token known before the second
    // factor was given is worth nothing after it).
    const upgraded = await trx
      .updateTable('sessions')
      .set({ stage: 'full', token_hash: hashToken(sessionToken), csrf_token: csrfToken })
      .where('id', '=', session.sessionId)
      .where('ended_at', 'is', null)
      .executeTakeFirst();
    if (Number(upgraded.numUpdatedRows) !== 1) throw enrolmentNotStarted();
    await trx
      .updateTable('sessions')
      .set({ ended_at: now })
      .where('staff_id', '=', session.staffId)
      .where('id', '!=', session.sessionId)
      .where('stage', '=', 'password')
      .where('ended_at', 'is', null)
      .execute();
    await appendAudit(trx, app, { actor: session.actor }, { operation: 'auth.totp_enrolled' });
    const row = await trx
      .selectFrom('sessions')
      .select('expires_at')
      .where('id', '=', session.sessionId)
      .executeTakeFirstOrThrow();
    return row.expires_at;
  });
  return {
    recoveryCodes: codes,
    next: session.mustChangePassword ? 'change-password' : 'ready',
    sessionToken,
    csrfToken,
    expiresAt,
  };
}

/** The account already has a second factor (enrolled by this or another session). */
function alreadyEnrolled(): DomainError {
  return new DomainError('INVALID_STATE', 'A second factor is already enrolled; sign in with it.');
}

/** Never started, expired, or already used: one answer for all three. */
function enrolmentNotStarted(): DomainError {
  return new DomainError('INVALID_STATE', 'Start enrolment first (it expires after 10 minutes).');
}

/**
 * Changes one's own password after checking the current one and the policy. A wrong current
 * password counts toward the account's lock as a wrong one at sign-in does, so that a session
 * left open cannot be used to guess the password; a locked account cannot change it.
 */
export async function changePassword(
  app: AppContext,
  session: SessionInfo,
  input: PasswordChange,
  origin?: string,
): Promise<void> {
  if (session.stage !== 'full')
    throw new DomainError('SECOND_FACTOR_REQUIRED', 'Enrol your second factor first.');
  const staff = await app.db.kysely
    .selectFrom('staff')
    .select(['id', 'username', 'password_hash', 'failed_attempts', 'locked_until'])
    .where('id', '=', session.staffId)
    .executeTakeFirstOrThrow();
  if (staff.locked_until && staff.locked_until > app.now().toISOString())
    throw new DomainError(
      'ACCOUNT_LOCKED',
      'This account is locked after too many failed attempts. Try again in 15 minutes or ask an administrator.',
    );
  if (!(await verifyPassword(input.currentPassword, staff.password_hash))) {
    await app.db.transaction((trx) =>
      countAccountFailure(
        trx,
        app,
        staff,
        origin,
        'current password',
        'auth.password_change_failed',
      ),
    );
    throw new DomainError('VALIDATION_FAILED', 'The current password is wrong.', 'currentPassword');
  }
  const policy = checkPasswordPolicy(input.newPassword, {
    username: staff.username,
    contextWords: deploymentWords(app.config.regions),
  });
  if (!policy.ok) throw new DomainError('VALIDATION_FAILED', policy.message, 'newPassword');
  const hash = await hashPassword(input.newPassword);
  await app.db.transaction(async (trx) => {
    await trx
      .updateTable('staff')
      .set({ password_hash: hash, must_change_password: 0, failed_attempts: 0 })
      .where('id', '=', session.staffId)
      .execute();
    // Other sessions end: whoever knew the old password is signed out everywhere.
    await trx
      .updateTable('sessions')
      .set({ ended_at: app.now().toISOString() })
      .where('staff_id', '=', session.staffId)
      .where('id', '!=', session.sessionId)
      .where('ended_at', 'is', null)
      .execute();
    await appendAudit(trx, app, { actor: session.actor }, { operation: 'auth.password_changed' });
  });
}
