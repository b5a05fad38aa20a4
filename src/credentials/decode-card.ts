// The decoding half of verification: QR text → Base45 → zlib → COSE → CWT → Claim 169.
// Nothing here is trusted: the result has not had its signature checked. Every step is
// bounded before it runs, so hostile input costs little.
import { utf8Text, bytesToHex } from './bytes';
import { decodeBase45 } from './decode-base45';
import { decodeCbor } from './decode-cbor';
import { decodeClaim169 } from './decode-claim169';
import { decodeCwtClaims } from './decode-cwt-claims';
import type { CwtClaims } from './decode-cwt-claims';
import { decryptCoseEncrypt0 } from './decrypt-cose-encrypt0';
import { CredentialError } from './errors';
import { inflateBounded } from './inflate-bounded';
import { coseBytesMax, qrTextCharsMax } from './limits';
import { parseCoseMessage } from './parse-cose-message';
import type { CoseEncrypt0, CoseSign1 } from './parse-cose-message';
import type { IdentityClaims } from './types';

/** Options for decoding a card's QR text. */
export interface DecodeCardOptions {
  /** A context prefix such as `HC1:` that the QR text must start with. */
  prefix?: string | undefined;
  /** AES-GCM keys for issuers who encrypt their QRs (COSE_Encrypt0); Tessera does not. */
  decryptionKeys?: readonly Uint8Array[] | undefined;
}

/** A decoded, not yet verified card. */
export interface DecodedCard {
  readonly message: CoseSign1;
  /** The key id as text (UTF-8 when it is text, else `hex:` and its hex). */
  readonly kid: string | null;
  readonly cwt: CwtClaims;
  /** Claim 169 fields, or null when the CWT has no claim 169. */
  readonly claims: IdentityClaims | null;
  readonly unknownClaimKeys: unknown[];
}

/** Key id bytes shown as text. */
export function kidToText(kid: Uint8Array | undefined): string | null {
  if (!kid) return null;
  const text = utf8Text(kid);
  return text !== undefined && /^[\x20-\x7e]*$/.test(text) ? text : `hex:${bytesToHex(kid)}`;
}

/** The COSE bytes in QR text, after the prefix, Base45 and zlib. */
export function unwrapQrText(qrText: string, prefix?: string): Uint8Array {
  // Measured before anything else, so a 10 MB string is refused without being scanned.
  if (qrText.length > qrTextCharsMax)
    throw new CredentialError('TOO_LARGE', `${qrText.length} characters`);
  let text = qrText;
  if (prefix) {
    if (!text.startsWith(prefix)) throw new CredentialError('BAD_PREFIX', `expected ${prefix}`);
    text = text.slice(prefix.length);
  }
  const compressed = decodeBase45(text);
  return inflateBounded(compressed, { outputBytesMax: coseBytesMax });
}

// Some issuers encrypt a COSE_Sign1; others encrypt the bare claims, which leaves them
// unsigned: that case becomes a message with an empty signature, refused later as UNSIGNED.
async function openEncrypted(
  message: CoseEncrypt0,
  options: DecodeCardOptions,
): Promise<CoseSign1> {
  const plaintext = await decryptCoseEncrypt0(message, options.decryptionKeys ?? []);
  if (decodeCbor(plaintext) instanceof Map) {
    const empty = new Uint8Array(0);
    const noHeader = new Map<unknown, unknown>();
    return {
      kind: 'sign1',
      protectedBytes: empty,
      protectedHeader: noHeader,
      unprotectedHeader: noHeader,
      payload: plaintext,
      signature: empty,
      alg: undefined,
      kid: undefined,
    };
  }
  const inner = parseCoseMessage(plaintext);
  if (inner.kind !== 'sign1') throw new CredentialError('NOT_COSE', 'encryption nested twice');
  return inner;
}

/** The signed message in QR text and the key id it names: what a verifier needs first. */
export interface OpenedCard {
  readonly message: CoseSign1;
  /** The key id as text (UTF-8 when it is text, else `hex:` and its hex). */
  readonly kid: string | null;
}

/** The COSE_Sign1 in QR text (decrypted when an issuer encrypted it); its payload is not read. */
export async function openCard(
  qrText: string,
  options: DecodeCardOptions = {},
): Promise<OpenedCard> {
  const outer = parseCoseMessage(unwrapQrText(qrText, options.prefix));
  const message = outer.kind === 'encrypt0' ? await openEncrypted(outer, options) : outer;
  return { message, kid: kidToText(message.kid) };
}

/** The claims a card's payload holds: the CWT claims, then Claim 169 (null when absent). */
export function readCardClaims(cwt: CwtClaims): Pick<DecodedCard, 'claims' | 'unknownClaimKeys'> {
  const decoded = cwt.claim169 === undefined ? null : decodeClaim169(cwt.claim169);
  return { claims: decoded?.claims ?? null, unknownClaimKeys: decoded?.unknownKeys ?? [] };
}

/** The card in QR text, decoded but not verified. */
export async function decodeCard(
  qrText: string,
  options: DecodeCardOptions = {},
): Promise<DecodedCard> {
  const { message, kid } = await openCard(qrText, options);
  const cwt = decodeCwtClaims(message.payload);
  return { message, kid, cwt, ...readCardClaims(cwt) };
}
