// Trust lists and revocation lists travel as JSON signed in the JWS flattened serialization
// (RFC 7515 §7.2.2): readable with any JOSE library, and small enough to publish at a stable
// URL and carry to offline verifiers on a memory stick.
import { base64ToBytes, bytesToBase64Url, toBufferSource, utf8Bytes, utf8Text } from './bytes';
import { CredentialError } from './errors';
import type { ReasonCode } from './errors';
import { kidMatches } from './import-public-key';
import { candidateKeysMax, signedDocumentBytesMax } from './limits';
import type { SigningKey, VerificationKey } from './types';
import { signatureParams, subtle } from './webcrypto-params';

/** A JWS in flattened JSON serialization. */
export interface SignedDocument {
  protected: string;
  payload: string;
  signature: string;
}

/** A JWS signing `payload` (as JSON) with `key`; `typ` names the kind of document. */
export async function signDocument(
  payload: unknown,
  key: SigningKey,
  typ: string,
): Promise<SignedDocument> {
  const header = bytesToBase64Url(utf8Bytes(JSON.stringify({ alg: key.alg, kid: key.kid, typ })));
  const body = bytesToBase64Url(utf8Bytes(JSON.stringify(payload)));
  const signingInput = utf8Bytes(`${header}.${body}`);
  const signature = await subtle().sign(
    signatureParams(key.alg),
    key.privateKey,
    toBufferSource(signingInput),
  );
  return {
    protected: header,
    payload: body,
    signature: bytesToBase64Url(new Uint8Array(signature)),
  };
}

function parseJson(part: string, code: ReasonCode): unknown {
  const text = utf8Text(base64ToBytes(part, code));
  try {
    return JSON.parse(text ?? '');
  } catch {
    throw new CredentialError(code, 'not JSON');
  }
}

/** A signed document read from JSON text or an already parsed value. */
export function asSignedDocument(input: unknown, code: ReasonCode): SignedDocument {
  let value = input;
  if (typeof input === 'string') {
    if (input.length > signedDocumentBytesMax)
      throw new CredentialError('TOO_LARGE', 'document too large');
    try {
      value = JSON.parse(input);
    } catch {
      throw new CredentialError(code, 'not JSON');
    }
  }
  const doc = value as Partial<SignedDocument> | null;
  if (
    typeof doc !== 'object' ||
    doc === null ||
    typeof doc.protected !== 'string' ||
    typeof doc.payload !== 'string' ||
    typeof doc.signature !== 'string'
  ) {
    throw new CredentialError(code, 'not a JWS in flattened JSON');
  }
  if (doc.payload.length > signedDocumentBytesMax)
    throw new CredentialError('TOO_LARGE', 'document too large');
  return { protected: doc.protected, payload: doc.payload, signature: doc.signature };
}

/** The header's key id and the payload of a signed document, checked against `keys`. */
export async function openSignedDocument(
  input: unknown,
  keys: readonly VerificationKey[],
  options: { typ: string; code: ReasonCode },
): Promise<{ kid: string; payload: unknown }> {
  const { code } = options;
  const doc = asSignedDocument(input, code);
  const header = parseJson(doc.protected, code) as { alg?: unknown; kid?: unknown; typ?: unknown };
  if (header.typ !== options.typ) throw new CredentialError(code, `expected typ ${options.typ}`);
  if (typeof header.kid !== 'string') throw new CredentialError(code, 'no key id');
  const kidBytes = utf8Bytes(header.kid);
  // Keys without an id (a PEM or hex key an operator passed) are tried as well.
  const candidates = keys.filter(
    (k) => (k.kid === undefined || kidMatches(k, kidBytes)) && k.alg === header.alg,
  );
  if (candidates.length === 0)
    throw new CredentialError(code, `signed by unknown key ${header.kid}`);
  const signature = toBufferSource(base64ToBytes(doc.signature, code));
  const signingInput = toBufferSource(utf8Bytes(`${doc.protected}.${doc.payload}`));
  for (const key of candidates.slice(0, candidateKeysMax)) {
    const params = signatureParams(key.alg);
    if (await subtle().verify(params, key.publicKey, signature, signingInput)) {
      return { kid: header.kid, payload: parseJson(doc.payload, code) };
    }
  }
  throw new CredentialError(code, 'signature does not verify');
}
