// The key offline packs are signed with: an Ed25519 key derived from the deployment's data key
// (HMAC with a fixed label), so that every server of a cluster signs with the same key and
// nothing more needs storing. A device learns the public half at enrolment and checks every
// pack it downloads with it before trusting a lease.
import {
  createHmac,
  createPrivateKey,
  createPublicKey,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import type { AppContext } from '../shared/context';

const pkcs8Prefix = Buffer.from('302e020100300506032b657004220420', 'hex');
const cache = new WeakMap<Buffer, { privateKey: KeyObject; publicKey: string }>();

function keys(app: AppContext): { privateKey: KeyObject; publicKey: string } {
  const hit = cache.get(app.config.dataKey);
  if (hit) return hit;
  const seed = createHmac('sha256', app.config.dataKey)
    .update('tessera offline pack signing key v1')
    .digest();
  const privateKey = createPrivateKey({
    key: Buffer.concat([pkcs8Prefix, seed]),
    format: 'der',
    type: 'pkcs8',
  });
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
  const made = { privateKey, publicKey: String(jwk.x) };
  cache.set(app.config.dataKey, made);
  return made;
}

/** The public half of the pack key: raw Ed25519, base64url. */
export function packPublicKey(app: AppContext): string {
  return keys(app).publicKey;
}

/** Signs bytes with the pack key; base64url. */
export function signWithPackKey(app: AppContext, data: Buffer | string): string {
  return sign(null, Buffer.from(data), keys(app).privateKey).toString('base64url');
}

/** Checks a pack signature (what a device does; tests use it too). */
export function verifyPackSignature(
  publicKey: string,
  data: Buffer | string,
  signature: string,
): boolean {
  const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: publicKey }, format: 'jwk' });
  return verify(null, Buffer.from(data), key, Buffer.from(signature, 'base64url'));
}
