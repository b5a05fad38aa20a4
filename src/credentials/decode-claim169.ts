// Reads the Claim 169 map into named, JSON-safe fields. Tolerant where published encoders
// disagree (gender as text, the claim as a byte string wrapping the map); unknown keys are
// reported, not kept, so a verifier never shows data it does not understand.
import { bytesToBase64 } from './bytes';
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

const genderWords: Record<string, number> = {
  m: genderCodes.male,
  male: genderCodes.male,
  f: genderCodes.female,
  female: genderCodes.female,
  o: genderCodes.other,
  other: genderCodes.other,
  others: genderCodes.other,
};

function bad(name: string): never {
  throw new CredentialError('BAD_CLAIM', `${name} has the wrong type`);
}

function isInt(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value);
}

function readBiometric(entry: unknown, name: string): Record<string, unknown> {
  if (!(entry instanceof Map)) bad(name);
  const out: Record<string, unknown> = {};
  const data = entry.get(0);
  if (data instanceof Uint8Array) out.data = bytesToBase64(data);
  else if (data !== undefined) bad(name);
  for (const [key, field] of [
    [1, 'format'],
    [2, 'subFormat'],
  ] as const) {
    const value = entry.get(key);
    if (isInt(value)) out[field] = value;
    else if (value !== undefined) bad(name);
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
      if (isInt(value)) return value;
      if (name === 'gender' && typeof value === 'string') {
        return genderWords[value.trim().toLowerCase()] ?? bad(name);
      }
      return bad(name);
    case 'bytes':
      return value instanceof Uint8Array ? bytesToBase64(value) : bad(name);
    case 'ints':
      return Array.isArray(value) && value.every(isInt) ? value : bad(name);
    default:
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
