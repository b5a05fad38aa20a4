// One-time passwords for the staff second factor: HOTP (RFC 4226) and TOTP (RFC 6238)
// with the parameters every authenticator app understands (HMAC-SHA1, 6 digits, 30 s).
// SHA-1 is fine here: HOTP relies on HMAC's pseudo-randomness, which collisions in
// SHA-1 do not break, and other choices are silently ignored by several popular apps.
import { createHmac, randomBytes as nodeRandomBytes, timingSafeEqual } from 'node:crypto';
import type { RandomBytes } from './tokens';

/** Seconds per TOTP step (RFC 6238 default). */
export const totpStepSeconds = 30;
/** Digits in a code. */
export const totpDigits = 6;
/** Bytes in a generated secret: 160 bits, the HMAC-SHA1 block-size recommendation of RFC 4226. */
export const totpSecretBytes = 20;

const base32Alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 Base32 without padding (what otpauth URIs carry). */
export function base32Encode(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += base32Alphabet[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += base32Alphabet[(buffer << (5 - bits)) & 31];
  return out;
}

/**
 * Decodes RFC 4648 Base32, case-insensitively, ignoring spaces, hyphens and trailing
 * padding (people copy secrets by hand); throws on any other character.
 */
export function base32Decode(text: string): Buffer {
  const clean = text.replace(/[\s-]/g, '').replace(/=+$/, '').toUpperCase();
  const out: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const ch of clean) {
    const value = base32Alphabet.indexOf(ch);
    if (value < 0) throw new Error(`not a Base32 character: ${JSON.stringify(ch)}`);
    buffer = ((buffer << 5) | value) & 0xfff;
    bits += 5;
    if (bits >= 8) {
      out.push((buffer >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** A fresh TOTP secret, Base32-encoded (32 characters for 20 bytes). */
export function generateTotpSecret(random: RandomBytes = nodeRandomBytes): string {
  const bytes = random(totpSecretBytes);
  if (bytes.length !== totpSecretBytes) throw new Error('random source returned a short buffer');
  return base32Encode(bytes);
}

/** RFC 4226 HOTP: the `digits`-digit code of `key` for `counter` (a non-negative integer). */
export function hotp(key: Uint8Array, counter: number, digits: number = totpDigits): string {
  if (!Number.isSafeInteger(counter) || counter < 0) throw new Error('bad HOTP counter');
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac('sha1', key).update(message).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** digits).padStart(digits, '0');
}

/** The TOTP step (RFC 6238 "T") that contains the instant `atMs` (Unix milliseconds). */
export function totpStep(atMs: number): number {
  return Math.floor(atMs / 1000 / totpStepSeconds);
}

/** The TOTP code of a Base32 `secret` at the instant `atMs`. */
export function totpCode(secret: string, atMs: number, digits: number = totpDigits): string {
  return hotp(base32Decode(secret), totpStep(atMs), digits);
}

/** Options for `verifyTotp`. */
export interface VerifyTotpOptions {
  /** The instant of the sign-in, Unix milliseconds. */
  atMs: number;
  /** Steps accepted either side of the current one, for clock drift; default 1 (±30 s). */
  window?: number;
  /** The step of the last code this account accepted; that code and older ones are refused. */
  lastUsedStep?: number | null;
}

/** The outcome of checking a TOTP code: the accepted step, or why it was refused. */
export type VerifyTotpResult =
  { ok: true; step: number } | { ok: false; reason: 'wrong' | 'replayed' | 'malformed' };

/**
 * Checks a code typed by a person. On success the caller must store the returned `step`
 * as the account's `lastUsedStep`, atomically and only if larger than the stored one
 * (`UPDATE … SET last_used_step = :step WHERE last_used_step IS NULL OR last_used_step < :step`
 * and treat 0 rows updated as a replay), so two concurrent sign-ins cannot both use one code.
 */
export function verifyTotp(
  secret: string,
  code: string,
  options: VerifyTotpOptions,
): VerifyTotpResult {
  const typed = code.replace(/\s/g, '');
  if (!/^\d{6}$/.test(typed)) return { ok: false, reason: 'malformed' };
  const window = options.window ?? 1;
  if (!Number.isInteger(window) || window < 0 || window > 10) throw new Error('bad TOTP window');
  const key = base32Decode(secret);
  const current = totpStep(options.atMs);
  const last = options.lastUsedStep ?? -1;
  let replayed = false;
  // Check every step in the window (no early exit) so timing does not reveal which matched.
  let accepted: number | null = null;
  for (let step = current - window; step <= current + window; step++) {
    if (step < 0) continue;
    const matches = timingSafeEqual(Buffer.from(hotp(key, step)), Buffer.from(typed));
    if (!matches) continue;
    if (step <= last) replayed = true;
    else accepted ??= step;
  }
  if (accepted !== null) return { ok: true, step: accepted };
  return { ok: false, reason: replayed ? 'replayed' : 'wrong' };
}

/** The `otpauth://` URI an authenticator app reads from a QR code at enrolment. */
export function otpauthUri(secret: string, account: string, issuer: string): string {
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(account)}`;
  const params = new URLSearchParams({
    secret: base32Encode(base32Decode(secret)),
    issuer,
    algorithm: 'SHA1',
    digits: String(totpDigits),
    period: String(totpStepSeconds),
  });
  return `otpauth://totp/${label}?${params.toString()}`;
}
