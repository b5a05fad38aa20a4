// The offline verifier: QR text in, a verdict with a stable reason out. It uses only
// WebCrypto and plain TypeScript (no Node-only import anywhere in its file tree), so the
// same code runs in Node, in the CLI and in a browser verifier app. It never throws on
// input: every refusal becomes a verdict.
//
// The signature is checked before any claim is interpreted (as the Claim 169 specification's
// section 4 orders: validate the COSE_Sign1, then let the message be its payload), so that a
// forged card costs no parsing of its claims, a card with a good signature and an odd claim
// is reported as exactly that, and every verdict past the COSE header carries the key id.
import { openCard, readCardClaims } from './decode-card';
import { decodeCwtClaims } from './decode-cwt-claims';
import type { CwtClaims } from './decode-cwt-claims';
import type { CoseSign1 } from './parse-cose-message';
import { CredentialError, reasonMessages } from './errors';
import type { ReasonCode } from './errors';
import { kidMatches } from './import-public-key';
import { candidateKeysMax, clockSkewSecondsDefault } from './limits';
import { isSerialRevoked } from './read-revocation-list';
import type { RevocationList } from './read-revocation-list';
import type { TrustList } from './read-trust-list';
import type { IdentityClaims, VerificationKey } from './types';
import { signatureAlgorithmOf, verifyCoseSign1 } from './verify-cose-sign1';

/** What a verifier knows: trusted keys, revocations, and the time. */
export interface VerifyCardOptions {
  trustList?: TrustList | undefined;
  keys?: readonly VerificationKey[] | undefined;
  revocations?: RevocationList | undefined;
  now: Date;
  /** Refuse with REVOCATION_LIST_STALE when the revocation list is older than this. */
  revocationListAgeSecondsMax?: number | undefined;
  clockSkewSeconds?: number | undefined;
  prefix?: string | undefined;
  decryptionKeys?: readonly Uint8Array[] | undefined;
}

/** The verdict on one card. Claims are given only when the signature verified. */
export interface CardVerdict {
  valid: boolean;
  reason: ReasonCode | 'VALID';
  message: string;
  /** The key id the card names, whenever its COSE header could be read. */
  kid: string | null;
  /** Whether a trusted key's signature over the content verified (then the issuer wrote it). */
  signatureVerified: boolean;
  claims: IdentityClaims | null;
  issuer: string | null;
  cardSerial: string | null;
  issuedAt: string | null;
  expiresAt: string | null;
  /** Whether a revocation list for this card's issuer was consulted. */
  revocationChecked: boolean;
  revocationListAgeSeconds?: number;
}

const validMessage = 'The card is genuine, current and not revoked.';

function isoOf(seconds: number | undefined): string | null {
  return seconds === undefined ? null : new Date(seconds * 1000).toISOString();
}

function candidatesFor(
  message: CoseSign1,
  kidText: string | null,
  keys: readonly VerificationKey[],
): VerificationKey[] {
  const kid = message.kid;
  const matching = kid ? keys.filter((k) => k.kid === undefined || kidMatches(k, kid)) : [...keys];
  if (matching.length === 0)
    throw new CredentialError('UNKNOWN_KEY', kidText ? `kid ${kidText}` : 'no key id');
  return matching.slice(0, candidateKeysMax);
}

async function findSigner(
  message: CoseSign1,
  kidText: string | null,
  keys: readonly VerificationKey[],
): Promise<VerificationKey> {
  // An empty signature is the mark of an unsigned QR; it is refused before anything else.
  if (message.signature.length === 0) throw new CredentialError('UNSIGNED');
  const alg = signatureAlgorithmOf(message);
  for (const key of candidatesFor(message, kidText, keys)) {
    if (key.alg === alg && (await verifyCoseSign1(message, key))) return key;
  }
  throw new CredentialError('BAD_SIGNATURE');
}

/**
 * Decodes the CWT and Claim 169, keeping a failure to throw once the signature is known (with
 * the CWT, when only Claim 169 failed, so that the verdict still names issuer and card).
 */
function decodeClaimsAside(
  payload: Uint8Array,
):
  | { cwt: CwtClaims; claims: IdentityClaims | null; error?: undefined }
  | { cwt?: CwtClaims; error: unknown } {
  let cwt: CwtClaims | undefined;
  try {
    cwt = decodeCwtClaims(payload);
    return { cwt, claims: readCardClaims(cwt).claims };
  } catch (error) {
    return cwt ? { cwt, error } : { error };
  }
}

