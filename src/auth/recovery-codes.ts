// One-time recovery codes for a staff member who lost their authenticator. Each code is
// 16 characters of Crockford Base32 (80 random bits), printed in four groups of four.
// Only SHA-256 hashes are stored: 80 bits are far beyond offline brute force, so a slow
// hash would buy nothing but a slow sign-in. A consumed code's slot becomes null, which
// keeps the indices of the others stable and shows how many were used.
import { createHash, randomBytes as nodeRandomBytes, timingSafeEqual } from 'node:crypto';
import type { RandomBytes } from './tokens';

/** Codes issued at once. */
export const recoveryCodeCount = 10;
/** Characters per code (5 bits each: 80 bits). */
export const recoveryCodeChars = 16;

// Crockford's alphabet: no I, L, O or U, so what is read aloud or copied is what is typed.
const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A freshly generated set: the codes to show once, and the hashes to store. */
export interface RecoveryCodeSet {
  /** Shown to the person exactly once, e.g. `7K3M-Q9XA-2HBD-WPZR`. */
  codes: string[];
  /** Stored, in the same order. */
  hashes: string[];
}

/** Generates `count` codes and their hashes. */
export function generateRecoveryCodes(
  count: number = recoveryCodeCount,
  random: RandomBytes = nodeRandomBytes,
): RecoveryCodeSet {
  if (!Number.isInteger(count) || count < 1 || count > 100) throw new Error('bad code count');
  const codes: string[] = [];
  for (let i = 0; i < count; i++) {
    const bytes = random(recoveryCodeChars);
    if (bytes.length !== recoveryCodeChars)
      throw new Error('random source returned a short buffer');
    // 256 is a multiple of 32, so taking each byte mod 32 is unbiased.
    const chars = Array.from(bytes, (b) => alphabet[b % 32]).join('');
    codes.push(chars.match(/.{4}/g)!.join('-'));
  }
  return { codes, hashes: codes.map(hashRecoveryCode) };
}

/**
 * The canonical form of a typed code: uppercase, separators removed, and the letters
 * Crockford reads as digits (O→0, I/L→1) mapped; null when it cannot be a code.
 */
export function normalizeRecoveryCode(typed: string): string | null {
  const clean = typed.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  if (clean.length !== recoveryCodeChars) return null;
  for (const ch of clean) if (!alphabet.includes(ch)) return null;
  return clean;
}

/** SHA-256 hex of a code's canonical form; throws on a malformed code (only for codes we made). */
export function hashRecoveryCode(code: string): string {
  const clean = normalizeRecoveryCode(code);
  if (clean === null) throw new Error('malformed recovery code');
  return createHash('sha256').update(clean, 'ascii').digest('hex');
}

/** Which stored slot a typed code matches, or why none does. */
export type RecoveryCodeMatch =
  { ok: true; index: number } | { ok: false; reason: 'malformed' | 'wrong' };

/**
 * Finds the unused slot (null slots are consumed) that `typed` matches. Every slot is
 * compared, without early exit, so timing does not reveal which one matched.
 */
export function matchRecoveryCode(
  typed: string,
  storedHashes: readonly (string | null)[],
): RecoveryCodeMatch {
  const clean = normalizeRecoveryCode(typed);
  if (clean === null) return { ok: false, reason: 'malformed' };
  const candidate = Buffer.from(hashRecoveryCode(clean), 'hex');
  let index = -1;
  storedHashes.forEach((stored, i) => {
    if (stored === null || !/^[0-9a-f]{64}$/.test(stored)) return;
    if (timingSafeEqual(Buffer.from(stored, 'hex'), candidate) && index < 0) index = i;
  });
  return index < 0 ? { ok: false, reason: 'wrong' } : { ok: true, index };
}

/**
 * Verify-and-consume: on a match, the stored list with that slot set to null. The caller
 * must write it back conditionally (only if the slot is still the hash it read) so that
 * one code cannot be used twice by concurrent requests.
 */
export function consumeRecoveryCode(
  typed: string,
  storedHashes: readonly (string | null)[],
): (RecoveryCodeMatch & { ok: false }) | { ok: true; index: number; remaining: (string | null)[] } {
  const match = matchRecoveryCode(typed, storedHashes);
  if (!match.ok) return match;
  const remaining = storedHashes.map((h, i) => (i === match.index ? null : h));
  return { ok: true, index: match.index, remaining };
}

/** How many codes are still unused (warn the person when few are left). */
export function unusedRecoveryCodes(storedHashes: readonly (string | null)[]): number {
  return storedHashes.filter((h) => h !== null).length;
}
