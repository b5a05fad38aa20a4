// Values shared across the credentials domain. Keys are WebCrypto CryptoKeys so that the
// same verifier runs in Node 20 and in a browser.

/** A signature algorithm a card may be signed with; Tessera signs with EdDSA (Ed25519). */
export type SignatureAlgorithm = 'EdDSA' | 'ES256';

/** COSE algorithm identifiers (RFC 9053) of the accepted algorithms. */
export const coseAlgorithmIds: Readonly<Record<SignatureAlgorithm, number>> = {
  EdDSA: -8,
  ES256: -7,
};

/** A public key a verifier trusts, with the window in which it may sign and be trusted. */
export interface VerificationKey {
  /** Key id; undefined means "try this key whatever key id a card names". */
  readonly kid?: string | undefined;
  readonly alg: SignatureAlgorithm;
  readonly publicKey: CryptoKey;
  /** Seconds since the epoch: cards issued before this were not signed by this key. */
  readonly validFrom?: number | undefined;
  /** Seconds since the epoch: the key stopped signing (rotated out); later cards are forgeries. */
  readonly signedUntil?: number | undefined;
  /** Seconds since the epoch: when the last card this key signed expires; not trusted after. */
  readonly trustedUntil?: number | undefined;
}

/** A private key that signs cards and lists. */
export interface SigningKey {
  readonly kid: string;
  readonly alg: SignatureAlgorithm;
  readonly privateKey: CryptoKey;
}

/**
 * Claim 169 identity data, named as in the Claim 169 mapping (camelCase). Byte strings are
 * standard Base64 so that the value is plain JSON.
 */
export interface IdentityClaims {
  id?: string;
  version?: string;
  language?: string;
  fullName?: string;
  firstName?: string;
  middleName?: string;
  lastName?: string;
  dateOfBirth?: string;
  gender?: number;
  address?: string;
  email?: string;
  phone?: string;
  nationality?: string;
  maritalStatus?: number;
  guardian?: string;
  photo?: string;
  photoFormat?: number;
  bestQualityFingers?: number[];
  secondaryFullName?: string;
  secondaryLanguage?: string;
  locationCode?: string;
  legalStatus?: string;
  countryOfIssuance?: string;
  [biometric: string]: unknown;
}

/** Sex as recorded in the registry, when it is recorded at all. */
export type Sex = 'female' | 'male' | 'other';

/** What the printed card face shows, and so all that the signed QR may carry (principle 4). */
export interface CardFace {
  registryNumber: string;
  givenNames: string;
  surnames: string;
  /** `YYYY-MM-DD`, or `YYYY-MM` / `YYYY` when only part of the date is known. */
  dateOfBirth: string;
  sex?: Sex | undefined;
  /** JPEG, PNG or WebP bytes; signed and printed only when the deployment turns photos on. */
  photo?: { bytes: Uint8Array; format: 'jpeg' | 'png' | 'webp' } | undefined;
}
