// Staff accounts, role grants, sessions, API tokens.

/** A staff account. Disabled, never deleted. */
export interface StaffTable {
  id: string;
  username: string;
  display_name: string;
  password_hash: string;
  /** TOTP secret, sealed with the data key; null until enrolled. */
  totp_secret: string | null;
  totp_last_step: number | null;
  status: 'active' | 'disabled';
  /** 1 while the password is a one-time password that must be changed at first sign-in. */
  must_change_password: number;
  failed_attempts: number;
  locked_until: string | null;
  created_at: string;
  created_by: string;
  disabled_at: string | null;
  disabled_by: string | null;
}

/** A role held by a staff member, in some regions or nationally. */
export interface RoleGrantsTable {
  id: string;
  staff_id: string;
  role: string;
  /** JSON array of region codes, or ["*"] for national. */
  regions: string;
  granted_at: string;
  granted_by: string;
  revoked_at: string | null;
  revoked_by: string | null;
}

/** A web session; only the token's hash is stored. */
export interface SessionsTable {
  id: string;
  token_hash: string;
  staff_id: string;
  /** 'password' until the second factor is given, then 'full'. */
  stage: 'password' | 'full';
  csrf_token: string;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
  ended_at: string | null;
  origin: string | null;
}

/** A one-time recovery code for the second factor (hash only). */
export interface RecoveryCodesTable {
  id: string;
  staff_id: string;
  code_hash: string;
  used_at: string | null;
}

/** An API token for a device or integration: shown once, stored hashed, scoped, revocable. */
export interface ApiTokensTable {
  id: string;
  token_hash: string;
  name: string;
  staff_id: string;
  /** JSON array of permission names. */
  permissions: string;
  /** JSON array of region codes or ["*"]. */
  regions: string;
  point_id: string | null;
  created_at: string;
  created_by: string;
  last_used_at: string | null;
  /** After this instant the token is refused; null (never written since 2026-12-02) too. */
  expires_at: string | null;
  revoked_at: string | null;
  revoked_by: string | null;
}

/** Failed sign-in counters by client address, for rate limiting and lockout. */
export interface SigninFailuresTable {
  key: string;
  failures: number;
  window_start: string;
  locked_until: string | null;
}

/**
 * A TOTP secret offered to a session and not yet confirmed. Starting again replaces it;
 * confirming marks it used and clears the secret, which from then on lives in `staff`.
 */
export interface TotpEnrolmentsTable {
  session_id: string;
  staff_id: string;
  /** The offered secret, sealed with the data key; null once used. */
  secret: string | null;
  created_at: string;
  /** Ten minutes after created_at: a later confirmation is refused. */
  expires_at: string;
  used_at: string | null;
}

/** All auth tables. */
export interface AuthTables {
  staff: StaffTable;
  role_grants: RoleGrantsTable;
  sessions: SessionsTable;
  recovery_codes: RecoveryCodesTable;
  api_tokens: ApiTokensTable;
  signin_failures: SigninFailuresTable;
  totp_enrolments: TotpEnrolmentsTable;
}

declare module '../db/schema' {
  interface Schema extends AuthTables {}
}
