// Sealing small secrets at rest (health attributes, TOTP secrets) with AES-256-GCM.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const version = 'v1';

/** Encrypts and authenticates text with the 32-byte key: "v1.<base64 iv|tag|ciphertext>". */
export function seal(key: Buffer, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return `${version}.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
}

/** Decrypts what seal() produced; throws if it was altered or sealed with another key. */
export function unseal(key: Buffer, sealed: string): string {
  const [v, data] = sealed.split('.', 2);
  if (v !== version || !data) throw new Error('unknown sealed format');
  const raw = Buffer.from(data, 'base64');
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
  decipher.setAuthTag(raw.subarray(12, 28));
  return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
}
