// Reads the outer COSE structure: COSE_Sign1 (tag 18, or untagged, or inside a CWT tag 61)
// and COSE_Encrypt0 (tag 16, which some Claim 169 issuers wrap around the signed message).
// MAC and multi-signer forms are recognised and refused: an offline verifier has no shared
// secret, and cards have one signer.
import { utf8Bytes } from './bytes';
import { decodeCbor, Tagged } from './decode-cbor';
import { CredentialError } from './errors';

/** A parsed COSE_Sign1 message with its headers resolved. */
export interface CoseSign1 {
  readonly kind: 'sign1';
  /** The protected header as signed (zero-length when it is an empty map). */
  readonly protectedBytes: Uint8Array;
  readonly protectedHeader: Map<unknown, unknown>;
  readonly unprotectedHeader: Map<unknown, unknown>;
  readonly payload: Uint8Array;
  readonly signature: Uint8Array;
  /** The `alg` header (label 1), from the protected header when present there. */
  readonly alg: unknown;
  /** The `kid` header (label 4), protected first, then unprotected. */
  readonly kid: Uint8Array | undefined;
}

/** A parsed COSE_Encrypt0 message. */
export interface CoseEncrypt0 {
  readonly kind: 'encrypt0';
  readonly protectedBytes: Uint8Array;
  readonly protectedHeader: Map<unknown, unknown>;
  readonly unprotectedHeader: Map<unknown, unknown>;
  readonly ciphertext: Uint8Array;
}

const unsupportedTags = new Set([17, 96, 97, 98]);

function header(bytes: unknown): { bytes: Uint8Array; map: Map<unknown, unknown> } {
  if (!(bytes instanceof Uint8Array))
    throw new CredentialError('NOT_COSE', 'protected header is not a byte string');
  if (bytes.length === 0) return { bytes, map: new Map() };
  const map = decodeCbor(bytes);
  if (!(map instanceof Map)) throw new CredentialError('NOT_COSE', 'protected header is not a map');
  // An empty map is signed as a zero-length string (RFC 9052 §3; COSE WG sign-pass-01).
  return { bytes: map.size === 0 ? new Uint8Array(0) : bytes, map };
}

function pick(label: number, first: Map<unknown, unknown>, second: Map<unknown, unknown>): unknown {
  return first.has(label) ? first.get(label) : second.get(label);
}

/** The COSE_Sign1 or COSE_Encrypt0 in CBOR bytes; refuses other content with NOT_COSE or UNSUPPORTED_COSE. */
export function parseCoseMessage(bytes: Uint8Array): CoseSign1 | CoseEncrypt0 {
  let value = decodeCbor(bytes);
  if (value instanceof Tagged && value.tag === 61) value = value.value;
  let tag: number | undefined;
  if (value instanceof Tagged) {
    tag = value.tag;
    value = value.value;
  }
  if (tag !== undefined && unsupportedTags.has(tag)) {
    throw new CredentialError('UNSUPPORTED_COSE', `COSE tag ${tag}`);
  }
  if (tag !== undefined && tag !== 18 && tag !== 16)
    throw new CredentialError('NOT_COSE', `CBOR tag ${tag}`);
  if (!Array.isArray(value)) throw new CredentialError('NOT_COSE', 'not a COSE array');
  const isEncrypt0 = tag === 16 || (tag === undefined && value.length === 3);
  if (value.length !== (isEncrypt0 ? 3 : 4))
    throw new CredentialError('NOT_COSE', 'wrong number of parts');
  const prot = header(value[0]);
  const unprotected = value[1];
  if (!(unprotected instanceof Map))
    throw new CredentialError('NOT_COSE', 'unprotected header is not a map');
  if (isEncrypt0) {
    if (!(value[2] instanceof Uint8Array)) throw new CredentialError('NOT_COSE', 'no ciphertext');
    return {
      kind: 'encrypt0',
      protectedBytes: prot.bytes,
      protectedHeader: prot.map,
      unprotectedHeader: unprotected,
      ciphertext: value[2],
    };
  }
  const [, , payload, signature] = value as unknown[];
  if (!(payload instanceof Uint8Array))
    throw new CredentialError('NOT_COSE', 'payload is detached or not bytes');
  if (!(signature instanceof Uint8Array))
    throw new CredentialError('NOT_COSE', 'signature is not bytes');
  const kid = pick(4, prot.map, unprotected);
  return {
    kind: 'sign1',
    protectedBytes: prot.bytes,
    protectedHeader: prot.map,
    unprotectedHeader: unprotected,
    payload,
    signature,
    alg: pick(1, prot.map, unprotected),
    // Some encoders write the key id as text; read it as its UTF-8 bytes.
    kid: kid instanceof Uint8Array ? kid : typeof kid === 'string' ? utf8Bytes(kid) : undefined,
  };
}
