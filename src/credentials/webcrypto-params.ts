// WebCrypto parameters for each accepted algorithm, in one place.
import type { SignatureAlgorithm } from './types';

/** The WebCrypto import parameters of a public or private key for `alg`. */
export function keyImportParams(alg: SignatureAlgorithm): AlgorithmIdentifier | EcKeyImportParams {
  return alg === 'EdDSA' ? { name: 'Ed25519' } : { name: 'ECDSA', namedCurve: 'P-256' };
}

/** The WebCrypto sign/verify parameters for `alg` (COSE and JOSE both use raw r||s for ES256). */
export function signatureParams(alg: SignatureAlgorithm): AlgorithmIdentifier | EcdsaParams {
  return alg === 'EdDSA' ? { name: 'Ed25519' } : { name: 'ECDSA', hash: 'SHA-256' };
}

/** The WebCrypto API of this runtime (Node 20 and browsers both have it). */
export function subtle(): SubtleCrypto {
  return globalThis.crypto.subtle;
}
