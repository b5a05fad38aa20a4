// Builds the Claim 169 map of a Tessera card from its face, and nothing else (principle 4):
// registry number, names, date of birth, sex when recorded, and a photo only on request.
// Inputs are checked here, at the edge, with BAD_INPUT; the output is always well-formed.
//
// What is written follows the Claim 169 specification v1.2.2 (MOSIP id-claim-169,
// readme/169-qr-code-specification-1.2.2.md, section 3.1):
// - 1 ID, 4 Full Name, 5 First Name, 7 Last Name: text. The full name is written beside
//   the given names and surnames, so that a reader that shows only key 4 shows the name.
// - 8 Date of Birth: "Date of birth in YYYYMMDD format". The specification says nothing of
//   a birth known only by its year or month, and every field is optional. Tessera keeps the
//   eight-digit form and writes 00 for what is unknown (YYYYMM00, YYYY0000): a reader that
//   checks the form reads it, a date can never be mistaken for a birthday nobody recorded
//   (as YYYY0101 would be), and the year a point of service compares is still signed.
// - 9 Gender: int, 1 male, 2 female, 3 others.
// - 62 Face: [Biometrics], each {0: data, 1: format (0 image), 2: sub-format (0 PNG,
//   1 JPEG, 4 WEBP)}. Keys 16 and 17 are deprecated in v1.2.2 "in favor of the biometric
//   object (#62)" and are never written.
import { biometricFormats, genderCodes, imageSubFormats } from './claim169-fields';
import { CredentialError } from './errors';
import { nameCharsMax } from '../shared/limits';
import { photoBytesMax, registryNumberCharsMax } from './limits';
import type { CardFace } from './types';

/** What a card face shows in place of surnames for a person recorded without any. */
export const noSurnames = '—';

// Printable text: no control characters, no leading or trailing space.
const printable = /^[^\p{Cc}\p{Cs}\p{Co}\p{Cn}]+$/u;

function checkText(value: unknown, field: string, charsMax: number): string {
  if (typeof value !== 'string') throw new CredentialError('BAD_INPUT', `${field} must be text`);
  const text = value.normalize('NFC');
  const chars = [...text].length;
  if (chars === 0 || chars > charsMax || text.trim() !== text || !printable.test(text)) {
    throw new CredentialError(
      'BAD_INPUT',
      `${field} must be 1 to ${charsMax} printable characters`,
    );
  }
  return text;
}

/** `YYYYMMDD` from `YYYY-MM-DD`; `YYYYMM00` from `YYYY-MM` and `YYYY0000` from `YYYY` (see above). */
export function compactDateOfBirth(value: string): string {
  const match = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/.exec(value);
  if (!match)
    throw new CredentialError('BAD_INPUT', 'dateOfBirth must be YYYY-MM-DD, YYYY-MM or YYYY');
  const [, year, month, day] = match;
  if (month !== undefined && (Number(month) < 1 || Number(month) > 12)) {
    throw new CredentialError('BAD_INPUT', 'dateOfBirth has no such month');
  }
  if (day !== undefined) {
    const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
    if (date.getUTCDate() !== Number(day))
      throw new CredentialError('BAD_INPUT', 'dateOfBirth has no such day');
  }
  return `${year}${month ?? '00'}${day ?? '00'}`;
}

/** The date of birth a card's key 8 holds, as a person reads it: `1984-01-18`, `1984-01`, `1984`. */
export function readableDateOfBirth(compact: string): string {
  const match = /^(\d{4})(\d{2})(\d{2})$/.exec(compact);
  if (!match) return compact;
  const [, year, month, day] = match;
  if (month === '00') return year as string;
  return day === '00' ? `${year}-${month}` : `${year}-${month}-${day}`;
}

/** The Claim 169 map for a card face; a photo is included only when `includePhoto` is true. */
export function encodeCardClaims(
  face: CardFace,
  options: { includePhoto?: boolean } = {},
): Map<number, unknown> {
  const givenNames = checkText(face.givenNames, 'givenNames', nameCharsMax);
  const surnames = checkText(face.surnames, 'surnames', nameCharsMax);
  const claims = new Map<number, unknown>();
  claims.set(1, checkText(face.registryNumber, 'registryNumber', registryNumberCharsMax));
  claims.set(4, surnames === noSurnames ? givenNames : `${givenNames} ${surnames}`);
  claims.set(5, givenNames);
  claims.set(7, surnames);
  claims.set(8, compactDateOfBirth(face.dateOfBirth));
  if (face.sex !== undefined) {
    const code = genderCodes[face.sex];
    if (code === undefined)
      throw new CredentialError('BAD_INPUT', 'sex must be female, male or other');
    claims.set(9, code);
  }
  if (options.includePhoto && face.photo) {
    const subFormat = imageSubFormats[face.photo.format];
    if (subFormat === undefined)
      throw new CredentialError('BAD_INPUT', 'photo format must be jpeg, png or webp');
    if (face.photo.bytes.length === 0 || face.photo.bytes.length > photoBytesMax) {
      throw new CredentialError('BAD_INPUT', `photo must be 1 to ${photoBytesMax} bytes`);
    }
    const entry = new Map<number, unknown>([
      [0, face.photo.bytes],
      [1, biometricFormats.image],
      [2, subFormat],
    ]);
    claims.set(62, [entry]);
  }
  return claims;
}
