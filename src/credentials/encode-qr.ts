// The QR symbol of a card. Base45 uses exactly the QR alphanumeric alphabet, so the text is
// encoded in alphanumeric mode (5.5 bits a character) at error correction M (15% damage).
//
// Alphanumeric text — every card's — is encoded here rather than by the `qrcode` package,
// which spends about 2 ms a symbol (most of it trying the eight masks over its bit matrix):
// that is more than a print sheet may spend on a whole card. This encoder follows the same
// steps (ISO/IEC 18004: smallest version, terminator and pad codewords, Reed–Solomon blocks
// interleaved, the same data placement and the same mask penalties) over flat byte arrays
// and per-version templates built once, so it draws module for module the symbol `qrcode`
// draws (encode-qr.test.ts compares them over thousands of texts, every level and length);
// other text (byte mode) is still left to `qrcode`.
import QRCode from 'qrcode';

/** QR error correction levels, from least to most redundancy. */
export type QrErrorCorrection = 'L' | 'M' | 'Q' | 'H';

/** A QR symbol: its version and its dark modules. */
export interface QrSymbol {
  version: number;
  size: number;
  /** The mask pattern chosen (0–7). */
  mask: number;
  /** The modules row by row, 1 for dark: `modules[row * size + col]`. */
  modules: Uint8Array;
  isDark(row: number, col: number): boolean;
}

const levelIndex: Record<QrErrorCorrection, number> = { L: 0, M: 1, Q: 2, H: 3 };
const levelBits: Record<QrErrorCorrection, number> = { L: 1, M: 0, Q: 3, H: 2 };

// Error correction blocks and codewords per version (rows) and level (L M Q H), ISO/IEC
// 18004 table 9, as the qrcode package tabulates them.
// prettier-ignore
const ecBlocks = [1,1,1,1,1,1,1,1,1,1,2,2,1,2,2,4,1,2,4,4,2,4,4,4,2,4,6,5,2,4,6,6,2,5,8,8,4,5,8,8,4,5,8,11,4,8,10,11,4,9,12,16,4,9,16,16,6,10,12,18,6,10,17,16,6,11,16,19,6,13,18,21,7,14,21,25,8,16,20,25,8,17,23,25,9,17,23,34,9,18,25,30,10,20,27,32,12,21,29,35,12,23,34,37,12,25,34,40,13,26,35,42,14,28,38,45,15,29,40,48,16,31,43,51,17,33,45,54,18,35,48,57,19,37,51,60,19,38,53,63,20,40,56,66,21,43,59,70,22,45,62,74,24,47,65,77,25,49,68,81];
// prettier-ignore
const ecCodewords = [7,10,13,17,10,16,22,28,15,26,36,44,20,36,52,64,26,48,72,88,36,64,96,112,40,72,108,130,48,88,132,156,60,110,160,192,72,130,192,224,80,150,224,264,96,176,260,308,104,198,288,352,120,216,320,384,132,240,360,432,144,280,408,480,168,308,448,532,180,338,504,588,196,364,546,650,224,416,600,700,224,442,644,750,252,476,690,816,270,504,750,900,300,560,810,960,312,588,870,1050,336,644,952,1110,360,700,1020,1200,390,728,1050,1260,420,784,1140,1350,450,812,1200,1440,480,868,1290,1530,510,924,1350,1620,540,980,1440,1710,570,1036,1530,1800,570,1064,1590,1890,600,1120,1680,1980,630,1204,1770,2100,660,1260,1860,2220,720,1316,1950,2310,750,1372,2040,2430];

/** Codewords (data and correction) a symbol of `version` holds. */
function totalCodewords(version: number): number {
  const size = version * 4 + 17;
  let modules = size * size - 3 * 64 - 2 * (size - 16) - 31; // finders, timing, format
  if (version >= 2) {
    const n = Math.floor(version / 7) + 2;
    modules -= (n * n - 3) * 25 - 10 * (n - 2);
  }
  if (version >= 7) modules -= 36;
  return Math.floor(modules / 8);
}

const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';
const alphaValue = new Int8Array(128).fill(-1);
for (let i = 0; i < alphabet.length; i++) alphaValue[alphabet.charCodeAt(i)] = i;

