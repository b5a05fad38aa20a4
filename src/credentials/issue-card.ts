// Issues a card's QR text: Claim 169 → CWT → COSE_Sign1 (kid in the protected header) →
// zlib → Base45. Strict in what it produces: canonical CBOR, a fixed claim set, no nbf (the
// issue time serves), and the card serial in `sub` so that revocation can find it.
import { utf8Bytes } from './bytes';
import { encodeCardCbor } from './encode-cbor-bytes';
import { deflateSmall, SmallDeflater } from './deflate-small';
import { encodeBase45 } from './encode-base45';
import { encodeCardClaims } from './encode-card-claims';
import { CredentialError } from './errors';
import { issuerCharsMax, qrTextCharsMax, revocationListBitsMax } from './limits';
import { signCoseSign1 } from './sign-cose-sign1';
import { coseAlgorithmIds } from './types';
import type { CardFace, SigningKey } from './types';

/** Room for a signature's CBOR byte string: ES256 and Ed25519 signatures are 64 bytes. */
const signatureRoomBytes = 2 + 132;

/** Everything needed to issue one card. */
export interface IssueCardOptions {
  face: CardFace;
  /** The card serial: its index in the revocation list. */
  serial: number;
  /** The issuer written to `iss`: an absolute URI such as `https://id.example.gob.ve`. */
  issuer: string;
  key: SigningKey;
  issuedAt: Date;
  expiresAt: Date;
  /** Deployment switch for the optional photo; off by default. */
  includePhoto?: boolean;
  /** A context prefix such as `HC1:`; none by default. */
  prefix?: string;
}

/** An issued card. */
export interface IssuedCard {
  qrText: string;
  /** The signed COSE_Sign1 bytes, before compression. */
  cose: Uint8Array;
}

// An absolute URI (RFC 3986 section 4.3): a scheme, a colon, and printable ASCII with no
// space; for http and https, a host as well.
const absoluteUri = /^[A-Za-z][A-Za-z0-9+.-]*:[\x21-\x7e]+$/;

/** Whether `value` may be written as a card's issuer: an absolute URI of at most 128 characters. */
export function isIssuerUri(value: string): boolean {
  if (value.length > issuerCharsMax || !absoluteUri.test(value)) return false;
  if (!/^https?:/i.test(value)) return true;
  try {
    return new URL(value).hostname.length > 0;
  } catch {
    return false;
  }
}

function toSeconds(date: Date, field: string): number {
  const ms = date.getTime();
  if (Number.isNaN(ms)) throw new CredentialError('BAD_INPUT', `${field} is not a date`);
  return Math.floor(ms / 1000);
}

/** The signed QR text of a card. */
export async function issueCard(options: IssueCardOptions): Promise<IssuedCard> {
  const { serial } = options;
  if (!Number.isSafeInteger(serial) || serial < 0 || serial >= revocationListBitsMax) {
    throw new CredentialError(
      'BAD_INPUT',
      `serial must be an integer from 0 to ${revocationListBitsMax - 1}`,
    );
  }
  const iat = toSeconds(options.issuedAt, 'issuedAt');
  const exp = toSeconds(options.expiresAt, 'expiresAt');
  if (exp <= iat) throw new CredentialError('BAD_INPUT', 'expiresAt must be after issuedAt');
  if (!isIssuerUri(options.issuer)) {
    throw new CredentialError(
      'BAD_INPUT',
      `issuer must be an absolute URI such as https://id.example.org, at most ${issuerCharsMax} characters`,
    );
  }
  const cwt = new Map<number, unknown>([
    [1, options.issuer],
    [2, String(serial)],
    [4, exp],
    [6, iat],
    [169, encodeCardClaims(options.face, { includePhoto: options.includePhoto ?? false })],
  ]);
  // The card is compressed as it is signed: everything before the signature while the
  // signature is computed on another thread, the signature after.
  let deflater: SmallDeflater | undefined;
  let before = 0;
  // Base45 encodes pairs of bytes on their own, so the stream's settled start, an even number
  // of bytes, is encoded ahead too.
  let textAhead = '';
  let bytesAhead = 0;
  const cose = await signCoseSign1({
    whileSigning: (prefix) => {
      before = prefix.length;
      deflater = new SmallDeflater(prefix.length + signatureRoomBytes).write(prefix);
      const settled = deflater.settled();
      bytesAhead = settled.length & ~1;
      textAhead = encodeBase45(settled.subarray(0, bytesAhead));
    },
    payload: encodeCardCbor(cwt),
    privateKey: options.key.privateKey,
    alg: options.key.alg,
    protectedHeader: new Map<number, unknown>([
      [1, coseAlgorithmIds[options.key.alg]],
      [4, utf8Bytes(options.key.kid)],
    ]),
  });
  // A small fixed-Huffman encoder, not a general one: Node's zlib spends more setting up its
  // compressor than a card takes to compress, and fflate more still (see deflate-small.ts).
  const compressed = deflater ? deflater.write(cose.subarray(before)).finish() : deflateSmall(cose);
  const qrText =
    (options.prefix ?? '') +
    (deflater
      ? textAhead + encodeBase45(compressed.subarray(bytesAhead))
      : encodeBase45(compressed));
  if (qrText.length > qrTextCharsMax)
    throw new CredentialError('TOO_LARGE', 'card does not fit a QR code');
  return { qrText, cose };
}
