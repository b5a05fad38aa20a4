// Opaque bearer tokens for sessions and machine access. A token is a prefix that names
// its kind (so a leaked token is recognisable in logs and by secret scanners) followed
// by 32 random bytes in base64url. Only `hashToken(token)` is stored: a stolen database
// yields no usable token, and because the token carries 256 bits of entropy a plain
// SHA-256 is enough — a slow hash protects low-entropy secrets such as passwords.
import { createHash, randomBytes as nodeRandomBytes } from 'node:crypto';

/** Prefix of each token kind: `tsk_` for API tokens, `tss_` for web sessions. */
export const tokenPrefixes = { api: 'tsk_', session: 'tss_' } as const;

/** The kind of an opaque token. */
export type TokenKind = keyof typeof tokenPrefixes;

/** Random bytes in every token: 256 bits, beyond guessing and beyond brute force. */
export const tokenRandomBytes = 32;

/** A source of random bytes; tests pass a deterministic one. */
export type RandomBytes = (size: number) => Uint8Array;

const bodyPattern = /^[A-Za-z0-9_-]{43}$/;

/** A fresh token of `kind`, e.g. `tsk_` + 43 base64url characters. */
export function generateToken(kind: TokenKind, random: RandomBytes = nodeRandomBytes): string {
  const bytes = random(tokenRandomBytes);
  if (bytes.length !== tokenRandomBytes) throw new Error('random source returned a short buffer');
  return tokenPrefixes[kind] + Buffer.from(bytes).toString('base64url');
}

/** The kind of a well-formed token, or null for anything else (check before a lookup). */
export function tokenKind(token: string): TokenKind | null {
  for (const kind of Object.keys(tokenPrefixes) as TokenKind[]) {
    const prefix = tokenPrefixes[kind];
    if (token.startsWith(prefix) && bodyPattern.test(token.slice(prefix.length))) return kind;
  }
  return null;
}

/** SHA-256 of the token as lowercase hex: the only form that is stored and looked up. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export { safeEqual } from '../shared/safe-equal';