// GF(256) over x^8 + x^4 + x^3 + x^2 + 1.
const exp = new Uint8Array(512);
const log = new Uint8Array(256);
for (let i = 0, x = 1; i < 255; i++) {
  exp[i] = x;
  log[x] = i;
  x <<= 1;
  if (x & 0x100) x ^= 0x11d;
}
for (let i = 255; i < 512; i++) exp[i] = exp[i - 255]!;

const generators = new Map<number, Uint8Array>();
/** The Reed–Solomon generator of `degree`, highest coefficient (1) dropped. */
function generator(degree: number): Uint8Array {
  let g = generators.get(degree);
  if (g) return g;
  let poly = new Uint8Array([1]);
  for (let i = 0; i < degree; i++) {
    const next = new Uint8Array(poly.length + 1);
    for (let j = 0; j < poly.length; j++) {
      next[j]! ^= poly[j]!;
      if (poly[j]) next[j + 1]! ^= exp[log[poly[j]!]! + i]!;
    }
    poly = next;
  }
  g = poly.subarray(1);
  generators.set(degree, g);
  return g;
}

function reedSolomon(data: Uint8Array, degree: number): Uint8Array {
  const g = generator(degree);
  const rem = new Uint8Array(degree);
  for (let i = 0; i < data.length; i++) {
    const factor = data[i]! ^ rem[0]!;
    rem.copyWithin(0, 1);
    rem[degree - 1] = 0;
    if (factor !== 0) {
      const lf = log[factor]!;
      for (let j = 0; j < degree; j++) rem[j]! ^= exp[lf + log[g[j]!]!]!;
    }
  }
  return rem;
}

function bchFormat(level: QrErrorCorrection, mask: number): number {
  const data = (levelBits[level] << 3) | mask;
  let d = data << 10;
  for (let bit = 14; bit >= 10; bit--) if (d & (1 << bit)) d ^= 0x537 << (bit - 10);
  return ((data << 10) | d) ^ 0x5412;
}

function bchVersion(version: number): number {
  let d = version << 12;
  for (let bit = 17; bit >= 12; bit--) if (d & (1 << bit)) d ^= 0x1f25 << (bit - 12);
  return (version << 12) | d;
}

/** What every symbol of one version shares: its function patterns and where data goes. */
interface Template {
  size: number;
  /** Function-pattern modules (format info left light). */
  base: Uint8Array;
  /** Indices of data modules in placement order. */
  order: Uint32Array;
  /** Per mask, the data modules it inverts (1) — function modules are 0. */
  masks: Uint8Array[];
  /**
   * For symbols of at most 64 modules a side, per mask, its inverted modules and its format
   * information packed two 32-bit words a row (columns 0–31, 32–63), and the same by column.
   */
  packed: Map<QrErrorCorrection, { rows: Int32Array[]; cols: Int32Array[] }>;
  /** The 30 module indices of the format information, two per bit (bit i at 2i, 2i+1). */
  formatAt: Uint32Array;
}

const templates = new Map<number, Template>();

