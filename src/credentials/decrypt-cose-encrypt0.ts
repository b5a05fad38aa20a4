// Opens a COSE_Encrypt0 (RFC 9052 §5.2) with AES-GCM, as some Claim 169 issuers wrap their
// signed QR. Tessera never encrypts cards (the card face is public); this exists so that the
// verifier reads other issuers' QRs when an operator holds their key.
import { encode } from 'cborg';
import { toBufferSource } from './bytes';
import { CredentialError } from './errors';
import type { CoseEncrypt0 } from './parse-cose-message';
import { subtle } from './webcrypto-params';

// COSE algorithm ids of AES-GCM with 128-, 192- and 256-bit keys.
const gcmKeyBytes = new Map([
  [1, 16],
  [2, 24],
  [3, 32],
]);

/** The plaintext of a COSE_Encrypt0, trying each key; refuses with ENCRYPTED when none opens it. */
export async function decryptCoseEncrypt0(
  message: CoseEncrypt0,
  keys: readonly Uint8Array[],
): Promise<Uint8Array> {
  const alg = message.protectedHeader.get(1) ?? message.unprotectedHeader.get(1);
  const keyBytes = typeof alg === 'number' ? gcmKeyBytes.get(alg) : undefined;
  if (keyBytes === undefined) throw new CredentialError('UNSUPPORTED_COSE', 'encryption algorithm');
  const iv = message.unprotectedHeader.get(5) ?? message.protectedHeader.get(5);
  if (!(iv instanceof Uint8Array)) throw new CredentialError('NOT_COSE', 'no IV');
  const aad = encode(['Encrypt0', message.protectedBytes, new Uint8Array(0)]);
  for (const key of keys) {
    if (key.length !== keyBytes) continue;
    try {
      const cryptoKey = await subtle().importKey('raw', toBufferSource(key), 'AES-GCM', false, [
        'decrypt',
      ]);
      const params = { name: 'AES-GCM', iv: toBufferSource(iv), additionalData: aad };
      return new Uint8Array(
        await subtle().decrypt(params, cryptoKey, toBufferSource(message.ciphertext)),
      );
    } catch {
      // A wrong key fails the GCM tag check; try the next one.
    }
  }
  throw new CredentialError('ENCRYPTED', keys.length > 0 ? 'no given key opens it' : undefined);
}
