// Private keys at rest: AES-256-GCM under a key-encryption key (KEK) that comes from the
// environment, never from the database that holds the ciphertext. The key id is bound as
// additional data, so a ciphertext cannot be swapped onto another key's row. Node-side only.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { base64ToBytes, bytesToBase64Url, utf8Bytes, utf8Text } from './bytes';
import { CredentialError } from './errors';

/** An encrypted private key, safe to store. */
export interface ProtectedPrivateKey {
  version: 1;
  kid: string;
  alg: 'A256GCM';
  iv: string;
  ciphertext: string;
  tag: string;
}

const kekBytes = 32;

/** A 32-byte key-encryption key from base64 or hex text (as found in an environment variable). */
export function parseKeyEncryptionKey(text: string | undefined): Uint8Array {
  const value = (text ?? '').trim();
  const bytes = /^[0-9a-fA-F]{64}$/.test(value)
    ? Buffer.from(value, 'hex')
    : base64ToBytes(value, 'BAD_KEY');
  if (bytes.length !== kekBytes)
    throw new CredentialError('BAD_KEY', 'the key-encryption key must be 32 bytes');
  return new Uint8Array(bytes);
}

/** The private JWK encrypted under `kek`, bound to `kid`. */
export function protectPrivateKey(
  privateJwk: JsonWebKey,
  kid: string,
  kek: Uint8Array,
): ProtectedPrivateKey {
  if (kek.length !== kekBytes)
    throw new CredentialError('BAD_KEY', 'the key-encryption key must be 32 bytes');
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', kek, iv);
  cipher.setAAD(utf8Bytes(kid));
  const ciphertext = Buffer.concat([
    cipher.update(utf8Bytes(JSON.stringify(privateJwk))),
    cipher.final(),
  ]);
  return {
    version: 1,
    kid,
    alg: 'A256GCM',
    iv: bytesToBase64Url(iv),
    ciphertext: bytesToBase64Url(ciphertext),
    tag: bytesToBase64Url(cipher.getAuthTag()),
  };
}

/** The private JWK inside a protected key; refuses a wrong KEK or altered ciphertext with BAD_KEY. */
export function unprotectPrivateKey(stored: ProtectedPrivateKey, kek: Uint8Array): JsonWebKey {
  if (stored.version !== 1 || stored.alg !== 'A256GCM')
    throw new CredentialError('BAD_KEY', 'unknown format');
  try {
    const decipher = createDecipheriv('aes-256-gcm', kek, base64ToBytes(stored.iv, 'BAD_KEY'));
    decipher.setAAD(utf8Bytes(stored.kid));
    decipher.setAuthTag(base64ToBytes(stored.tag, 'BAD_KEY'));
    const plain = Buffer.concat([
      decipher.update(base64ToBytes(stored.ciphertext, 'BAD_KEY')),
      decipher.final(),
    ]);
    return JSON.parse(utf8Text(plain) ?? '') as JsonWebKey;
  } catch {
    // The cause (wrong KEK, altered bytes) is deliberately not distinguished or echoed.
    throw new CredentialError('BAD_KEY', 'cannot decrypt the stored key');
  }
}
