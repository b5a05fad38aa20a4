// Reads the CWT claims set (RFC 8392) that a COSE_Sign1 payload holds.
import { decodeCbor } from './decode-cbor';
import { CredentialError } from './errors';
import { claimsMax } from './limits';

/** The registered CWT claims a card uses, and claim 169 still undecoded. */
export interface CwtClaims {
  /** iss (1) */
  issuer?: string;
  /** sub (2): Tessera writes the card serial here. */
  subject?: string;
  /** exp (4), seconds since the epoch. */
  expiresAt?: number;
  /** nbf (5), seconds since the epoch. */
  notBefore?: number;
  /** iat (6), seconds since the epoch. */
  issuedAt?: number;
  /** claim 169, as found (a map or a byte string). */
  claim169?: unknown;
}

function text(value: unknown, name: string): string {
  if (typeof value !== 'string') throw new CredentialError('BAD_CLAIM', `${name} is not text`);
  return value;
}

// NumericDate may be a float (RFC 8392 §2); seconds are enough for a card.
function seconds(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new CredentialError('BAD_CLAIM', `${name} is not a date`);
  }
  return Math.floor(value);
}

/** The CWT claims in a COSE payload; refuses a payload that is not a claims map. */
export function decodeCwtClaims(payload: Uint8Array): CwtClaims {
  const map = decodeCbor(payload);
  if (!(map instanceof Map))
    throw new CredentialError('BAD_CLAIM', 'payload is not a CWT claims map');
  if (map.size > claimsMax) throw new CredentialError('TOO_LARGE', `CWT has ${map.size} claims`);
  const claims: CwtClaims = {};
  if (map.has(1)) claims.issuer = text(map.get(1), 'iss');
  if (map.has(2)) claims.subject = text(map.get(2), 'sub');
  if (map.has(4)) claims.expiresAt = seconds(map.get(4), 'exp');
  if (map.has(5)) claims.notBefore = seconds(map.get(5), 'nbf');
  if (map.has(6)) claims.issuedAt = seconds(map.get(6), 'iat');
  if (map.has(169)) claims.claim169 = map.get(169);
  return claims;
}
