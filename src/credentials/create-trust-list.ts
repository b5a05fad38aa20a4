// The trust list names the issuer's current and past public keys, each with the window in
// which it signed and the date until which its cards may still be verified. Keys rotate: a
// new key signs new cards while the old key stays listed (with `signedUntil` set) until
// `trustedUntil`, the expiry of the last card it signed.
import { CredentialError } from './errors';
import { trustListKeysMax } from './limits';
import { signDocument } from './signed-document';
import type { SignedDocument } from './signed-document';
import type { SignatureAlgorithm, SigningKey } from './types';

/** The document type of a Tessera trust list (the JWS `typ`). */
export const trustListType = 'tessera-trust-list+json';

/** One key in a trust list. Times are ISO 8601. */
export interface TrustListEntry {
  kid: string;
  alg: SignatureAlgorithm;
  /** The public JWK (OKP Ed25519 or EC P-256), without private parts. */
  publicJwk: JsonWebKey;
  validFrom: string;
  signedUntil?: string | undefined;
  trustedUntil?: string | undefined;
}

/** The payload of a trust list. */
export interface TrustListPayload {
  type: 'TesseraTrustList';
  version: 1;
  issuer: string;
  issuedAt: string;
  keys: TrustListEntry[];
}

/** Options for publishing a trust list. */
export interface CreateTrustListOptions {
  issuer: string;
  issuedAt: Date;
  keys: readonly TrustListEntry[];
  /** The key that signs the list: the issuer's trust anchor, or one of the listed keys. */
  signingKey: SigningKey;
}

function publicPart(jwk: JsonWebKey): JsonWebKey {
  if (jwk.kty === 'OKP' && typeof jwk.x === 'string')
    return { kty: 'OKP', crv: jwk.crv ?? 'Ed25519', x: jwk.x };
  if (jwk.kty === 'EC' && typeof jwk.x === 'string' && typeof jwk.y === 'string') {
    return { kty: 'EC', crv: jwk.crv ?? 'P-256', x: jwk.x, y: jwk.y };
  }
  throw new CredentialError('BAD_KEY', 'unsupported JWK');
}

/** A signed trust list; private key parts given by mistake are stripped, never published. */
export async function createTrustList(options: CreateTrustListOptions): Promise<SignedDocument> {
  if (options.keys.length === 0 || options.keys.length > trustListKeysMax) {
    throw new CredentialError('BAD_INPUT', `a trust list holds 1 to ${trustListKeysMax} keys`);
  }
  const payload: TrustListPayload = {
    type: 'TesseraTrustList',
    version: 1,
    issuer: options.issuer,
    issuedAt: options.issuedAt.toISOString(),
    keys: options.keys.map((entry) => ({
      kid: entry.kid,
      alg: entry.alg,
      publicJwk: publicPart(entry.publicJwk),
      validFrom: entry.validFrom,
      ...(entry.signedUntil ? { signedUntil: entry.signedUntil } : {}),
      ...(entry.trustedUntil ? { trustedUntil: entry.trustedUntil } : {}),
    })),
  };
  return signDocument(payload, options.signingKey, trustListType);
}
