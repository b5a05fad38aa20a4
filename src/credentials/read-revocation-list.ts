// Reads a signed revocation list for an offline verifier. The list is signed by one of the
// issuer's keys from the trust list; its bitstring is inflated with a bound, so a hostile
// list cannot exhaust memory.
import { base64ToBytes } from './bytes';
import { revocationListType } from './create-revocation-list';
import type { RevocationListPayload } from './create-revocation-list';
import { CredentialError } from './errors';
import { inflateBounded } from './inflate-bounded';
import { revocationListBitsMax } from './limits';
import { openSignedDocument } from './signed-document';
import type { VerificationKey } from './types';

/** A verified revocation list. */
export interface RevocationList {
  readonly issuer: string;
  readonly issuedAt: Date;
  readonly size: number;
  readonly bits: Uint8Array;
}

/** A revocation list from its signed JSON (text or parsed), checked against the issuer's `keys`. */
export async function readRevocationList(
  input: unknown,
  options: { keys: readonly VerificationKey[] },
): Promise<RevocationList> {
  const code = 'BAD_REVOCATION_LIST';
  const opened = await openSignedDocument(input, options.keys, { typ: revocationListType, code });
  const payload = opened.payload as Partial<RevocationListPayload> | null;
  if (
    typeof payload !== 'object' ||
    payload === null ||
    payload.type !== 'TesseraRevocationList' ||
    payload.statusPurpose !== 'revocation' ||
    typeof payload.issuer !== 'string' ||
    typeof payload.encodedList !== 'string' ||
    !payload.encodedList.startsWith('u') ||
    !Number.isSafeInteger(payload.size)
  ) {
    throw new CredentialError(code, 'not a Tessera revocation list');
  }
  const size = payload.size as number;
  if (size <= 0 || size > revocationListBitsMax || size % 8 !== 0)
    throw new CredentialError(code, 'bad size');
  const issuedAtMs = Date.parse(payload.issuedAt ?? '');
  if (Number.isNaN(issuedAtMs)) throw new CredentialError(code, 'no issue time');
  const compressed = base64ToBytes(payload.encodedList.slice(1), code);
  const bits = inflateBounded(compressed, {
    outputBytesMax: size / 8,
    format: 'gzip',
    malformedCode: code,
  });
  if (bits.length !== size / 8)
    throw new CredentialError(code, 'bitstring does not match its size');
  return { issuer: payload.issuer, issuedAt: new Date(issuedAtMs), size, bits };
}

/** Whether a card serial is marked revoked; serials beyond the list are newer than it and not revoked. */
export function isSerialRevoked(list: RevocationList, serial: number): boolean {
  if (!Number.isSafeInteger(serial) || serial < 0 || serial >= list.size) return false;
  return ((list.bits[serial >> 3] as number) & (0x80 >> (serial & 7))) !== 0;
}
