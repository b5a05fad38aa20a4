// Produces a tagged COSE_Sign1 (RFC 9052 §4.2). Deterministic for Ed25519: the same key,
// headers and payload always give the same bytes, which the COSE WG example reproduces.
import { encode } from 'cborg';
import { concatBytes, toBufferSource } from './bytes';
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
}

const sign1Tag = new Uint8Array([0xd2]);

/** The CBOR bytes of a COSE_Sign1 (tag 18) over `payload`. */
export async function signCoseSign1(options: SignCoseSign1Options): Promise<Uint8Array> {
  const protectedBytes =
    options.protectedHeader.size === 0 ? new Uint8Array(0) : encode(options.protectedHeader);
  const toBeSigned = buildSigStructure(protectedBytes, options.externalAad, options.payload);
  const signature = new Uint8Array(
    await subtle().sign(
      signatureParams(options.alg),
      options.privateKey,
      toBufferSource(toBeSigned),
    ),
  );
  const message = [
    protectedBytes,
    options.unprotectedHeader ?? new Map(),
    options.payload,
    signature,
  ];
  return concatBytes(sign1Tag, encode(message));
}