function template(version: number): Template {
  const cached = templates.get(version);
  if (cached) return cached;
  const size = version * 4 + 17;
  const base = new Uint8Array(size * size);
  const reserved = new Uint8Array(size * size);
  const set = (r: number, c: number, dark: boolean): void => {
    base[r * size + c] = dark ? 1 : 0;
    reserved[r * size + c] = 1;
  };
  for (const [row, col] of [
    [0, 0],
    [size - 7, 0],
    [0, size - 7],
  ] as const) {
    for (let r = -1; r <= 7; r++) {
      if (row + r < 0 || row + r >= size) continue;
      for (let c = -1; c <= 7; c++) {
        if (col + c < 0 || col + c >= size) continue;
        const ring =
          (r >= 0 && r <= 6 && (c === 0 || c === 6)) ||
          (c >= 0 && c <= 6 && (r === 0 || r === 6)) ||
          (r >= 2 && r <= 4 && c >= 2 && c <= 4);
        set(row + r, col + c, ring);
      }
    }
  }
  for (let r = 8; r < size - 8; r++) {
    set(r, 6, r % 2 === 0);
    set(6, r, r % 2 === 0);
  }
  if (version > 1) {
    const count = Math.floor(version / 7) + 2;
    const step = size === 145 ? 26 : Math.ceil((size - 13) / (2 * count - 2)) * 2;
    const coords = [size - 7];
    for (let i = 1; i < count - 1; i++) coords[i] = coords[i - 1]! - step;
    coords.push(6);
    coords.reverse();
    for (let i = 0; i < count; i++) {
      for (let j = 0; j < count; j++) {
        if ((i === 0 && j === 0) || (i === 0 && j === count - 1) || (i === count - 1 && j === 0))
          continue;
        for (let r = -2; r <= 2; r++) {
          for (let c = -2; c <= 2; c++) {
            const dark = r === -2 || r === 2 || c === -2 || c === 2 || (r === 0 && c === 0);
            set(coords[i]! + r, coords[j]! + c, dark);
          }
        }
      }
    }
  }
  const formatAt = new Uint32Array(30);
  for (let i = 0; i < 15; i++) {
    const [vr, vc] = i < 6 ? [i, 8] : i < 8 ? [i + 1, 8] : [size - 15 + i, 8];
    const [hr, hc] = i < 8 ? [8, size - i - 1] : i < 9 ? [8, 15 - i] : [8, 15 - i - 1];
    set(vr, vc, false);
    set(hr, hc, false);
    formatAt[2 * i] = vr * size + vc;
    formatAt[2 * i + 1] = hr * size + hc;
  }
  set(size - 8, 8, true);
  if (version >= 7) {
    const bits = bchVersion(version);
    for (let i = 0; i < 18; i++) {
      const row = Math.floor(i / 3);
      const col = (i % 3) + size - 11;
      const dark = ((bits >> i) & 1) === 1;
      set(row, col, dark);
      set(col, row, dark);
    }
  }
  const order: number[] = [];
  let inc = -1;
  let row = size - 1;
  for (let col = size - 1; col > 0; col -= 2) {
    if (col === 6) col--;
    for (;;) {
      for (let c = 0; c < 2; c++)
        if (!reserved[row * size + col - c]) order.push(row * size + col - c);
      row += inc;
      if (row < 0 || row >= size) {
        row -= inc;
        inc = -inc;
        break;
      }
    }
  }
  const maskAt = [
    (i: number, j: number) => (i + j) % 2 === 0,
    (i: number) => i % 2 === 0,
    (_i: number, j: number) => j % 3 === 0,
    (i: number, j: number) => (i + j) % 3 === 0,
    (i: number, j: number) => (Math.floor(i / 2) + Math.floor(j / 3)) % 2 === 0,
    (i: number, j: number) => ((i * j) % 2) + ((i * j) % 3) === 0,
    (i: number, j: number) => (((i * j) % 2) + ((i * j) % 3)) % 2 === 0,
    (i: number, j: number) => (((i * j) % 3) + ((i + j) % 2)) % 2 === 0,
  ];
  const masks = maskAt.map((at) => {
    const m = new Uint8Array(size * size);
    for (let r = 0; r < size; r++) {
      for (let c = 0; c < size; c++) if (!reserved[r * size + c] && at(r, c)) m[r * size + c] = 1;
    }
    return m;
  });
  const t = {
    size,
    base,
    order: Uint32Array.from(order),
    masks,
    packed: new Map(),
    formatAt,
  };
  templates.set(version, t);
  return t;
}

/** Packs `grid` two 32-bit words a row (or, `byColumn`, a column). */
function pack(grid: Uint8Array, size: number, byColumn: boolean): Int32Array {
  const out = new Int32Array(2 * size);
  for (let r = 0; r < size; r++) {
    const at = r * size;
    for (let c = 0; c < size; c++) {
      if (grid[at + c] === 0) continue;
      if (byColumn) out[2 * c + (r >> 5)]! |= 1 << (r & 31);
      else out[2 * r + (c >> 5)]! |= 1 << (c & 31);
    }
  }
  return out;
}

/** The template's masks with the format information of `level`, packed (sides ≤ 64). */
function packedMasks(
  t: Template,
  level: QrErrorCorrection,
): { rows: Int32Array[]; cols: Int32Array[] } {
  let packed = t.packed.get(level);
  if (packed) return packed;
  packed = { rows: [], cols: [] };
  for (let mask = 0; mask < 8; mask++) {
    const grid = t.masks[mask]!.slice();
    const bits = bchFormat(level, mask);
    for (let i = 0; i < 30; i++) grid[t.formatAt[i]!] = (bits >> (i >> 1)) & 1;
    packed.rows.push(pack(grid, t.size, false));
    packed.cols.push(pack(grid, t.size, true));
  }
  t.packed.set(level, packed);
  return packed;
}

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) | 0;
}

