// Issuer key helpers. Keys are WebCrypto keys exported as JWK, so that storage (wired
// elsewhere) holds a portable, standard form. The key id is derived from the public key,
// short because it travels in every QR.
import { base64ToBytes, bytesToBase64Url, toBufferSource } from './bytes';
import { CredentialError } from './errors';
import type { SignatureAlgorithm, SigningKey } from './types';
import { keyImportParams, subtle } from './webcrypto-params';

/** A new issuer key pair, as JWKs with their key id. */
export interface IssuerKeyPair {
  kid: string;
  alg: SignatureAlgorithm;
  publicJwk: JsonWebKey;
  /** Secret: encrypt it with `protectPrivateKey` before storing; never log or return it. */
  privateJwk: JsonWebKey;
}

/** A key id from a public key: base64url of the first 6 bytes of SHA-256 of its `x` (8 characters). */
export async function deriveKid(publicJwk: JsonWebKey): Promise<string> {
  if (typeof publicJwk.x !== 'string') throw new CredentialError('BAD_KEY', 'JWK has no x');
  const digest = await subtle().digest(
    'SHA-256',
    toBufferSource(base64ToBytes(publicJwk.x, 'BAD_KEY')),
  );
  return bytesToBase64Url(new Uint8Array(digest).subarray(0, 6));
}

/** A new Ed25519 issuer key pair with its key id. */
export async function generateIssuerKey(): Promise<IssuerKeyPair> {
  const pair = (await subtle().generateKey({ name: 'Ed25519' }, true, [
    'sign',
    'verify',
  ])) as CryptoKeyPair;
  const publicJwk = await subtle().exportKey('jwk', pair.publicKey);
  const privateJwk = await subtle().exportKey('jwk', pair.privateKey);
  const kid = await deriveKid(publicJwk);
  return { kid, alg: 'EdDSA', publicJwk: { ...publicJwk, kid } as JsonWebKey, privateJwk };
}

/** A signing key from a private JWK (Ed25519 or P-256) and its key id. */
export async function importSigningKey(privateJwk: JsonWebKey, kid: string): Promise<SigningKey> {
  const alg: SignatureAlgorithm | undefined =
    privateJwk.kty === 'OKP' && privateJwk.crv === 'Ed25519'
      ? 'EdDSA'
      : privateJwk.kty === 'EC' && privateJwk.crv === 'P-256'
        ? 'ES256'
        : undefined;
  if (!alg || typeof privateJwk.d !== 'string')
    throw new CredentialError('BAD_KEY', 'not an Ed25519 or P-256 private JWK');
  const { kty, crv, x, y, d } = privateJwk;
  const jwk: JsonWebKey = { kty, crv, x, d, ...(y ? { y } : {}) } as JsonWebKey;
  const privateKey = await subtle()
    .importKey('jwk', jwk, keyImportParams(alg), false, ['sign'])
    .catch(() => {
      throw new CredentialError('BAD_KEY', 'the private JWK is not valid');
    });
  return { kid, alg, privateKey };
}
