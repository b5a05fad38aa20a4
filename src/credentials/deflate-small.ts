// A zlib (RFC 1950) stream of one fixed-Huffman deflate block (RFC 1951 §3.2.6), for the few
// hundred bytes of a card. Node's zlib spends about 30 µs of a card's issuance setting up a
// compressor with 256 KiB of state for input that small, more than all the card's other
// encoding together; for such input zlib itself chooses fixed Huffman codes, so a greedy
// LZ77 over the whole input with those codes is as small to within a few bytes, in a tenth
// of the time. Any inflater reads it (tested against Node's zlib and fflate).

const lengthBase = [
  3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131,
  163, 195, 227, 258,
];
const lengthExtra = [
  0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
];
const distanceBase = [
  1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049,
  3073, 4097, 6145, 8193, 12289, 16385, 24577,
];
const distanceExtra = [
  0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13,
];

const windowBytes = 32_768;
const matchMax = 258;
const matchMin = 3;
/** Candidates tried per position: enough for a card, bounded for any input. */
const chainMax = 64;

const hashBits = 12;

/** Fixed literal/length codes (RFC 1951 §3.2.6), bit-reversed for LSB-first output. */
const literalCodes = new Uint16Array(288);
const literalBits = new Uint8Array(288);
/** Fixed 5-bit distance codes, bit-reversed. */
const distanceCodes = new Uint8Array(30);

function reverse(code: number, n: number): number {
  let out = 0;
  for (let i = 0; i < n; i++) out |= ((code >>> i) & 1) << (n - 1 - i);
  return out;
}
for (let symbol = 0; symbol < 288; symbol++) {
  const [code, n] =
    symbol < 144
      ? [0x30 + symbol, 8]
      : symbol < 256
        ? [0x190 + symbol - 144, 9]
        : symbol < 280
          ? [symbol - 256, 7]
          : [0xc0 + symbol - 280, 8];
  literalCodes[symbol] = reverse(code, n);
  literalBits[symbol] = n;
}
for (let d = 0; d < 30; d++) distanceCodes[d] = reverse(d, 5);

/** Deflate's bit order, least significant first, into a buffer sized for the worst case. */
class BitWriter {
  readonly bytes: Uint8Array;
  length = 0;
  private bits = 0;
  private count = 0;

  constructor(capacity: number) {
    this.bytes = new Uint8Array(capacity);
  }

  put(value: number, n: number): void {
    this.bits |= value << this.count;
    this.count += n;
    while (this.count >= 8) {
      this.bytes[this.length++] = this.bits & 0xff;
      this.bits >>>= 8;
      this.count -= 8;
    }
  }

  symbol(symbol: number): void {
    this.put(literalCodes[symbol]!, literalBits[symbol]!);
  }

  flush(): void {
    if (this.count > 0) this.bytes[this.length++] = this.bits & 0xff;
    this.bits = 0;
    this.count = 0;
  }
}

function match(w: BitWriter, length: number, distance: number): void {
  let l = lengthBase.length - 1;
  while (lengthBase[l]! > length) l--;
  w.symbol(257 + l);
  if (lengthExtra[l]! > 0) w.put(length - lengthBase[l]!, lengthExtra[l]!);
  let d = distanceBase.length - 1;
  while (distanceBase[d]! > distance) d--;
  w.put(distanceCodes[d]!, 5);
  if (distanceExtra[d]! > 0) w.put(distance - distanceBase[d]!, distanceExtra[d]!);
}

