// The stored card service: keys, cards and published lists over the database. index.ts
// re-exports it; the pure library (codec, verifier, rendering) needs none of it.
export { configureCredentials, credentialSettings, keyEncryptionKeyFromEnv } from './settings';
export type { CredentialSettings } from './settings';
export { registerCredentials, revokingLifeEvents } from './register-credentials';
export { createIssuerKey } from './create-issuer-key';
export { listIssuerKeys } from './list-issuer-keys';
export { requestKeyRotation, keyRotationInput } from './rotate-issuer-key';
export type { RotationResult } from './rotate-issuer-key';
export { currentTrustList } from './publish-trust-list';
export { currentRevocationList } from './publish-revocation-list';
export { issuePersonCard } from './issue-person-card';
export { replaceCard, replaceCardInput, replacementReasons } from './replace-card';
export type { Replacement } from './replace-card';
export { revokeCard, revokeCardInput } from './revoke-card';
export { listPersonCards } from './list-person-cards';
export {
  ownCards,
  renderOwnCard,
  renderStoredCard,
  renderStoredCardSheet,
  sheetCardsMax,
} from './render-stored-card';
export type { CardImageFormat, RenderedFile } from './render-stored-card';
export { verifyPresentedCard, verifyCardInput } from './verify-presented-card';
export type { CardSummary, IssuerKeyInfo } from './store';
