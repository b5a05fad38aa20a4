// One error type for bad input and refused operations. Broken invariants are not DomainErrors:
// they are assertions that stop the process.

/** Every refusal code, with the HTTP status it maps to. One table, one place. */
export const errorStatus = {
  BAD_REQUEST: 400,
  VALIDATION_FAILED: 400,
  MALFORMED_JSON: 400,
  MALFORMED_CSV: 400,
  MALFORMED_XML: 400,
  UNKNOWN_FIELD: 400,
  PROHIBITED_ATTRIBUTE: 422,
  UNDECLARED_ATTRIBUTE: 422,
  INVALID_RULE: 422,
  PURPOSE_REQUIRED: 400,
  PURPOSE_NOT_ALLOWED: 403,
  UNAUTHENTICATED: 401,
  SECOND_FACTOR_REQUIRED: 401,
  FORBIDDEN: 403,
  CSRF_FAILED: 403,
  ACCOUNT_LOCKED: 423,
  NOT_FOUND: 404,
  CONFLICT: 409,
  VERSION_CONFLICT: 409,
  ALREADY_EXISTS: 409,
  INVALID_STATE: 409,
  POSSIBLE_DUPLICATE: 409,
  /** Duplicate screening has a backlog of unkeyed persons: run `tessera dedup keys`. */
  DEDUP_KEYS_BEHIND: 503,
  /** An Idempotency-Key whose first request is still running (draft-ietf-httpapi-idempotency-key-header). */
  IDEMPOTENCY_IN_PROGRESS: 409,
  /** An Idempotency-Key reused with a different request. */
  IDEMPOTENCY_KEY_REUSED: 422,
  /** An offline chain with a missing, reordered or altered entry. */
  CHAIN_BROKEN: 422,
  APPROVAL_REQUIRED: 202,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  /** The database connection was lost under the request (a failover, a restart): retry it. */
  DATABASE_UNAVAILABLE: 503,
} as const;

/** A stable, documented refusal code. */
export type ErrorCode = keyof typeof errorStatus;

/** A refused operation or bad input: a code, a plain-language message, and where. */
export class DomainError extends Error {
  override readonly name = 'DomainError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Where the problem is: a field path, `line 40000`, a column name. */
    readonly field?: string,
    /** Extra machine-readable detail that is safe to show the caller. */
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }

  /** The HTTP status for this refusal. */
  get status(): number {
    return errorStatus[this.code];
  }
}

/** Throws when a broken invariant is found: a bug, never a user's mistake. */
export function invariant(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`invariant violated: ${message}`);
}