/** Bits 0..k-1 of a line's low word and of its high word. */
const lowBits = (k: number): number => (k >= 32 ? -1 : (1 << k) - 1);
const highBits = (k: number): number => (k > 32 ? (1 << (k - 32)) - 1 : 0);

/**
 * Rules 1 and 3 over packed lines (two words each, `n` ≤ 64 modules long), as `linePenalty`
 * counts them: a run of five or more alike scores its length less two (a start of five alike
 * scores 1, the first of a run 2 more), each finder-like window 40.
 */
function packedLinePenalty(lines: Int32Array, n: number): number {
  const lo4 = lowBits(n - 4);
  const hi4 = highBits(n - 4);
  const lo10 = lowBits(n - 10);
  const hi10 = highBits(n - 10);
  let points = 0;
  let finders = 0;
  for (let i = 0; i < lines.length; i += 2) {
    const a = lines[i]!;
    const b = lines[i + 1]!;
    // e: modules alike their right neighbour; r: modules starting five alike.
    const eLo = ~(a ^ ((a >>> 1) | (b << 31)));
    const eHi = ~(b ^ (b >>> 1));
    const rLo =
      eLo &
      ((eLo >>> 1) | (eHi << 31)) &
      ((eLo >>> 2) | (eHi << 30)) &
      ((eLo >>> 3) | (eHi << 29)) &
      lo4;
    const rHi = eHi & (eHi >>> 1) & (eHi >>> 2) & (eHi >>> 3) & hi4;
    const startLo = rLo & ~(rLo << 1);
    const startHi = rHi & ~((rHi << 1) | (rLo >>> 31));
    points += popcount(rLo) + popcount(rHi) + 2 * (popcount(startLo) + popcount(startHi));
    // Windows of 11 from each position: 1011101 then 0000 (bit k is the module k along), or
    // 0000 then 1011101.
    let fLo = lo10;
    let fHi = hi10;
    let gLo = lo10;
    let gHi = hi10;
    for (let k = 0; k <= 10; k++) {
      const sLo = k === 0 ? a : (a >>> k) | (b << (32 - k));
      const sHi = b >>> k;
      if ((0x05d >> k) & 1) {
        fLo &= sLo;
        fHi &= sHi;
      } else {
        fLo &= ~sLo;
        fHi &= ~sHi;
      }
      if ((0x5d0 >> k) & 1) {
        gLo &= sLo;
        gHi &= sHi;
      } else {
        gLo &= ~sLo;
        gHi &= ~sHi;
      }
    }
    finders += popcount(fLo) + popcount(fHi) + popcount(gLo) + popcount(gHi);
  }
  return points + finders * 40;
}

/** The mask penalty over packed rows and columns, as `penalty` computes it. */
function packedPenalty(rows: Int32Array, cols: Int32Array, n: number): number {
  let points = packedLinePenalty(rows, n) + packedLinePenalty(cols, n);
  const lo1 = lowBits(n - 1);
  const hi1 = highBits(n - 1);
  let blocks = 0;
  let dark = 0;
  for (let i = 0; i < rows.length; i += 2) {
    const a = rows[i]!;
    const b = rows[i + 1]!;
    dark += popcount(a) + popcount(b);
    if (i + 2 >= rows.length) break;
    const c = rows[i + 2]!;
    const d = rows[i + 3]!;
    // Both rows alike at a module and at its right neighbour, and the top one alike across.
    const vLo = ~(a ^ c);
    const vHi = ~(b ^ d);
    const hLo = ~(a ^ ((a >>> 1) | (b << 31)));
    const hHi = ~(b ^ (b >>> 1));
    blocks +=
      popcount(vLo & ((vLo >>> 1) | (vHi << 31)) & hLo & lo1) +
      popcount(vHi & (vHi >>> 1) & hHi & hi1);
  }
  points += blocks * 3;
  points += Math.abs(Math.ceil((dark * 100) / (n * n) / 5) - 10) * 10;
  return points;
}

// 1 where an 11-bit window is the finder-like 1:1:3:1:1 pattern beside four light modules.
const finderLike = new Uint8Array(2048);
finderLike[0x5d0] = 1;
finderLike[0x05d] = 1;

