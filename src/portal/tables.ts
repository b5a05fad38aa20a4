// The cardholder portal's tables: one-time sign-in codes (as keyed hashes), the portal's own
// sessions (never the staff `sessions` table), and failure counters for lockout and rate limits.

/** A sign-in code sent to a person's phone on record, or a decoy for details that match nobody. */
export interface PortalCodesTable {
  id: string;
  /** Null for a decoy: the details matched no active person with a phone (nothing was sent). */
  person_id: string | null;
  /** HMAC-SHA256 under the data key of the id and the code; null for a decoy. */
  code_hash: string | null;
  created_at: string;
  expires_at: string;
  tries: number;
  used_at: string | null;
  origin: string | null;
}

/** A cardholder's portal session: short, single person, no staff permission. */
export interface PortalSessionsTable {
  id: string;
  /** SHA-256 of the cookie's token. */
  token_hash: string;
  person_id: string;
  csrf_token: string;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
  ended_at: string | null;
  origin: string | null;
}

/** Failures and requests in a window, by key (`person:<id>`, `addr:<ip>`), and any lock. */
export interface PortalLimitsTable {
  key: string;
  count: number;
  window_start: string;
  locked_until: string | null;
}

/** All tables of the portal domain. */
export interface PortalTables {
  portal_codes: PortalCodesTable;
  portal_sessions: PortalSessionsTable;
  portal_limits: PortalLimitsTable;
}

declare module '../db/schema' {
  interface Schema extends PortalTables {}
}
