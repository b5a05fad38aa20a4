// The public surface of the credentials domain: issue, verify, lists, keys, rendering.
// Verification exports (verifyCard and what it needs) have no Node-only dependencies.
export { reasonMessages, CredentialError, isCredentialError } from './errors';
export type { ReasonCode } from './errors';
export * from './limits';
export type {
  CardFace,
  IdentityClaims,
  Sex,
  SignatureAlgorithm,
  SigningKey,
  VerificationKey,
} from './types';
export { encodeBase45, base45Alphabet } from './encode-base45';
export { decodeBase45 } from './decode-base45';
export { issueCard } from './issue-card';
export type { IssueCardOptions, IssuedCard } from './issue-card';
export { decodeCard } from './decode-card';
export type { DecodeCardOptions, DecodedCard } from './decode-card';
export { verifyCard, checkCardTime } from './verify-card';
export type { CardVerdict, VerifyCardOptions } from './verify-card';
export { signCoseSign1 } from './sign-cose-sign1';
export { parseCoseMessage } from './parse-cose-message';
export type { CoseSign1, CoseEncrypt0 } from './parse-cose-message';
export { verifyCoseSign1 } from './verify-cose-sign1';
export { createTrustList, trustListType } from './create-trust-list';
export type { TrustListEntry, TrustListPayload, CreateTrustListOptions } from './create-trust-list';
export { readTrustList } from './read-trust-list';
export type { TrustList } from './read-trust-list';
export { createRevocationList, revocationListType } from './create-revocation-list';
export type { CreateRevocationListOptions, RevocationListPayload } from './create-revocation-list';
export { readRevocationList, isSerialRevoked } from './read-revocation-list';
export type { RevocationList } from './read-revocation-list';
export type { SignedDocument } from './signed-document';
export { importPublicKey, importPublicJwk } from './import-public-key';
export type { ImportKeyOptions } from './import-public-key';
export { generateIssuerKey, importSigningKey, deriveKid } from './generate-issuer-key';
export type { IssuerKeyPair } from './generate-issuer-key';
export {
  protectPrivateKey,
  unprotectPrivateKey,
  parseKeyEncryptionKey,
} from './protect-private-key';
export type { ProtectedPrivateKey } from './protect-private-key';
export { encodeQr } from './encode-qr';
export type { QrErrorCorrection, QrSymbol } from './encode-qr';
export {
  renderCardFrontSvg,
  renderCardBackSvg,
  cardWidthMm,
  cardHeightMm,
} from './render-card-svg';
export type { CardArtwork } from './render-card-svg';
export { renderCardPng, cardDpiDefault } from './render-card-png';
export { renderCardPdf, renderCardSheetPdf, cardsPerSheet } from './render-card-pdf';
export { runVerifyCommand, registerVerifyCommand } from './cli-verify';
export type { VerifyCommandOptions } from './cli-verify';
export * from './service';
export { credentialsAuditOperations } from './audit-operations';
export { credentialsPermissions } from './permissions';

export { registerKeyCommands } from './cli-keys';
export {
  createListCardJob,
  createPeopleCardJob,
  createRegionCardJob,
  getCardJob,
  listCardJobs,
  runCardJob,
  type CardJob,
} from './bulk-issue';
export { sheetWorkersDefault } from './sheet-workers';
export { renderCardJobSheets } from './card-job-sheets';
export { buildSigStructure } from './verify-cose-sign1';

import { defineModule } from '../module';
import { credentialsAuditOperations } from './audit-operations';
import { registerKeyCommands } from './cli-keys';
import { registerVerifyCommand } from './cli-verify';
import { credentialHttpErrors } from './http-errors';
import { credentialsCardJobs, credentialsInitial } from './migrations';
import { registerCardCommands } from './cli-cards';
import { credentialsPermissions } from './permissions';
import { registerCredentials, revokeCardsOnLifeEvent } from './register-credentials';
import { cardRoutes } from './routes';
import { credentialSettings } from './settings';

/** The credentials domain, as the module list wires it. */
export const credentialsModule = defineModule({
  name: 'credentials',
  migrations: {
    '2026-11-30-02-credentials': credentialsInitial,
    '2026-12-11-01-credentials-card-jobs': credentialsCardJobs,
  },
  routes: cardRoutes,
  commands: (program, cli) => {
    registerKeyCommands(program, cli);
    registerVerifyCommand(program);
    registerCardCommands(program, cli);
  },
  permissions: credentialsPermissions,
  auditOperations: credentialsAuditOperations,
  lifeEventHooks: [revokeCardsOnLifeEvent],
  connect: registerCredentials,
  httpErrors: credentialHttpErrors,
  // The KEK is otherwise read at the first card signed: check it at start instead.
  startChecks: [(app) => void credentialSettings(app).keyEncryptionKey()],
});
