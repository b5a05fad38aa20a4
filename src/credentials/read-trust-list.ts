// Reads a signed trust list into verification keys. With anchors (the issuer's pinned root
// keys) the list must be signed by one of them; without, it must be signed by one of its own
// keys, which proves only that it is intact, and the result says so (`isAnchored: false`).
import { base64ToBytes, utf8Text } from './bytes';
import { CredentialError } from './errors';
import { trustListType } from './create-trust-list';
import type { TrustListEntry, TrustListPayload } from './create-trust-list';
import { importPublicJwk } from './import-public-key';
import { trustListKeysMax } from './limits';
import { asSignedDocument, openSignedDocument } from './signed-document';
import type { VerificationKey } from './types';

/** A verified trust list, ready for `verifyCard`. */
export interface TrustList {
  readonly issuer: string;
  readonly issuedAt: Date;
  /** Whether the signature was checked against a pinned anchor key. */
  readonly isAnchored: boolean;
  readonly keys: readonly VerificationKey[];
}

function seconds(iso: unknown, field: string): number | undefined {
  if (iso === undefined) return undefined;
  const ms = typeof iso === 'string' ? Date.parse(iso) : NaN;
  if (Number.isNaN(ms)) throw new CredentialError('BAD_TRUST_LIST', `${field} is not an ISO time`);
  return Math.floor(ms / 1000);
}

async function toKey(entry: TrustListEntry): Promise<VerificationKey> {
  if (typeof entry !== 'object' || entry === null || typeof entry.kid !== 'string') {
    throw new CredentialError('BAD_TRUST_LIST', 'key entry without kid');
  }
  const key = await importPublicJwk(entry.publicJwk, {
    kid: entry.kid,
    validFrom: seconds(entry.validFrom, 'validFrom'),
    signedUntil: seconds(entry.signedUntil, 'signedUntil'),
    trustedUntil: seconds(entry.trustedUntil, 'trustedUntil'),
  }).catch(() => {
    throw new CredentialError('BAD_TRUST_LIST', `key ${entry.kid} is not a valid public key`);
  });
  if (key.alg !== entry.alg)
    throw new CredentialError('BAD_TRUST_LIST', `key ${entry.kid} is not ${entry.alg}`);
  return key;
}

function payloadOf(value: unknown): TrustListPayload {
  const payload = value as Partial<TrustListPayload> | null;
  if (
    typeof payload !== 'object' ||
    payload === null ||
    payload.type !== 'TesseraTrustList' ||
    typeof payload.issuer !== 'string' ||
    !Array.isArray(payload.keys)
  ) {
    throw new CredentialError('BAD_TRUST_LIST', 'not a Tessera trust list');
  }
  if (payload.keys.length > trustListKeysMax)
    throw new CredentialError('TOO_LARGE', 'too many keys');
  return payload as TrustListPayload;
}

/** Unverified keys of a signed trust list, used only to check a self-signed list. */
async function ownKeys(input: unknown): Promise<VerificationKey[]> {
  const doc = asSignedDocument(input, 'BAD_TRUST_LIST');
  let value: unknown;
  try {
    value = JSON.parse(utf8Text(base64ToBytes(doc.payload, 'BAD_TRUST_LIST')) ?? '');
  } catch {
    throw new CredentialError('BAD_TRUST_LIST', 'payload is not JSON');
  }
  return Promise.all(payloadOf(value).keys.map(toKey));
}

/** A trust list from its signed JSON (text or parsed), checked against `anchors` when given. */
export async function readTrustList(
  input: unknown,
  options: { anchors?: readonly VerificationKey[] | undefined } = {},
): Promise<TrustList> {
  const isAnchored = (options.anchors?.length ?? 0) > 0;
  const signers = isAnchored ? (options.anchors ?? []) : await ownKeys(input);
  const { payload } = await openSignedDocument(input, signers, {
    typ: trustListType,
    code: 'BAD_TRUST_LIST',
  });
  const list = payloadOf(payload);
  const issuedAt = seconds(list.issuedAt, 'issuedAt');
  if (issuedAt === undefined) throw new CredentialError('BAD_TRUST_LIST', 'no issue time');
  return {
    issuer: list.issuer,
    issuedAt: new Date(issuedAt * 1000),
    isAnchored,
    keys: await Promise.all(list.keys.map(toKey)),
  };
}
