// The offline verifier: QR text in, a verdict with a stable reason out. It uses only
// WebCrypto and plain TypeScript (no Node-only import anywhere in its file tree), so the
// same code runs in Node, in the CLI and in a browser verifier app. It never throws on
// input: every refusal becomes a verdict.
import { decodeCard } from './decode-card';
import type { DecodedCard } from './decode-card';
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
  kid: string | null;
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

function candidatesFor(card: DecodedCard, keys: readonly VerificationKey[]): VerificationKey[] {
  const kid = card.message.kid;
  const matching = kid ? keys.filter((k) => k.kid === undefined || kidMatches(k, kid)) : [...keys];
  if (matching.length === 0)
    throw new CredentialError('UNKNOWN_KEY', card.kid ? `kid ${card.kid}` : 'no key id');
  return matching.slice(0, candidateKeysMax);
}

async function findSigner(
  card: DecodedCard,
  keys: readonly VerificationKey[],
): Promise<VerificationKey> {
  // An empty signature is the mark of an unsigned QR; it is refused before anything else.
  if (card.message.signature.length === 0) throw new CredentialError('UNSIGNED');
  const alg = signatureAlgorithmOf(card.message);
  for (const key of candidatesFor(card, keys)) {
    if (key.alg === alg && (await verifyCoseSign1(card.message, key))) return key;
  }
  throw new CredentialError('BAD_SIGNATURE');
}

function checkKeyWindow(key: VerificationKey, card: DecodedCard, nowSeconds: number): void {
  const issuedAt = card.cwt.issuedAt;
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
  cwt: DecodedCard['cwt'],
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
  card: DecodedCard,
  options: VerifyCardOptions,
  verdict: CardVerdict,
  nowSeconds: number,
): void {
  const list = options.revocations;
  if (!list || list.issuer !== card.cwt.issuer) return;
  verdict.revocationChecked = true;
  verdict.revocationListAgeSeconds = Math.max(
    0,
    nowSeconds - Math.floor(list.issuedAt.getTime() / 1000),
  );
  const ageMax = options.revocationListAgeSecondsMax;
  if (ageMax !== undefined && verdict.revocationListAgeSeconds > ageMax) {
    throw new CredentialError('REVOCATION_LIST_STALE', `${verdict.revocationListAgeSeconds} s old`);
  }
  const serial = card.cwt.subject;
  if (serial === undefined || !/^\d{1,15}$/.test(serial))
    throw new CredentialError('MISSING_CLAIM', 'card serial');
  if (isSerialRevoked(list, Number(serial)))
    throw new CredentialError('REVOKED', `serial ${serial}`);
}

function refused(verdict: CardVerdict, code: ReasonCode): CardVerdict {
  return { ...verdict, valid: false, reason: code, message: reasonMessages[code] };
}

/** The verdict on a card's QR text: valid, or refused with a stable reason and message. */
export async function verifyCard(qrText: string, options: VerifyCardOptions): Promise<CardVerdict> {
  const verdict: CardVerdict = {
    valid: false,
    reason: 'VALID',
    message: validMessage,
    kid: null,
    claims: null,
    issuer: null,
    cardSerial: null,
    issuedAt: null,
    expiresAt: null,
    revocationChecked: false,
  };
  const nowSeconds = Math.floor(options.now.getTime() / 1000);
  try {
    const card = await decodeCard(qrText, options);
    verdict.kid = card.kid;
    const keys = [...(options.trustList?.keys ?? []), ...(options.keys ?? [])];
    const signer = await findSigner(card, keys);
    verdict.claims = card.claims;
    verdict.issuer = card.cwt.issuer ?? null;
    verdict.cardSerial = card.cwt.subject ?? null;
    verdict.issuedAt = isoOf(card.cwt.issuedAt);
    verdict.expiresAt = isoOf(card.cwt.expiresAt);
    if (!card.claims) throw new CredentialError('MISSING_CLAIM', 'claim 169');
    checkKeyWindow(signer, card, nowSeconds);
    const timeReason = checkCardTime(card.cwt, nowSeconds, options.clockSkewSeconds);
    if (timeReason)
      throw new CredentialError(timeReason, timeReason === 'MISSING_CLAIM' ? 'exp' : undefined);
    checkRevocation(card, options, verdict, nowSeconds);
    return { ...verdict, valid: true };
  } catch (error) {
    if (error instanceof CredentialError) return refused(verdict, error.code);
    throw error;
  }
}
