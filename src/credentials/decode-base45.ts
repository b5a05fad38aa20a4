// RFC 9285 Base45 decoding, strict: any character outside the alphabet, a dangling single
// character, or a group whose value overflows its bytes is refused (BAD_BASE45).
import { base45Alphabet } from './encode-base45';
import { CredentialError } from './errors';

const valueOf = new Int8Array(128).fill(-1);
for (let i = 0; i < base45Alphabet.length; i++) valueOf[base45Alphabet.charCodeAt(i)] = i;

function charValue(text: string, index: number): number {
  const code = text.charCodeAt(index);
  const value = code < 128 ? (valueOf[code] as number) : -1;
  if (value < 0) throw new CredentialError('BAD_BASE45', `character ${index + 1} is not Base45`);
  return value;
}

/** Bytes of Base45 text (RFC 9285 §4); refuses malformed text with BAD_BASE45. */
export function decodeBase45(text: string): Uint8Array {
  if (text.length % 3 === 1)
    throw new CredentialError('BAD_BASE45', 'length leaves one character over');
  const out = new Uint8Array(Math.floor(text.length / 3) * 2 + (text.length % 3 === 2 ? 1 : 0));
  let o = 0;
  for (let i = 0; i < text.length; i += 3) {
    const c = charValue(text, i);
    const d = charValue(text, i + 1);
    if (i + 2 < text.length) {
      const n = c + d * 45 + charValue(text, i + 2) * 2025;
      if (n > 0xffff)
        throw new CredentialError('BAD_BASE45', `group at ${i + 1} overflows two bytes`);
      out[o++] = n >> 8;
      out[o++] = n & 0xff;
    } else {
      const n = c + d * 45;
      if (n > 0xff) throw new CredentialError('BAD_BASE45', `group at ${i + 1} overflows one byte`);
      out[o++] = n;
    }
  }
  return out;
}
