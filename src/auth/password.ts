// Staff password hashing and policy.
//
// Hashing: scrypt from node:crypto (memory-hard, no native dependency) with N=2^15, r=8,
// p=3 — 32 MiB per hash, about 160 ms on a 2-core machine. That is the OWASP Password
// Storage Cheat Sheet minimum expressed at 32 MiB (equivalent to its N=2^17, r=8, p=1),
// chosen so that a burst of sign-ins on the libuv pool (4 threads) needs 128 MiB, not
// 512. The stored form `scrypt$N$r$p$salt$hash` (base64url salt and hash) describes its own
// parameters, so they can be raised later: `needsRehash` tells the sign-in to rehash.
//
// Policy (NIST SP 800-63B): length, not composition rules; a list of breached and common
// passwords (about 140,000, gzip-compressed beside this file); no context words (the
// username, the service name, the country and its regions, a year); no trivial repetitions
// or sequences. At least 12 characters: 800-63B-4 allows 8 when the password is one factor
// of several, and every Tessera staff account has TOTP — but until TOTP is enrolled at the
// first sign-in the password stands alone, and these accounts guard a national registry.
import { randomBytes as nodeRandomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { RandomBytes } from './tokens';

/** Scrypt cost parameters, as stored in the hash string. */
export interface ScryptParams {
  /** CPU/memory cost, a power of two. */
  N: number;
  /** Block size. */
  r: number;
  /** Parallelisation. */
  p: number;
}

/** Parameters for new hashes (see the file comment for why). */
export const scryptParams: Readonly<ScryptParams> = Object.freeze({ N: 2 ** 15, r: 8, p: 3 });
/**
 * Parameters for new hashes while a test suite runs (1 MiB, about 2 ms): the suite signs in
 * hundreds of staff, and at `scryptParams` each hash and each check cost about a third of a
 * second of CPU there. Only `useTestScryptParams` switches to them, and only under Node's test
 * runner; a hash states its own parameters, so checking one is the same code either way.
 */
export const testScryptParams: Readonly<ScryptParams> = Object.freeze({ N: 2 ** 10, r: 8, p: 1 });
let newHashParams: Readonly<ScryptParams> = scryptParams;

/**
 * Under Node's test runner, new hashes use testScryptParams from now on; anywhere else (a
 * server, a bench that shares the tests' helpers) this does nothing.
 */
export function useTestScryptParams(): boolean {
  if (process.env.NODE_TEST_CONTEXT === undefined) return false;
  newHashParams = testScryptParams;
  return true;
}

/** Bytes of random salt per hash. */
export const saltBytes = 16;
/** Bytes of derived key per hash. */
export const hashBytes = 64;
/** Shortest password accepted, in Unicode code points. */
export const passwordCharsMin = 12;
/** Longest password accepted, in Unicode code points (NIST asks for at least 64). */
export const passwordCharsMax = 128;

// Limits on stored parameters, so a corrupt row cannot make a sign-in allocate gigabytes.
const storedNMax = 2 ** 20;
const storedRMax = 32;
const storedPMax = 16;
const storedMemoryBytesMax = 256 * 1024 * 1024;

function scryptAsync(plain: string, salt: Buffer, keylen: number, params: ScryptParams) {
  const maxmem = 128 * params.N * params.r * 2 + 1024 * 1024;
  return new Promise<Buffer>((resolve, reject) => {
    scrypt(plain, salt, keylen, { ...params, maxmem }, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}

/** Options for `hashPassword`: parameters (tests use cheaper ones) and a random source. */
export interface HashPasswordOptions {
  params?: ScryptParams;
  random?: RandomBytes;
}

/** Hashes a password (NFKC-normalised, as NIST asks) into `scrypt$N$r$p$salt$hash`. */
export async function hashPassword(plain: string, options: HashPasswordOptions = {}) {
  const params = options.params ?? newHashParams;
  const salt = Buffer.from((options.random ?? nodeRandomBytes)(saltBytes));
  if (salt.length !== saltBytes) throw new Error('random source returned a short buffer');
  const key = await scryptAsync(plain.normalize('NFKC'), salt, hashBytes, params);
  const { N, r, p } = params;
  return `scrypt$${N}$${r}$${p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

interface ParsedHash {
  params: ScryptParams;
  salt: Buffer;
  key: Buffer;
}

function parseHash(stored: string): ParsedHash | null {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return null;
  const [N, r, p] = parts.slice(1, 4).map((x) => (/^[1-9]\d{0,7}$/.test(x!) ? Number(x) : NaN));
  if (N === undefined || r === undefined || p === undefined) return null;
  if (!(N >= 2 && N <= storedNMax && (N & (N - 1)) === 0)) return null;
  if (!(r >= 1 && r <= storedRMax && p >= 1 && p <= storedPMax)) return null;
  if (128 * N * r > storedMemoryBytesMax) return null;
  const salt = Buffer.from(parts[4]!, 'base64url');
  const key = Buffer.from(parts[5]!, 'base64url');
  if (salt.length < 16 || key.length < 32 || key.length > 128) return null;
  return { params: { N, r, p }, salt, key };
}

/**
 * True when `plain` matches `stored`. A malformed stored hash, or a password longer than
 * any we accept, is simply false: a sign-in must not crash or hash unbounded input.
 */
export async function verifyPassword(plain: string, stored: string): Promise<boolean> {
  const parsed = parseHash(stored);
  if (parsed === null) return false;
  const normal = plain.normalize('NFKC');
  if ([...normal].length > passwordCharsMax) return false;
  const key = await scryptAsync(normal, parsed.salt, parsed.key.length, parsed.params);
  return timingSafeEqual(key, parsed.key);
}

/** True when `stored` is malformed or weaker than today's parameters: rehash at next sign-in. */
export function needsRehash(stored: string, current: ScryptParams = scryptParams): boolean {
  const parsed = parseHash(stored);
  if (parsed === null) return true;
  const { N, r, p } = parsed.params;
  return N < current.N || r < current.r || p < current.p || parsed.key.length < hashBytes;
}

/** Why a password was refused. */
export type PasswordRefusal =
  'too_short' | 'too_long' | 'common' | 'contains_username' | 'context' | 'trivial';

/** The outcome of `checkPasswordPolicy`, with a message to show the person. */
export type PasswordPolicyResult =
  { ok: true } | { ok: false; reason: PasswordRefusal; message: string };

let commonPasswords: ReadonlySet<string> | undefined;

/** The bundled list of breached and common passwords (lowercase), loaded on first use. */
export function commonPasswordList(): ReadonlySet<string> {
  if (commonPasswords) return commonPasswords;
  const packed = readFileSync(new URL('./breached-passwords.txt.gz', import.meta.url));
  const words = gunzipSync(packed)
    .toString('utf8')
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'));
  commonPasswords = new Set(words);
  return commonPasswords;
}

// The service's own name, which attackers try first (NIST: "context-specific words").
const serviceWords = ['tessera', 'tesseraadmin'];

const leet: Record<string, string> = {
  '@': 'a',
  '4': 'a',
  '3': 'e',
  '1': 'i',
  '!': 'i',
  '0': 'o',
  $: 's',
  '5': 's',
  '7': 't',
};

function deleet(text: string): string {
  return [...text].map((ch) => leet[ch] ?? ch).join('');
}

/** Lowercase, without accents: "Bolívar" and "bolivar" are one guess. */
function plainLower(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
}

/** The forms of a password an attacker's list would hold: spaced, squashed, padded, leet. */
function guessForms(lower: string): string[] {
  const squashed = lower.replace(/[\s._-]+/g, '');
  const forms = new Set<string>();
  for (const form of [lower, squashed]) {
    // A common password padded with digits or symbols ("Password2024!") is still common.
    const core = form.replace(/^[^\p{L}]+|[^\p{L}]+$/gu, '');
    for (const f of [form, core, deleet(form), deleet(core)]) if (f !== '') forms.add(f);
  }
  return [...forms];
}

function isCommon(lower: string): boolean {
  const list = commonPasswordList();
  return guessForms(lower).some((form) => list.has(form) || serviceWords.includes(form));
}

/**
 * True when the password is made of context words and filler alone: take out every context
 * word (also in leetspeak), every year from 1900 to 2099, and everything that is not a letter,
 * and fewer than four letters remain ("Venezuela2024", "Tessera-Zulia-2025!").
 */
function isContextOnly(lower: string, words: readonly string[]): boolean {
  const longestFirst = [...new Set(words.map(plainLower).filter((w) => w.length >= 3))].sort(
    (a, b) => b.length - a.length,
  );
  return [plainLower(lower), deleet(plainLower(lower))].some((form) => {
    let rest = form.replace(/(?:19|20)\d\d/g, ' ');
    for (const word of longestFirst) rest = rest.split(word).join(' ');
    return rest.replace(/\P{L}+/gu, '').length < 4;
  });
}

/** What a password must not be built from, beyond the bundled list. */
export interface PasswordContext {
  username?: string;
  /** The deployment's own words: its country and region names (see `deploymentWords`). */
  contextWords?: readonly string[];
}

/**
 * The words of a deployment that a password must not be built from: the service's name, the
 * country (in Spanish and English, from the regions' ISO 3166-2 codes) and each region's name,
 * each word of a name separately too ("Distrito Capital", "capital").
 */
export function deploymentWords(regions: Readonly<Record<string, string>>): string[] {
  const words = new Set<string>(serviceWords);
  const countries = new Set(Object.keys(regions).map((code) => code.split('-')[0]!));
  for (const locale of ['es', 'en']) {
    const names = new Intl.DisplayNames([locale], { type: 'region' });
    for (const country of countries) {
      const name = /^[A-Z]{2}$/.test(country) ? names.of(country) : undefined;
      if (name !== undefined && name !== country) words.add(name);
    }
  }
  for (const name of Object.values(regions)) {
    words.add(name);
    words.add(name.replace(/\s+/g, ''));
    for (const part of name.split(/\s+/)) if (part.length >= 4) words.add(part);
  }
  return [...words];
}

/**
 * Refuses passwords that break the policy: too short or long, trivial, breached or common,
 * containing the username, or built only from context words and a year.
 */
export function checkPasswordPolicy(
  plain: string,
  context: PasswordContext = {},
): PasswordPolicyResult {
  const normal = plain.normalize('NFKC');
  const length = [...normal].length;
  if (length < passwordCharsMin) {
    return refuse(
      'too_short',
      `Use at least ${passwordCharsMin} characters; a phrase of several words is easiest.`,
    );
  }
  if (length > passwordCharsMax) {
    return refuse('too_long', `Use at most ${passwordCharsMax} characters.`);
  }
  const lower = normal.toLowerCase();
  const username = context.username?.normalize('NFKC').toLowerCase().trim() ?? '';
  if (username.length >= 3 && lower.includes(username)) {
    return refuse('contains_username', 'Do not use your username in your password.');
  }
  if (isTrivial(lower)) {
    return refuse(
      'trivial',
      'Avoid repeated characters and sequences such as "aaaa", "1234" or "qwerty".',
    );
  }
  if (isCommon(lower)) {
    return refuse(
      'common',
      'This password is among those most often used or leaked; choose another.',
    );
  }
  const words = [...serviceWords, ...(context.contextWords ?? [])];
  if (isContextOnly(lower, words)) {
    return refuse(
      'context',
      'Do not build your password from the name of this service, the country, a region or a year; add words of your own.',
    );
  }
  return { ok: true };
}

function refuse(reason: PasswordRefusal, message: string): PasswordPolicyResult {
  return { ok: false, reason, message };
}

// Sequences a person slides along: the alphabet, digits, and keyboard rows.
const sequences = [
  'abcdefghijklmnopqrstuvwxyz',
  '01234567890',
  '`1234567890-=',
  '~!@#$%^&*()_+',
  'qwertyuiop[]\\',
  "asdfghjkl;'",
  'zxcvbnm,./',
  'qwertzuiopü',
  'azertyuiop',
];

function isStep(a: string, b: string): boolean {
  if (a === b) return true;
  return sequences.some((seq) => {
    const i = seq.indexOf(a);
    return i >= 0 && (seq[i + 1] === b || (i > 0 && seq[i - 1] === b));
  });
}

/**
 * Trivial: a repetition of a shorter unit ("abcabcabcabc", "passwordpassword"), or at
 * most three runs of repeated or consecutive characters ("aaaaaaaaaaaa",
 * "123456789012", "qwertyuiop12"): each run costs an attacker only a few guesses.
 */
export function isTrivial(lower: string): boolean {
  const chars = [...lower];
  for (let unit = 1; unit <= chars.length / 2; unit++) {
    if (chars.length % unit === 0 && chars.every((ch, i) => ch === chars[i % unit])) return true;
  }
  let runs = 1;
  for (let i = 1; i < chars.length; i++) if (!isStep(chars[i - 1]!, chars[i]!)) runs++;
  return runs <= 3;
}
