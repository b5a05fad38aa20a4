// Every refusal of a card, a key or a list is a CredentialError with a stable reason code.
// Codes are part of the public contract: verifier apps, the CLI and the HTTP layer show the
// operator the plain-language message and log the code. Broken invariants are not
// CredentialErrors; they are assertions.

/** Every reason a credential, key or list can be refused, with the words an operator sees. */
export const reasonMessages = {
  BAD_PREFIX:
    'The QR does not start with the expected context prefix; it is not a card of this kind.',
  BAD_BASE45: 'The QR text is not valid Base45; it may be damaged or not a Tessera card.',
  BAD_COMPRESSION: 'The QR content could not be decompressed; it is damaged or not a card.',
  BAD_CBOR: 'The QR content is not well-formed CBOR; it is damaged or not a card.',
  NOT_COSE: 'The QR content is not a signed COSE message; it is not a card.',
  UNSUPPORTED_COSE:
    'The QR holds a COSE message of a kind (MAC or encrypted) that an offline verifier cannot check.',
  ENCRYPTED: 'The QR content is encrypted and no decryption key was given.',
  UNSUPPORTED_ALGORITHM: 'The card is signed with an algorithm this verifier does not accept.',
  UNSIGNED: 'The card carries no signature. Treat it as a forgery.',
  BAD_SIGNATURE: 'The signature does not match the content: the card was altered or forged.',
  UNKNOWN_KEY: 'The card was signed with a key this verifier does not trust.',
  KEY_NOT_VALID:
    'The card was signed with a key outside the period in which that key was allowed to sign or be trusted.',
  EXPIRED: 'The card has expired.',
  NOT_YET_VALID: 'The card is not valid yet; check the date and time of this device.',
  REVOKED: 'The card has been revoked (reported lost, stolen, replaced or cancelled).',
  REVOCATION_LIST_STALE:
    'The revocation list on this device is too old; download a current one before verifying.',
  TOO_LARGE: 'The QR content is larger than any card may be; it was refused without reading it.',
  TOO_DEEP: 'The QR content is nested more deeply than any card may be; it was refused.',
  MISSING_CLAIM: 'The card lacks a required field.',
  BAD_CLAIM: 'A field of the card has the wrong type or format.',
  BAD_KEY:
    'The key could not be read: give a JWK, a PEM public key, an X.509 certificate or raw hex.',
  BAD_TRUST_LIST: 'The trust list is malformed or its signature does not verify.',
  BAD_REVOCATION_LIST: 'The revocation list is malformed or its signature does not verify.',
  BAD_INPUT: 'The request to issue or render a card is invalid.',
} as const;

/** A stable reason code for a refused card, key or list. */
export type ReasonCode = keyof typeof reasonMessages;

/** A refused credential, key or list: a stable code, a plain message, and a safe detail. */
export class CredentialError extends Error {
  override readonly name = 'CredentialError';
  constructor(
    readonly code: ReasonCode,
    /** A short technical detail safe to show and log (never key material or raw input). */
    readonly detail?: string,
  ) {
    super(detail ? `${reasonMessages[code]} (${detail})` : reasonMessages[code]);
  }
}

/** Whether a value is a CredentialError, across realms and bundles. */
export function isCredentialError(error: unknown): error is CredentialError {
  return error instanceof CredentialError;
}