/** Penalty rules 1 and 3 (runs, finder-like patterns) along the rows of `m`. */
function linePenalty(m: Uint8Array, size: number): number {
  let points = 0;
  let finders = 0;
  for (let at = 0, end = size * size; at < end; at += size) {
    let last = m[at]!;
    let run = 1;
    let bits = last;
    for (let j = 1; j < size; j++) {
      const a = m[at + j]!;
      bits = ((bits << 1) & 0x7ff) | a;
      if (j >= 10) finders += finderLike[bits]!;
      if (a === last) run++;
      else {
        if (run >= 5) points += run - 2;
        last = a;
        run = 1;
      }
    }
    if (run >= 5) points += run - 2;
  }
  return points + finders * 40;
}

/**
 * The mask penalty of ISO/IEC 18004 §7.8.3, computed as the qrcode package computes it, over
 * the symbol `m` and its transpose `t`.
 */
function penalty(m: Uint8Array, t: Uint8Array, size: number): number {
  let points = linePenalty(m, size) + linePenalty(t, size);
  let blocks = 0;
  let dark = 0;
  for (let i = 0; i < m.length; i++) dark += m[i]!;
  for (let top = 0, end = (size - 1) * size; top < end; top += size) {
    const below = top + size;
    let left = m[top]! + m[below]!;
    for (let c = 1; c < size; c++) {
      const right = m[top + c]! + m[below + c]!;
      const s = left + right;
      if (s === 0 || s === 4) blocks++;
      left = right;
    }
  }
  points += blocks * 3;
  points += Math.abs(Math.ceil((dark * 100) / (size * size) / 5) - 10) * 10;
  return points;
}

/** The data and correction codewords of alphanumeric `text`, or null if it fits no version. */
function codewords(
  text: string,
  level: QrErrorCorrection,
): { version: number; words: Uint8Array } | null {
  const n = text.length;
  const li = levelIndex[level];
  let version = 0;
  let dataWords = 0;
  for (let v = 1; v <= 40; v++) {
    const countBits = v < 10 ? 9 : v < 27 ? 11 : 13;
    const bits = 4 + countBits + 11 * Math.floor(n / 2) + 6 * (n % 2);
    const capacity = totalCodewords(v) - ecCodewords[(v - 1) * 4 + li]!;
    if (bits <= capacity * 8) {
      version = v;
      dataWords = capacity;
      break;
    }
  }
  if (version === 0) return null;
  const data = new Uint8Array(dataWords);
  let acc = 0;
  let accBits = 0;
  let at = 0;
  const put = (value: number, length: number): void => {
    acc = (acc << length) | value;
    accBits += length;
    while (accBits >= 8) {
      accBits -= 8;
      data[at++] = (acc >>> accBits) & 0xff;
    }
    acc &= (1 << accBits) - 1;
  };
  put(0b0010, 4);
  put(n, version < 10 ? 9 : version < 27 ? 11 : 13);
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    put(alphaValue[text.charCodeAt(i)]! * 45 + alphaValue[text.charCodeAt(i + 1)]!, 11);
  }
  if (n % 2) put(alphaValue[text.charCodeAt(i)]!, 6);
  const used = at * 8 + accBits;
  if (used + 4 <= dataWords * 8) put(0, 4);
  if (accBits > 0) put(0, 8 - accBits);
  for (let pad = 0; at < dataWords; pad++) data[at++] = pad % 2 ? 0x11 : 0xec;

  const total = totalCodewords(version);
  const blocks = ecBlocks[(version - 1) * 4 + li]!;
  const inGroup2 = total % blocks;
  const inGroup1 = blocks - inGroup2;
  const dataInGroup1 = Math.floor(dataWords / blocks);
  const ecCount = Math.floor(total / blocks) - dataInGroup1;
  const words = new Uint8Array(total);
  const dc: Uint8Array[] = [];
  const ec: Uint8Array[] = [];
  let offset = 0;
  for (let b = 0; b < blocks; b++) {
    const size = b < inGroup1 ? dataInGroup1 : dataInGroup1 + 1;
    const block = data.subarray(offset, offset + size);
    dc.push(block);
    ec.push(reedSolomon(block, ecCount));
    offset += size;
  }
  let k = 0;
  for (let j = 0; j <= dataInGroup1; j++) {
    for (let b = 0; b < blocks; b++) if (j < dc[b]!.length) words[k++] = dc[b]![j]!;
  }
  for (let j = 0; j < ecCount; j++) for (let b = 0; b < blocks; b++) words[k++] = ec[b]![j]!;
  return { version, words };
}

