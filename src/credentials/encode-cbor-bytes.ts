// The few CBOR items COSE wraps around a payload, written directly (RFC 8949 section 3):
// a byte string's head and its bytes. cborg would build the same bytes from a tree of
// tokens; for the Sig_structure and the COSE_Sign1 array, made on every signature and
// every verification, writing them directly is several times faster and exactly equal.
import { concatBytes } from './bytes';

/** The head of a CBOR item of `major` type with `length` (shortest form, as canonical CBOR wants). */
export function cborHead(major: number, length: number): Uint8Array {
  const type = major << 5;
  if (length < 24) return Uint8Array.of(type | length);
  if (length < 0x100) return Uint8Array.of(type | 24, length);
  if (length < 0x10000) return Uint8Array.of(type | 25, length >> 8, length & 0xff);
  if (length < 0x100000000)
    return Uint8Array.of(
      type | 26,
      length >>> 24,
      (length >> 16) & 0xff,
      (length >> 8) & 0xff,
      length & 0xff,
    );
  const high = Math.floor(length / 0x100000000);
  const low = length >>> 0;
  return Uint8Array.of(
    type | 27,
    high >>> 24,
    (high >> 16) & 0xff,
    (high >> 8) & 0xff,
    high & 0xff,
    low >>> 24,
    (low >> 16) & 0xff,
    (low >> 8) & 0xff,
    low & 0xff,
  );
}

/** A CBOR byte string (major type 2) holding `bytes`. */
export function cborByteString(bytes: Uint8Array): Uint8Array {
  return concatBytes(cborHead(2, bytes.length), bytes);
}

const utf8 = new TextEncoder();

// Appends the canonical CBOR of `value` to `out`; keys of a map are its own integers, in
// ascending order (for non-negative integers this is RFC 8949 section 4.2.1's order, and
// what cborg writes).
function append(value: unknown, out: Uint8Array[]): void {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new TypeError('only safe integers are written');
    out.push(value >= 0 ? cborHead(0, value) : cborHead(1, -1 - value));
  } else if (typeof value === 'string') {
    const bytes = utf8.encode(value);
    out.push(cborHead(3, bytes.length), bytes);
  } else if (value instanceof Uint8Array) {
    out.push(cborHead(2, value.length), value);
  } else if (Array.isArray(value)) {
    out.push(cborHead(4, value.length));
    for (const item of value) append(item, out);
  } else if (value instanceof Map) {
    const keys = [...value.keys()];
    if (!keys.every((k): k is number => Number.isSafeInteger(k) && (k as number) >= 0)) {
      throw new TypeError('only maps with non-negative integer keys are written');
    }
    keys.sort((a, b) => a - b);
    out.push(cborHead(5, keys.length));
    for (const key of keys) {
      append(key, out);
      append(value.get(key), out);
    }
  } else {
    throw new TypeError(`no CBOR form for ${typeof value}`);
  }
}

/**
 * Canonical CBOR of what a card is made of: safe integers, text, bytes, arrays, and maps
 * keyed by non-negative integers. Byte for byte what cborg's `encode` gives for the same
 * value (a test holds them equal), without its token tree; anything else is a TypeError.
 */
export function encodeCardCbor(value: unknown): Uint8Array<ArrayBuffer> {
  const out: Uint8Array[] = [];
  append(value, out);
  return concatBytes(...out);
}
