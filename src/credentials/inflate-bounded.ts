// Decompression with a hard output limit, so a zlib bomb (a few KB that expand to gigabytes)
// is refused with bounded memory and time. fflate is pure JavaScript, so this runs in a
// browser as well as in Node.
//
// Small zlib inputs (every card QR) inflate into a fixed buffer of at most limit + 1 bytes:
// fflate drops what does not fit, so memory is fixed and work is bounded by the input size,
// and a full buffer means "too large". This avoids the streaming inflater's 128 KiB allocation per
// block, which costs more than the rest of the pipeline together. Larger inputs (revocation
// lists) stream in small chunks and stop as soon as the output passes the limit.
import { Gunzip, Unzlib, unzlibSync } from 'fflate';
import { concatBytes } from './bytes';
import { CredentialError } from './errors';
import type { ReasonCode } from './errors';

// Small input chunks bound the output one push can produce (deflate expands ~1032:1 at most).
const inputChunkBytes = 256;

// Above this input size, the fixed-buffer path could spend too long skipping a bomb's output.
const fixedBufferInputBytesMax = 8 * 1024;

/** Options for bounded decompression. */
export interface InflateOptions {
  /** Refuse with TOO_LARGE once the output would exceed this many bytes. */
  outputBytesMax: number;
  /** `zlib` (RFC 1950, as in card QRs) or `gzip` (RFC 1952, as in W3C status lists). */
  format?: 'zlib' | 'gzip';
  /** Reason code for malformed input. */
  malformedCode?: ReasonCode;
}

/** Decompressed bytes, refusing malformed input and output beyond `outputBytesMax`. */
export function inflateBounded(input: Uint8Array, options: InflateOptions): Uint8Array {
  const malformed = options.malformedCode ?? 'BAD_COMPRESSION';
  if (options.format === 'gzip') return inflateStreaming(input, options, malformed);
  const output =
    input.length <= fixedBufferInputBytesMax
      ? inflateIntoFixedBuffer(input, options.outputBytesMax, malformed)
      : inflateStreaming(input, options, malformed);
  // fflate does not check the zlib trailer; a changed byte that still inflates must not pass.
  if (adler32(output) !== readUint32(input, input.length - 4))
    throw new CredentialError(malformed, 'the zlib checksum (Adler-32) does not match');
  return output;
}

/** Adler-32 of `bytes` (RFC 1950 section 8.2), as an unsigned 32-bit number. */
export function adler32(bytes: Uint8Array): number {
  const mod = 65521;
  // 5552 is the most bytes whose sums cannot pass 2^32 before the modulo (zlib's NMAX).
  const blockBytes = 5552;
  let a = 1;
  let b = 0;
  for (let start = 0; start < bytes.length; start += blockBytes) {
    const end = Math.min(start + blockBytes, bytes.length);
    for (let i = start; i < end; i++) {
      a += bytes[i] as number;
      b += a;
    }
    a %= mod;
    b %= mod;
  }
  return ((b << 16) | a) >>> 0;
}

function readUint32(bytes: Uint8Array, at: number): number {
  if (at < 0) return -1;
  return (
    (((bytes[at] as number) << 24) |
      ((bytes[at + 1] as number) << 16) |
      ((bytes[at + 2] as number) << 8) |
      (bytes[at + 3] as number)) >>>
    0
  );
}

function inflateInto(input: Uint8Array, bytes: number, malformed: ReasonCode): Uint8Array {
  try {
    if (input.length === 0) throw new Error('empty');
    return unzlibSync(input, { out: new Uint8Array(bytes) });
  } catch {
    throw new CredentialError(malformed, 'not a complete zlib stream');
  }
}

// A card inflates to a few times its compressed size, so a buffer of that size is tried first
// (allocating and zeroing the full limit costs more than the inflating); only output that
// fills it is inflated again into the full one. Either way the output is bounded.
function inflateIntoFixedBuffer(
  input: Uint8Array,
  outputBytesMax: number,
  malformed: ReasonCode,
): Uint8Array {
  const guessBytes = Math.min(outputBytesMax, input.length * 4 + 512);
  let output = inflateInto(input, guessBytes + 1, malformed);
  if (output.length > guessBytes && guessBytes < outputBytesMax)
    output = inflateInto(input, outputBytesMax + 1, malformed);
  if (output.length > outputBytesMax) {
    throw new CredentialError('TOO_LARGE', `decompresses to more than ${outputBytesMax} bytes`);
  }
  return output;
}

function inflateStreaming(
  input: Uint8Array,
  options: InflateOptions,
  malformed: ReasonCode,
): Uint8Array {
  const chunks: Uint8Array[] = [];
  let total = 0;
  let ended = false;
  const onData = (chunk: Uint8Array, final: boolean): void => {
    total += chunk.length;
    if (total > options.outputBytesMax) {
      throw new CredentialError(
        'TOO_LARGE',
        `decompresses to more than ${options.outputBytesMax} bytes`,
      );
    }
    chunks.push(chunk);
    if (final) ended = true;
  };
  const stream = options.format === 'gzip' ? new Gunzip(onData) : new Unzlib(onData);
  try {
    if (input.length === 0) throw new Error('empty');
    for (let i = 0; i < input.length; i += inputChunkBytes) {
      const end = Math.min(i + inputChunkBytes, input.length);
      stream.push(input.subarray(i, end), end === input.length);
    }
  } catch (error) {
    if (error instanceof CredentialError) throw error;
    throw new CredentialError(malformed, 'not a complete deflate stream');
  }
  if (!ended) throw new CredentialError(malformed, 'deflate stream is truncated');
  return chunks.length === 1 ? (chunks[0] as Uint8Array) : concatBytes(...chunks);
}