function adler32(data: Uint8Array): number {
  let a = 1;
  let b = 0;
  for (let i = 0; i < data.length;) {
    const end = Math.min(i + 3800, data.length); // stays below 2^32 before the modulo
    for (; i < end; i++) {
      a += data[i]!;
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  return ((b << 16) | a) >>> 0;
}

/** A hash of the three bytes at `i` (Fibonacci hashing), `hashBits` wide. */
function hashAt(data: Uint8Array, i: number): number {
  const three = (data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!;
  return Math.imul(three, -1640531535) >>> (32 - hashBits);
}

/**
 * Chains position `i` into the hash table when three known bytes start there. A position whose
 * three bytes are not all written yet (the end of a part) is never chained: its hash would be
 * of bytes still to come.
 */
function remember(
  data: Uint8Array,
  i: number,
  end: number,
  head: Int32Array,
  previous: Int32Array,
): void {
  if (i + matchMin > end) return;
  const h = hashAt(data, i);
  previous[i] = head[h]!;
  head[h] = i;
}

/**
 * A zlib stream written in parts: the bytes known so far are matched and encoded at once (a
 * card's content while its signature is being computed), the rest at `finish`. Matches never
 * reach past the bytes written, so the output does not depend on how the input was split
 * except at the joins, where a match may be shorter.
 */
export class SmallDeflater {
  private readonly data: Uint8Array;
  private readonly w: BitWriter;
  private readonly head = new Int32Array(1 << hashBits).fill(-1);
  private readonly previous: Int32Array;
  private written = 0;
  private at = 0;

  /** `capacity`: the most bytes that will be written, all told. */
  constructor(capacity: number) {
    const total = capacity;
    this.data = new Uint8Array(total);
    this.previous = new Int32Array(total);
    // At most 9 bits a byte, plus the block's 3 and end code, the header and the checksum.
    this.w = new BitWriter(Math.ceil((total * 9 + 10) / 8) + 8);
    this.w.bytes[0] = 0x78; // deflate, 32 KiB window
    this.w.bytes[1] = 0xda; // maximum compression; (0x78 << 8 | 0xda) is a multiple of 31
    this.w.length = 2;
    this.w.put(1, 1); // BFINAL
    this.w.put(1, 2); // BTYPE 01: fixed Huffman codes
  }

  /** Adds bytes and encodes every position they complete. */
  write(bytes: Uint8Array): this {
    if (this.written + bytes.length > this.data.length)
      throw new RangeError('more bytes than the deflater has room for');
    this.data.set(bytes, this.written);
    this.written += bytes.length;
    this.encodeUpTo(this.written);
    return this;
  }

  /** The output bytes that are final already (the stream's start), to encode ahead. */
  settled(): Uint8Array {
    return this.w.bytes.subarray(0, this.w.length);
  }

  /** The whole zlib stream of the bytes written. */
  finish(): Uint8Array {
    const w = this.w;
    w.symbol(256); // end of block
    w.flush();
    const out = w.bytes;
    const check = adler32(this.data.subarray(0, this.written));
    out[w.length++] = check >>> 24;
    out[w.length++] = (check >>> 16) & 0xff;
    out[w.length++] = (check >>> 8) & 0xff;
    out[w.length++] = check & 0xff;
    return out.subarray(0, w.length);
  }

  private encodeUpTo(end: number): void {
    const { data, head, previous, w } = this;
    let i = this.at;
    while (i < end) {
      let bestLength = 0;
      let bestDistance = 0;
      if (i + matchMin <= end) {
        let candidate = head[hashAt(data, i)]!;
        const longest = Math.min(matchMax, end - i);
        for (let tries = 0; candidate >= 0 && tries < chainMax; tries++) {
          if (i - candidate > windowBytes) break;
          let n = 0;
          while (n < longest && data[candidate + n] === data[i + n]) n++;
          if (n > bestLength) {
            bestLength = n;
            bestDistance = i - candidate;
            if (n === longest) break;
          }
          candidate = previous[candidate]!;
        }
      }
      if (bestLength >= matchMin) {
        match(w, bestLength, bestDistance);
        for (let k = 0; k < bestLength; k++) remember(data, i + k, end, head, previous);
        i += bestLength;
      } else {
        w.symbol(data[i]!);
        remember(data, i, end, head, previous);
        i++;
      }
    }
    this.at = i;
  }
}

/** `data` as a zlib stream: a fixed-Huffman block with greedy LZ77 matches. */
export function deflateSmall(data: Uint8Array): Uint8Array {
  return new SmallDeflater(data.length).write(data).finish();
}