function checkKeyWindow(key: VerificationKey, cwt: CwtClaims, nowSeconds: number): void {
  const issuedAt = cwt.issuedAt;
  if (issuedAt !== undefined && key.validFrom !== undefined && issuedAt < key.validFrom) {
    throw new CredentialError('KEY_NOT_VALID', 'issued before the key was in service');
  }
  if (issuedAt !== undefined && key.signedUntil !== undefined && issuedAt > key.signedUntil) {
    throw new CredentialError('KEY_NOT_VALID', 'issued after the key was retired');
  }
  if (key.trustedUntil !== undefined && nowSeconds > key.trustedUntil) {
    throw new CredentialError('KEY_NOT_VALID', 'the key is no longer trusted');
  }
}

/** The time-based reason a card is not valid at `nowSeconds`, or null when it is current. */
export function checkCardTime(
  cwt: CwtClaims,
  nowSeconds: number,
  clockSkewSeconds: number = clockSkewSecondsDefault,
): ReasonCode | null {
  if (cwt.expiresAt === undefined) return 'MISSING_CLAIM';
  const notBefore = Math.max(cwt.notBefore ?? -Infinity, cwt.issuedAt ?? -Infinity);
  if (nowSeconds + clockSkewSeconds < notBefore) return 'NOT_YET_VALID';
  if (nowSeconds >= cwt.expiresAt) return 'EXPIRED';
  return null;
}

function checkRevocation(
  cwt: CwtClaims,
  options: VerifyCardOptions,
  verdict: CardVerdict,
  nowSeconds: number,
): void {
  const list = options.revocations;
  if (!list || list.issuer !== cwt.issuer) return;
  verdict.revocationChecked = true;
  verdict.revocationListAgeSeconds = Math.max(
    0,
    nowSeconds - Math.floor(list.issuedAt.getTime() / 1000),
  );
  const ageMax = options.revocationListAgeSecondsMax;
  if (ageMax !== undefined && verdict.revocationListAgeSeconds > ageMax) {
    throw new CredentialError('REVOCATION_LIST_STALE', `${verdict.revocationListAgeSeconds} s old`);
  }
  const serial = cwt.subject;
  if (serial === undefined || !/^\d{1,15}$/.test(serial))
    throw new CredentialError('MISSING_CLAIM', 'card serial');
  if (isSerialRevoked(list, Number(serial)))
    throw new CredentialError('REVOKED', `serial ${serial}`);
}

// Said when the signature is good but a claim cannot be read: the issuer wrote it so.
const oddClaimMessage =
  'The signature is genuine, but a field of the card has a type or format this verifier cannot read; ask the issuer.';

function refused(verdict: CardVerdict, error: CredentialError): CardVerdict {
  const { code } = error;
  const base =
    code === 'BAD_CLAIM' && verdict.signatureVerified ? oddClaimMessage : reasonMessages[code];
  const message = error.detail ? `${base} (${error.detail})` : base;
  return { ...verdict, valid: false, reason: code, message };
}

/** The verdict on a card's QR text: valid, or refused with a stable reason and message. */
export async function verifyCard(qrText: string, options: VerifyCardOptions): Promise<CardVerdict> {
  const verdict: CardVerdict = {
    valid: false,
    reason: 'VALID',
    message: validMessage,
    kid: null,
    signatureVerified: false,
    claims: null,
    issuer: null,
    cardSerial: null,
    issuedAt: null,
    expiresAt: null,
    revocationChecked: false,
  };
  const nowSeconds = Math.floor(options.now.getTime() / 1000);
  try {
    const { message, kid } = await openCard(qrText, options);
    verdict.kid = kid;
    const keys = [...(options.trustList?.keys ?? []), ...(options.keys ?? [])];
    // The signature check runs on the crypto thread pool; the claims are decoded meanwhile,
    // on this thread, and nothing decoded is used or reported until the signature verified:
    // a bad signature is a bad signature, whatever the claims look like.
    const signing = findSigner(message, kid, keys);
    const decoded = decodeClaimsAside(message.payload);
    const signer = await signing;
    verdict.signatureVerified = true;
    const { cwt } = decoded;
    if (cwt) {
      verdict.issuer = cwt.issuer ?? null;
      verdict.cardSerial = cwt.subject ?? null;
      verdict.issuedAt = isoOf(cwt.issuedAt);
      verdict.expiresAt = isoOf(cwt.expiresAt);
    }
    if ('error' in decoded || !cwt) throw decoded.error;
    verdict.claims = decoded.claims;
    if (!verdict.claims) throw new CredentialError('MISSING_CLAIM', 'claim 169');
    checkKeyWindow(signer, cwt, nowSeconds);
    const timeReason = checkCardTime(cwt, nowSeconds, options.clockSkewSeconds);
    if (timeReason)
      throw new CredentialError(timeReason, timeReason === 'MISSING_CLAIM' ? 'exp' : undefined);
    checkRevocation(cwt, options, verdict, nowSeconds);
    return { ...verdict, valid: true };
  } catch (error) {
    if (error instanceof CredentialError) return refused(verdict, error);
    throw error;
  }
}
