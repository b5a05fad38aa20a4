// Reads the Claim 169 map into named, JSON-safe fields. Tolerant where published encoders
// disagree, strict where a value cannot mean anything: gender (9) as an integer, a numeric
// string ("1") or a word; photo (16) as bytes, or as text holding hex (as the Claim 169
// reference decoder reads it) or Base64; a biometric field such as face (62) as one
// biometric map (the v1.2.2 specification's own example) or an array of them (its table);
// the claim itself as a map or a byte string wrapping the map's CBOR. Unknown keys are
// reported, not kept, so a verifier never shows data it does not understand.
import { base64ToBytes, bytesToBase64, hexToBytes } from './bytes';
import { claim169Fields, genderCodes } from './claim169-fields';
import { decodeCbor } from './decode-cbor';
import { CredentialError } from './errors';
import { claimsMax } from './limits';
import type { IdentityClaims } from './types';

/** Decoded Claim 169 fields and the keys that were present but unknown. */
export interface DecodedClaim169 {
  claims: IdentityClaims;
  unknownKeys: unknown[];
}

// Words for gender that published encoders write instead of the code, in English and Spanish.
const genderWords: Record<string, number> = {
  m: genderCodes.male,
  male: genderCodes.male,
  masculino: genderCodes.male,
  f: genderCodes.female,
  female: genderCodes.female,
  femenino: genderCodes.female,
  o: genderCodes.other,
  x: genderCodes.other,
  other: genderCodes.other,
  others: genderCodes.other,
  otro: genderCodes.other,
};

function bad(name: string, why = 'has the wrong type'): never {
  throw new CredentialError('BAD_CLAIM', `${name} ${why}`);
}

function isInt(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value);
}

// An integer field written as an integer, or as its decimal digits in a string.
function readInt(value: unknown, name: string): number {
  if (isInt(value)) return value;
  if (typeof value !== 'string') return bad(name);
  const text = value.trim();
  if (/^\d{1,9}$/.test(text)) return Number(text);
  if (name === 'gender')
    return genderWords[text.toLowerCase()] ?? bad(name, 'is not a known value');
  return bad(name);
}

// Bytes as a byte string, or as text holding hex or Base64 (some encoders write photos so).
function readBytes(value: unknown, name: string): string {
  if (value instanceof Uint8Array) return bytesToBase64(value);
  if (typeof value !== 'string' || value.length === 0) return bad(name);
  const isHex = value.length % 2 === 0 && /^[0-9a-fA-F]+$/.test(value);
  try {
    return bytesToBase64(
      isHex ? hexToBytes(value, 'BAD_CLAIM') : base64ToBytes(value, 'BAD_CLAIM'),
    );
  } catch {
    return bad(name, 'is text that is neither hex nor Base64');
  }
}

function readBiometric(entry: unknown, name: string): Record<string, unknown> {
  if (!(entry instanceof Map)) bad(name);
  const out: Record<string, unknown> = {};
  const data = entry.get(0);
  if (data !== undefined) out.data = readBytes(data, name);
  for (const [key, field] of [
    [1, 'format'],
    [2, 'subFormat'],
  ] as const) {
    const value = entry.get(key);
    if (value !== undefined) out[field] = readInt(value, name);
  }
  const issuer = entry.get(3);
  if (typeof issuer === 'string') out.issuer = issuer;
  else if (issuer !== undefined) bad(name);
  return out;
}

function readField(type: string, value: unknown, name: string): unknown {
  switch (type) {
    case 'text':
      return typeof value === 'string' ? value : bad(name);
    case 'int':
      return readInt(value, name);
    case 'bytes':
      return readBytes(value, name);
    case 'ints':
      return Array.isArray(value) && value.every(isInt) ? value : bad(name);
    default:
      // Always an array in what a verifier shows, however the card wrote it.
      if (value instanceof Map) return [readBiometric(value, name)];
      return Array.isArray(value) ? value.map((entry) => readBiometric(entry, name)) : bad(name);
  }
}

/** Named fields of a Claim 169 value (a map, or a byte string holding the map's CBOR). */
export function decodeClaim169(value: unknown): DecodedClaim169 {
  const map = value instanceof Uint8Array ? decodeCbor(value) : value;
  if (!(map instanceof Map)) throw new CredentialError('BAD_CLAIM', 'claim 169 is not a map');
  if (map.size > claimsMax)
    throw new CredentialError('TOO_LARGE', `claim 169 has ${map.size} fields`);
  const claims: IdentityClaims = {};
  const unknownKeys: unknown[] = [];
  for (const [key, fieldValue] of map) {
    const field = typeof key === 'number' ? claim169Fields.get(key) : undefined;
    if (!field) {
      unknownKeys.push(key);
      continue;
    }
    claims[field.name] = readField(field.type, fieldValue, field.name);
  }
  return { claims, unknownKeys };
}
