// Builds the Claim 169 map of a Tessera card from its face, and nothing else (principle 4):
// registry number, names, date of birth, sex when recorded, and a photo only on request.
// Inputs are checked here, at the edge, with BAD_INPUT; the output is always well-formed.
import { genderCodes, photoFormatCodes } from './claim169-fields';
import { CredentialError } from './errors';
import { nameCharsMax } from '../shared/limits';
import { photoBytesMax, registryNumberCharsMax } from './limits';
import type { CardFace } from './types';

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

/** `YYYYMMDD` (or `YYYYMM`, `YYYY`) from `YYYY-MM-DD` (or `YYYY-MM`, `YYYY`), checked. */
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
  return `${year}${month ?? ''}${day ?? ''}`;
}

/** The Claim 169 map for a card face; a photo is included only when `includePhoto` is true. */
export function encodeCardClaims(
  face: CardFace,
  options: { includePhoto?: boolean } = {},
): Map<number, unknown> {
  const claims = new Map<number, unknown>();
  claims.set(1, checkText(face.registryNumber, 'registryNumber', registryNumberCharsMax));
  claims.set(5, checkText(face.givenNames, 'givenNames', nameCharsMax));
  claims.set(7, checkText(face.surnames, 'surnames', nameCharsMax));
  claims.set(8, compactDateOfBirth(face.dateOfBirth));
  if (face.sex !== undefined) {
    const code = genderCodes[face.sex];
    if (code === undefined)
      throw new CredentialError('BAD_INPUT', 'sex must be female, male or other');
    claims.set(9, code);
  }
  if (options.includePhoto && face.photo) {
    if (face.photo.bytes.length > photoBytesMax) {
      throw new CredentialError('BAD_INPUT', `photo must be at most ${photoBytesMax} bytes`);
    }
    claims.set(16, face.photo.bytes);
    claims.set(17, photoFormatCodes[face.photo.format]);
  }
  return claims;
}
