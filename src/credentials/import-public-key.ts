// Turns the forms in which operators receive issuer public keys into WebCrypto keys: a JWK,
// a PEM SPKI public key, an X.509 certificate (PEM or base64 DER), or raw hex (32-byte
// Ed25519, or 65-byte uncompressed P-256). Pure TypeScript and WebCrypto, so it runs in a
// browser too. Certificates are read only for their key: an operator who passes a
// certificate has chosen to trust it.
import { base64ToBytes, bytesEqual, hexToBytes, toBufferSource } from './bytes';
import { CredentialError } from './errors';
import type { SignatureAlgorithm, VerificationKey } from './types';
import { keyImportParams, subtle } from './webcrypto-params';

/** The validity window and key id to attach to an imported key. */
export interface ImportKeyOptions {
  kid?: string | undefined;
  validFrom?: number | undefined;
  signedUntil?: number | undefined;
  trustedUntil?: number | undefined;
}

const ed25519Oid = new Uint8Array([0x06, 0x03, 0x2b, 0x65, 0x70]);
const p256Oid = new Uint8Array([0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07]);

function bad(detail: string): never {
  throw new CredentialError('BAD_KEY', detail);
}

interface Tlv {
  tag: number;
  start: number;
  contentStart: number;
  end: number;
}

// One DER TLV at `offset`; lengths beyond the buffer are refused.
function readTlv(der: Uint8Array, offset: number): Tlv {
  const tag = der[offset];
  let length = der[offset + 1];
  if (tag === undefined || length === undefined) bad('truncated DER');
  let contentStart = offset + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count < 1 || count > 3) bad('unsupported DER length');
    length = 0;
    for (let i = 0; i < count; i++)
      length = length * 256 + (der[contentStart + i] ?? bad('truncated DER'));
    contentStart += count;
  }
  const end = contentStart + length;
  if (end > der.length) bad('truncated DER');
  return { tag, start: offset, contentStart, end };
}

function children(der: Uint8Array, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let at = parent.contentStart; at < parent.end && out.length < 16;) {
    const child = readTlv(der, at);
    out.push(child);
    at = child.end;
  }
  return out;
}

function contains(haystack: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

/** The SubjectPublicKeyInfo inside a DER certificate, or the DER itself when it is an SPKI. */
function spkiOf(der: Uint8Array): Uint8Array {
  const outer = readTlv(der, 0);
  if (outer.tag !== 0x30 || outer.end !== der.length) bad('not a DER sequence');
  const parts = children(der, outer);
  const first = parts[0];
  // An SPKI is SEQUENCE { SEQUENCE algorithm, BIT STRING }; a certificate starts with the TBS SEQUENCE.
  if (parts.length === 2 && parts[1]?.tag === 0x03) return der;
  if (!first || first.tag !== 0x30) bad('not a certificate or public key');
  const tbs = children(der, first);
  // TBSCertificate: [0] version?, serial, signature, issuer, validity, subject, subjectPublicKeyInfo
  const skip = tbs[0]?.tag === 0xa0 ? 1 : 0;
  const spki = tbs[skip + 5];
  if (!spki || spki.tag !== 0x30) bad('certificate has no public key');
  return der.subarray(spki.start, spki.end);
}

function algorithmOfSpki(spki: Uint8Array): SignatureAlgorithm {
  const algorithm = readTlv(spki, readTlv(spki, 0).contentStart);
  const algorithmBytes = spki.subarray(algorithm.start, algorithm.end);
  if (contains(algorithmBytes, ed25519Oid)) return 'EdDSA';
  if (contains(algorithmBytes, p256Oid)) return 'ES256';
  return bad('key is neither Ed25519 nor P-256');
}

async function fromSpki(der: Uint8Array, options: ImportKeyOptions): Promise<VerificationKey> {
  const spki = spkiOf(der);
  const alg = algorithmOfSpki(spki);
  const publicKey = await subtle()
    .importKey('spki', toBufferSource(spki), keyImportParams(alg), true, ['verify'])
    .catch(() => bad('the key bytes are not a valid public key'));
  return { ...options, alg, publicKey };
}

/** A verification key from a public JWK (OKP Ed25519 or EC P-256); private parts are dropped. */
export async function importPublicJwk(
  jwk: JsonWebKey & { kid?: string },
  options: ImportKeyOptions = {},
): Promise<VerificationKey> {
  let alg: SignatureAlgorithm;
  let publicJwk: JsonWebKey;
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519' && typeof jwk.x === 'string') {
    alg = 'EdDSA';
    publicJwk = { kty: 'OKP', crv: 'Ed25519', x: jwk.x };
  } else if (
    jwk.kty === 'EC' &&
    jwk.crv === 'P-256' &&
    typeof jwk.x === 'string' &&
    typeof jwk.y === 'string'
  ) {
    alg = 'ES256';
    publicJwk = { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y };
  } else {
    return bad('JWK is neither an Ed25519 (OKP) nor a P-256 (EC) public key');
  }
  const publicKey = await subtle()
    .importKey('jwk', publicJwk, keyImportParams(alg), true, ['verify'])
    .catch(() => bad('the JWK is not a valid public key'));
  return { kid: jwk.kid, ...options, alg, publicKey };
}

async function fromRaw(raw: Uint8Array, options: ImportKeyOptions): Promise<VerificationKey> {
  const alg: SignatureAlgorithm | undefined =
    raw.length === 32 ? 'EdDSA' : raw.length === 65 && raw[0] === 0x04 ? 'ES256' : undefined;
  if (!alg) bad('raw key must be 32 bytes (Ed25519) or 65 bytes starting 04 (P-256)');
  const publicKey = await subtle()
    .importKey('raw', toBufferSource(raw), keyImportParams(alg), true, ['verify'])
    .catch(() => bad('the key bytes are not a valid public key'));
  return { ...options, alg, publicKey };
}

const pemPattern = /-----BEGIN (PUBLIC KEY|CERTIFICATE)-----([\s\S]*?)-----END \1-----/;

/** A verification key from text: JWK JSON, PEM public key or certificate, base64 DER, or raw hex. */
export async function importPublicKey(
  text: string,
  options: ImportKeyOptions = {},
): Promise<VerificationKey> {
  const input = text.trim();
  if (input.length > 16 * 1024) bad('key text is too long');
  if (input.startsWith('{')) {
    let jwk: unknown;
    try {
      jwk = JSON.parse(input);
    } catch {
      bad('not valid JSON');
    }
    if (typeof jwk !== 'object' || jwk === null) bad('JWK is not an object');
    return importPublicJwk(jwk as JsonWebKey, options);
  }
  const pem = pemPattern.exec(input);
  if (pem) return fromSpki(base64ToBytes((pem[2] ?? '').replace(/\s+/g, ''), 'BAD_KEY'), options);
  if (/^(0x)?[0-9a-fA-F]+$/.test(input))
    return fromRaw(hexToBytes(input.replace(/^0x/, ''), 'BAD_KEY'), options);
  return fromSpki(base64ToBytes(input.replace(/\s+/g, ''), 'BAD_KEY'), options);
}

/** Whether a key's id, as UTF-8 bytes, equals the key id bytes a card names. */
export function kidMatches(key: VerificationKey, kid: Uint8Array): boolean {
  return key.kid !== undefined && bytesEqual(new TextEncoder().encode(key.kid), kid);
}
