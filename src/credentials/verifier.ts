// The browser entry of the credentials domain: the offline verifier and what it needs, with
// no Node-only dependency anywhere below it. Bundle this file, not index.ts, for web/.
export { verifyCard, checkCardTime } from './verify-card';
export type { CardVerdict, VerifyCardOptions } from './verify-card';
export { decodeCard } from './decode-card';
export type { DecodeCardOptions, DecodedCard } from './decode-card';
export { readTrustList } from './read-trust-list';
export type { TrustList } from './read-trust-list';
export { readRevocationList, isSerialRevoked } from './read-revocation-list';
export type { RevocationList } from './read-revocation-list';
export { importPublicKey, importPublicJwk } from './import-public-key';
export { reasonMessages, CredentialError, isCredentialError } from './errors';
export type { ReasonCode } from './errors';
export type { IdentityClaims, VerificationKey } from './types';
