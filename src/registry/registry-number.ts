// Registry numbers people can read out and type: 11 random digits plus one Damm check
// digit, shown as three groups of four ("4821-0937-5512").
//
// Damm's quasigroup catches every single-digit substitution and every transposition of
// two adjacent digits, including those involving the check digit itself, with a check
// character that is always a digit (no "X" as in ISO 7064 MOD 11-2, which confuses
// people on phone keypads). Numbers are random rather than sequential so that a number
// reveals nothing about when or where a person enrolled.
import { randomBytes } from 'node:crypto';

const dammTable: readonly (readonly number[])[] = [
  [0, 3, 1, 7, 5, 9, 8, 6, 4, 2],
  [7, 0, 9, 2, 1, 5, 4, 8, 6, 3],
  [4, 2, 0, 6, 8, 7, 1, 3, 5, 9],
  [1, 7, 5, 0, 9, 8, 3, 4, 2, 6],
  [6, 1, 2, 3, 0, 4, 5, 9, 7, 8],
  [3, 6, 7, 4, 2, 0, 9, 5, 8, 1],
  [5, 8, 6, 9, 7, 2, 0, 1, 3, 4],
  [8, 9, 4, 5, 3, 6, 2, 0, 1, 7],
  [9, 4, 3, 8, 6, 1, 7, 2, 0, 5],
  [2, 5, 8, 1, 4, 3, 6, 7, 9, 0],
];

/** Digits in a registry number, check digit included. */
export const registryNumberDigits = 12;

/** The Damm interim digit of a digit string (0 for a string that carries a valid check digit). */
export function dammInterim(digits: string): number {
  let interim = 0;
  for (const ch of digits) {
    const d = ch.charCodeAt(0) - 48;
    if (d < 0 || d > 9) throw new RangeError(`not a digit: ${ch}`);
    interim = dammTable[interim]![d]!;
  }
  return interim;
}

/** The check digit to append to `digits`. */
export function dammCheckDigit(digits: string): string {
  return String(dammInterim(digits));
}

/** Formats 12 digits as "dddd-dddd-dddd". */
export function formatRegistryNumber(digits: string): string {
  return `${digits.slice(0, 4)}-${digits.slice(4, 8)}-${digits.slice(8, 12)}`;
}

/**
 * Reads a registry number as typed: spaces, dashes and dots are ignored. Returns the
 * canonical "dddd-dddd-dddd" form, or null when it is not 12 digits or the check fails.
 */
export function parseRegistryNumber(text: string): string | null {
  const digits = text.replace(/[\s.-]/g, '');
  if (!/^\d{12}$/.test(digits)) return null;
  if (dammInterim(digits) !== 0) return null;
  return formatRegistryNumber(digits);
}

/** Uniform random integer below max (≤ 10) from a byte pool: one syscall per many numbers. */
let pool = Buffer.alloc(0);
let poolAt = 0;
function poolRandom(max: number): number {
  for (;;) {
    if (poolAt >= pool.length) {
      pool = randomBytes(4096);
      poolAt = 0;
    }
    const byte = pool[poolAt++]!;
    const limit = 256 - (256 % max); // reject the top of the range: no bias
    if (byte < limit) return byte % max;
  }
}

/** A new random registry number (the caller makes sure it is not taken). */
export function generateRegistryNumber(random: (max: number) => number = poolRandom): string {
  let body = String(1 + random(9));
  while (body.length < registryNumberDigits - 1) body += String(random(10));
  return formatRegistryNumber(body + dammCheckDigit(body));
}
