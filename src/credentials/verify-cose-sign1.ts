// Checks the signature of a parsed COSE_Sign1 with one key (RFC 9052 §4.4).
import { concatBytes, toBufferSource } from './bytes';
import { cborByteString } from './encode-cbor-bytes';
import { CredentialError } from './errors';
import type { CoseSign1 } from './parse-cose-message';
import { coseAlgorithmIds } from './types';
import type { SignatureAlgorithm, VerificationKey } from './types';
import { signatureParams, subtle } from './webcrypto-params';

const empty = new Uint8Array(0);

// A CBOR array of four (0x84) whose first item is the text "Signature1" (0x6a and 10 bytes).
const sigStructureStart = Uint8Array.of(0x84, 0x6a, ...new TextEncoder().encode('Signature1'));

/** The Sig_structure bytes that a COSE_Sign1 signature covers (RFC 9052 section 4.4). */
export function buildSigStructure(
  protectedBytes: Uint8Array,
  externalAad: Uint8Array | undefined,
  payload: Uint8Array,
): Uint8Array<ArrayBuffer> {
  return concatBytes(
    sigStructureStart,
    cborByteString(protectedBytes),
    cborByteString(externalAad ?? empty),
    cborByteString(payload),
  );
}

/** The accepted algorithm a message names; refuses others with UNSUPPORTED_ALGORITHM. */
export function signatureAlgorithmOf(message: CoseSign1): SignatureAlgorithm {
  if (message.alg === coseAlgorithmIds.EdDSA) return 'EdDSA';
  if (message.alg === coseAlgorithmIds.ES256) return 'ES256';
  const shown = typeof message.alg === 'number' ? String(message.alg) : typeof message.alg;
  throw new CredentialError('UNSUPPORTED_ALGORITHM', `alg ${shown}`);
}

// Raw signature sizes: Ed25519 64 bytes, ES256 r||s 64 bytes.
const signatureBytes: Record<SignatureAlgorithm, number> = { EdDSA: 64, ES256: 64 };

/** Whether `key` made the signature of `message`; false for a wrong-size signature or another algorithm's key. */
export async function verifyCoseSign1(
  message: CoseSign1,
  key: VerificationKey,
  externalAad?: Uint8Array,
): Promise<boolean> {
  const alg = signatureAlgorithmOf(message);
  if (key.alg !== alg || message.signature.length !== signatureBytes[alg]) return false;
  const toBeSigned = buildSigStructure(message.protectedBytes, externalAad, message.payload);
  return subtle().verify(
    signatureParams(alg),
    key.publicKey,
    toBufferSource(message.signature),
    toBeSigned,
  );
}