function symbol(version: number, size: number, mask: number, modules: Uint8Array): QrSymbol {
  return { version, size, mask, modules, isDark: (row, col) => modules[row * size + col] === 1 };
}

/** The QR symbol of alphanumeric `text`, or null when the text is not alphanumeric. */
function encodeAlphanumeric(text: string, level: QrErrorCorrection): QrSymbol | null {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 128 || alphaValue[c]! < 0) return null;
  }
  const coded = codewords(text, level);
  if (!coded) return null; // too long: qrcode says so in its own words
  const { version, words } = coded;
  const t = template(version);
  const plain = t.base.slice();
  const { order } = t;
  for (let i = 0; i < order.length; i++) {
    const byte = i >> 3;
    if (byte < words.length && (words[byte]! >> (7 - (i & 7))) & 1) plain[order[i]!] = 1;
  }
  const { size } = t;
  const trial = new Uint8Array(plain.length);
  const place = (grid: Uint8Array, from: Uint8Array, m: Uint8Array, mask: number): void => {
    for (let i = 0; i < grid.length; i++) grid[i] = from[i]! ^ m[i]!;
    const bits = bchFormat(level, mask);
    for (let i = 0; i < 30; i++) grid[t.formatAt[i]!] = (bits >> (i >> 1)) & 1;
  };
  let best = 0;
  let lowest = Infinity;
  if (size <= 64) {
    const masks = packedMasks(t, level);
    const rows = pack(plain, size, false);
    const cols = pack(plain, size, true);
    const mRows = new Int32Array(rows.length);
    const mCols = new Int32Array(cols.length);
    for (let mask = 0; mask < 8; mask++) {
      const pr = masks.rows[mask]!;
      const pc = masks.cols[mask]!;
      for (let i = 0; i < rows.length; i++) {
        mRows[i] = rows[i]! ^ pr[i]!;
        mCols[i] = cols[i]! ^ pc[i]!;
      }
      const p = packedPenalty(mRows, mCols, size);
      if (p < lowest) {
        lowest = p;
        best = mask;
      }
    }
  } else {
    const plainT = new Uint8Array(plain.length);
    for (let r = 0; r < size; r++) {
      for (let c = 0; c < size; c++) plainT[c * size + r] = plain[r * size + c]!;
    }
    const trialT = new Uint8Array(plain.length);
    for (let mask = 0; mask < 8; mask++) {
      place(trial, plain, t.masks[mask]!, mask);
      for (let r = 0; r < size; r++) {
        for (let c = 0; c < size; c++) trialT[c * size + r] = trial[r * size + c]!;
      }
      const p = penalty(trial, trialT, size);
      if (p < lowest) {
        lowest = p;
        best = mask;
      }
    }
  }
  place(trial, plain, t.masks[best]!, best);
  return symbol(version, t.size, best, trial);
}

/** The QR symbol for card QR text (alphanumeric mode), at `level` (default M). */
export function encodeQr(qrText: string, level: QrErrorCorrection = 'M'): QrSymbol {
  const fast = qrText === '' ? null : encodeAlphanumeric(qrText, level);
  if (fast) return fast;
  const isAlphanumeric = /^[0-9A-Z $%*+\-./:]*$/.test(qrText);
  const qr = QRCode.create(isAlphanumeric ? [{ data: qrText, mode: 'alphanumeric' }] : qrText, {
    errorCorrectionLevel: level,
  });
  const size = qr.modules.size;
  const modules = Uint8Array.from(qr.modules.data as ArrayLike<number>, (v) => (v ? 1 : 0));
  return symbol(qr.version, size, qr.maskPattern ?? 0, modules);
}

/** The same symbol as drawn by the qrcode package, for tests that compare the two. */
export function encodeQrReference(qrText: string, level: QrErrorCorrection = 'M'): QrSymbol {
  const qr = QRCode.create([{ data: qrText, mode: 'alphanumeric' }], {
    errorCorrectionLevel: level,
  });
  const modules = Uint8Array.from(qr.modules.data as ArrayLike<number>, (v) => (v ? 1 : 0));
  return symbol(qr.version, qr.modules.size, qr.maskPattern ?? 0, modules);
}
