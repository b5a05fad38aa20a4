// Produces a tagged COSE_Sign1 (RFC 9052 §4.2). Deterministic for Ed25519: the same key,
// headers and payload always give the same bytes, which the COSE WG example reproduces.
import { encode } from 'cborg';
import { concatBytes } from './bytes';
import { cborByteString, encodeCardCbor } from './encode-cbor-bytes';
import { buildSigStructure } from './verify-cose-sign1';
import type { SignatureAlgorithm } from './types';
import { signatureParams, subtle } from './webcrypto-params';

/** What to sign and with which key and headers. */
export interface SignCoseSign1Options {
  payload: Uint8Array;
  privateKey: CryptoKey;
  alg: SignatureAlgorithm;
  /** Must include the `alg` label (1); Tessera also puts the `kid` (4) here. */
  protectedHeader: Map<number, unknown>;
  unprotectedHeader?: Map<number, unknown>;
  externalAad?: Uint8Array;
  /**
   * Called with every byte of the message before the signature's, once signing has started:
   * work on them (compressing a card) overlaps the signature, which runs on another thread.
   */
  whileSigning?: (prefix: Uint8Array) => void;
}

// Tag 18 (COSE_Sign1, 0xd2) and an array of four (0x84).
const sign1Start = Uint8Array.of(0xd2, 0x84);
const emptyMap = Uint8Array.of(0xa0);

// Tessera's headers (alg, kid) take the direct encoder; any other labels, such as negative
// ones, take cborg's. Both write canonical CBOR.
function encodeHeader(header: Map<number, unknown>): Uint8Array {
  try {
    return encodeCardCbor(header);
  } catch (error) {
    if (error instanceof TypeError) return encode(header);
    throw error;
  }
}

/** The CBOR bytes of a COSE_Sign1 (tag 18) over `payload`. */
export async function signCoseSign1(options: SignCoseSign1Options): Promise<Uint8Array> {
  const protectedBytes =
    options.protectedHeader.size === 0 ? new Uint8Array(0) : encodeHeader(options.protectedHeader);
  const toBeSigned = buildSigStructure(protectedBytes, options.externalAad, options.payload);
  const signing = subtle().sign(signatureParams(options.alg), options.privateKey, toBeSigned);
  const unprotected = options.unprotectedHeader;
  const prefix = concatBytes(
    sign1Start,
    cborByteString(protectedBytes),
    unprotected && unprotected.size > 0 ? encodeHeader(unprotected) : emptyMap,
    cborByteString(options.payload),
  );
  options.whileSigning?.(prefix);
  const signature = new Uint8Array(await signing);
  return concatBytes(prefix, cborByteString(signature));
}
