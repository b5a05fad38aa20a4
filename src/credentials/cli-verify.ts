// `tessera verify QRTEXT|IMAGE.png [--trust trust.json [--anchor KEY]] [--key KEY]
// [--decrypt-key SECRET] [--revocations list.json] [--at ISO-TIME] [--json]`: the offline
// verifier on the command line. Exit status 0 valid, 1 refused, 2 bad usage. KEY is a JWK, a
// PEM public key, an X.509 certificate (PEM or base64 DER) or raw hex, given inline or as a
// file path. SECRET is the AES-GCM key (16, 24 or 32 bytes, hex or Base64, inline or a file)
// of an issuer who encrypts its QRs as COSE_Encrypt0; Tessera's own cards are not encrypted.
import { existsSync, readFileSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { base64ToBytes, hexToBytes } from './bytes';
import { readableDateOfBirth } from './encode-card-claims';
import { CredentialError } from './errors';
import { importPublicKey } from './import-public-key';
import { signedDocumentBytesMax } from './limits';
import { readRevocationList } from './read-revocation-list';
import type { RevocationList } from './read-revocation-list';
import { readTrustList } from './read-trust-list';
import type { TrustList } from './read-trust-list';
import type { VerificationKey } from './types';
import { verifyCard } from './verify-card';
import type { CardVerdict } from './verify-card';

/** Options of `tessera verify`, as parsed from the command line. */
export interface VerifyCommandOptions {
  /** QR text, or the path of a PNG image holding the QR. */
  input: string;
  trust?: string | undefined;
  anchor?: string | undefined;
  key?: string | string[] | undefined;
  /** AES-GCM keys of issuers who encrypt their QRs (hex or Base64, inline or a file). */
  decryptKey?: string | string[] | undefined;
  revocations?: string | undefined;
  at?: string | undefined;
  json?: boolean | undefined;
  /** Where lines go; default the process's stdout and stderr. */
  stdout?: ((line: string) => void) | undefined;
  stderr?: ((line: string) => void) | undefined;
  /** The clock, when --at is not given. */
  now?: (() => Date) | undefined;
}

const imageBytesMax = 20 * 1024 * 1024;

class UsageError extends Error {}

function readSmallFile(path: string, what: string, bytesMax: number): Buffer {
  if (!existsSync(path) || !statSync(path).isFile())
    throw new UsageError(`${what} not found: ${path}`);
  if (statSync(path).size > bytesMax) throw new UsageError(`${what} is too large: ${path}`);
  return readFileSync(path);
}

// Key text inline, or the content of a file when the argument names one.
function keyText(arg: string): string {
  return existsSync(arg) && statSync(arg).isFile()
    ? readSmallFile(arg, 'key file', 64 * 1024).toString('utf8')
    : arg;
}

function qrTextOf(input: string): string {
  if (!/\.png$/i.test(input)) return input;
  const png = (() => {
    try {
      return PNG.sync.read(readSmallFile(input, 'image', imageBytesMax));
    } catch (error) {
      if (error instanceof UsageError) throw error;
      throw new UsageError(`not a readable PNG image: ${input}`);
    }
  })();
  const code = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
  if (!code) throw new UsageError(`no QR code found in ${input}`);
  return code.data;
}

async function loadKeys(options: VerifyCommandOptions): Promise<VerificationKey[]> {
  const args =
    options.key === undefined ? [] : Array.isArray(options.key) ? options.key : [options.key];
  return Promise.all(args.map((arg) => importPublicKey(keyText(arg))));
}

const aesKeyBytes = new Set([16, 24, 32]);

// A decryption key: hex or Base64 of 16, 24 or 32 bytes, inline or in a file.
function decryptionKeyOf(arg: string): Uint8Array {
  const text = keyText(arg).trim();
  const bytes = (() => {
    try {
      return /^[0-9a-fA-F]+$/.test(text) && text.length % 2 === 0
        ? hexToBytes(text)
        : base64ToBytes(text);
    } catch {
      return undefined;
    }
  })();
  if (!bytes || !aesKeyBytes.has(bytes.length)) {
    throw new UsageError(
      '--decrypt-key must be an AES key of 16, 24 or 32 bytes in hex or Base64 (inline or a file) / ' +
        'debe ser una clave AES de 16, 24 o 32 bytes en hexadecimal o Base64 (en línea o un archivo)',
    );
  }
  return bytes;
}

function loadDecryptionKeys(options: VerifyCommandOptions): Uint8Array[] {
  const args = options.decryptKey;
  return (args === undefined ? [] : Array.isArray(args) ? args : [args]).map(decryptionKeyOf);
}

async function loadTrustList(options: VerifyCommandOptions): Promise<TrustList | undefined> {
  if (!options.trust) return undefined;
  const text = readSmallFile(options.trust, 'trust list', signedDocumentBytesMax).toString('utf8');
  const anchors = options.anchor ? [await importPublicKey(keyText(options.anchor))] : undefined;
  return readTrustList(text, { anchors });
}

async function loadRevocations(
  options: VerifyCommandOptions,
  keys: readonly VerificationKey[],
): Promise<RevocationList | undefined> {
  if (!options.revocations) return undefined;
  const text = readSmallFile(
    options.revocations,
    'revocation list',
    signedDocumentBytesMax,
  ).toString('utf8');
  return readRevocationList(text, { keys });
}

function parseAt(at: string | undefined, now: () => Date): Date {
  if (at === undefined) return now();
  const date = new Date(at);
  if (!/^\d{4}-\d{2}-\d{2}/.test(at) || Number.isNaN(date.getTime())) {
    throw new UsageError(`--at must be an ISO 8601 time, e.g. 2026-01-31T12:00:00Z`);
  }
  return date;
}

function describeAge(seconds: number): string {
  if (seconds < 3600) return `${Math.floor(seconds / 60)} minutes`;
  if (seconds < 2 * 86400) return `${Math.floor(seconds / 3600)} hours`;
  return `${Math.floor(seconds / 86400)} days`;
}

function humanLines(verdict: CardVerdict, trustList: TrustList | undefined): string[] {
  const lines = [
    verdict.valid ? `VALID: ${verdict.message}` : `REFUSED (${verdict.reason}): ${verdict.message}`,
  ];
  const claims = verdict.claims;
  if (claims) {
    const name = claims.fullName ?? [claims.firstName, claims.lastName].filter(Boolean).join(' ');
    if (name) lines.push(`  name:           ${name}`);
    if (claims.id) lines.push(`  registry no.:   ${claims.id}`);
    if (claims.dateOfBirth)
      lines.push(`  date of birth:  ${readableDateOfBirth(claims.dateOfBirth)}`);
  }
  if (verdict.cardSerial) lines.push(`  card no.:       ${verdict.cardSerial}`);
  if (verdict.issuer) lines.push(`  issuer:         ${verdict.issuer}`);
  if (verdict.kid) lines.push(`  key id:         ${verdict.kid}`);
  if (!verdict.valid && verdict.signatureVerified) lines.push('  signature:      genuine');
  if (verdict.issuedAt) lines.push(`  issued:         ${verdict.issuedAt}`);
  if (verdict.expiresAt) lines.push(`  expires:        ${verdict.expiresAt}`);
  if (verdict.revocationListAgeSeconds !== undefined) {
    lines.push(`  revocation list is ${describeAge(verdict.revocationListAgeSeconds)} old`);
  }
  if (trustList && !trustList.isAnchored) {
    lines.push(
      '  note: the trust list was checked against its own keys only; pin its signer with --anchor',
    );
  }
  return lines;
}

/** Runs `tessera verify` and returns its exit status: 0 valid, 1 refused, 2 bad usage. */
export async function runVerifyCommand(options: VerifyCommandOptions): Promise<number> {
  const out = options.stdout ?? ((line: string) => process.stdout.write(`${line}\n`));
  const err = options.stderr ?? ((line: string) => process.stderr.write(`${line}\n`));
  try {
    if (!options.trust && !options.key)
      throw new UsageError('give --trust trust.json or --key KEY');
    const now = parseAt(options.at, options.now ?? (() => new Date()));
    const keys = await loadKeys(options);
    const decryptionKeys = loadDecryptionKeys(options);
    const trustList = await loadTrustList(options);
    const revocations = await loadRevocations(options, [...(trustList?.keys ?? []), ...keys]);
    const verdict = await verifyCard(qrTextOf(options.input), {
      trustList,
      keys,
      revocations,
      now,
      decryptionKeys,
    });
    if (options.json)
      out(
        JSON.stringify({ ...verdict, trustListAnchored: trustList?.isAnchored ?? null }, null, 2),
      );
    else for (const line of humanLines(verdict, trustList)) out(line);
    return verdict.valid ? 0 : 1;
  } catch (error) {
    // A key, trust list or revocation list the operator gave is unusable: that is bad usage.
    if (error instanceof UsageError || error instanceof CredentialError) {
      const code = error instanceof CredentialError ? `${error.code}: ` : '';
      if (options.json)
        out(JSON.stringify({ valid: false, reason: 'USAGE', message: `${code}${error.message}` }));
      err(`tessera verify: ${code}${error.message}`);
      return 2;
    }
    throw error;
  }
}

/** Adds `verify` to the `tessera` command line; `io` redirects its output (for tests). */
export function registerVerifyCommand(
  program: Command,
  io: Pick<VerifyCommandOptions, 'stdout' | 'stderr'> = {},
): Command {
  return program
    .command('verify')
    .description('Verify a card offline: QR text, or a PNG image of the card')
    .argument('<qr>', 'QR text (quote it: it may contain spaces) or the path of a PNG image')
    .option('--trust <file>', 'signed trust list (trust.json)')
    .option(
      '--anchor <key>',
      'trust-list signer key to pin (JWK, PEM, X.509 or hex; inline or a file)',
    )
    .option(
      '--key <key>',
      'issuer public key (JWK, PEM, X.509 or hex; inline or a file); repeatable',
      collect,
    )
    .option(
      '--decrypt-key <secret>',
      'AES-GCM key (hex or Base64; inline or a file) of an issuer who encrypts its QRs; repeatable',
      collect,
    )
    .option('--revocations <file>', 'signed revocation list')
    .option('--at <iso-time>', 'verify as of this time instead of now')
    .option('--json', 'print the verdict as JSON')
    .action(async (qr: string, flags: Omit<VerifyCommandOptions, 'input'>) => {
      process.exitCode = await runVerifyCommand({ ...flags, ...io, input: qr });
    });
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}
