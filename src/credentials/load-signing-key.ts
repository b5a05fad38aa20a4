// Turns a stored key row into a WebCrypto signing key: decrypt under the KEK, import as
// non-extractable. Decrypted keys are kept per application context, by kid, so that signing
// a sheet of cards does not decrypt the same key eighty times.
import type { AppContext } from '../shared/context';
import { importSigningKey } from './generate-issuer-key';
import { unprotectPrivateKey } from './protect-private-key';
import type { ProtectedPrivateKey } from './protect-private-key';
import { credentialSettings } from './settings';
import type { IssuerKeyRow } from './store';
import type { SigningKey } from './types';
import { readStoredJson } from '../shared/stored-json';
import { z } from 'zod';

/** The stored, sealed private key. */
const protectedKeySchema = z.object({
  version: z.literal(1),
  kid: z.string(),
  alg: z.literal('A256GCM'),
  iv: z.string(),
  ciphertext: z.string(),
  tag: z.string(),
});

const keysByApp = new WeakMap<AppContext, Map<string, SigningKey>>();

/** The signing key of a stored key row. */
export async function signingKeyOf(app: AppContext, row: IssuerKeyRow): Promise<SigningKey> {
  let cache = keysByApp.get(app);
  if (!cache) keysByApp.set(app, (cache = new Map()));
  const cached = cache.get(row.kid);
  if (cached) return cached;
  const stored: ProtectedPrivateKey = readStoredJson(
    protectedKeySchema,
    row.private_key,
    `issuer_keys ${row.kid} private_key`,
  );
  // The kid is bound into the ciphertext: a row whose key was swapped fails to decrypt.
  const jwk = unprotectPrivateKey(
    { ...stored, kid: row.kid },
    credentialSettings(app).keyEncryptionKey(),
  );
  const key = await importSigningKey(jwk, row.kid);
  cache.set(row.kid, key);
  return key;
}
