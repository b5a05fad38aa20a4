// RFC 9285 Base45: two bytes become three characters of the QR alphanumeric alphabet, so a
// QR code in alphanumeric mode stores the compressed card at 5.5 bits per character.

/** The 45 characters of RFC 9285, in value order. Note the space: scanned text is never trimmed. */
export const base45Alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';

/** Base45 text of bytes (RFC 9285 §4). */
export function encodeBase45(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i + 1 < bytes.length; i += 2) {
    const n = (bytes[i] as number) * 256 + (bytes[i + 1] as number);
    const c = n % 45;
    const d = Math.floor(n / 45) % 45;
    const e = Math.floor(n / 2025);
    out += base45Alphabet[c]! + base45Alphabet[d]! + base45Alphabet[e]!;
  }
  if (bytes.length % 2 === 1) {
    const n = bytes[bytes.length - 1] as number;
    out += base45Alphabet[n % 45]! + base45Alphabet[Math.floor(n / 45)]!;
  }
  return out;
}
