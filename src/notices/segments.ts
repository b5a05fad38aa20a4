// What a phone receives: how a text is encoded and split into SMS parts, and what sending it
// costs. Pure: no I/O, no clock. GSM 03.38 (the default 7-bit alphabet) gives 160 septets in
// one message and 153 per part when a User Data Header joins parts; its extension table's
// characters cost two septets (an escape and the character) and are never split across parts.
// A text with any character outside the alphabet and its extension goes as UCS-2: 70 UTF-16
// code units in one message, 67 per part, and a surrogate pair (an emoji) is two units that
// stay together.

/** The GSM 03.38 basic character set, in code order (0x1B, the escape, is left out). */
const gsmBasic =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';

/** The GSM 03.38 extension table: each is sent as escape + character, two septets. */
const gsmExtension = '\f^{}\\[~]|€';

const basicSet = new Set(gsmBasic);
const extensionSet = new Set(gsmExtension);

/** The limits of one encoding, in its units (septets or UTF-16 code units). */
export const segmentLimits = {
  gsm7: { single: 160, part: 153 },
  ucs2: { single: 70, part: 67 },
} as const;

/** How a text goes by SMS. */
export type SmsEncoding = keyof typeof segmentLimits;

/** A text's SMS shape. */
export interface SegmentCount {
  encoding: SmsEncoding;
  /** Septets (GSM-7) or UTF-16 code units (UCS-2) in the whole text. */
  units: number;
  /** Characters as a person counts them (code points). */
  characters: number;
  /** How many messages the phone receives (0 for an empty text). */
  parts: number;
  /** The most units one part may hold for this text (160/153 or 70/67). */
  unitsPerPart: number;
  /** The text of each part, in order. */
  partTexts: string[];
  /** Units in each part. */
  unitsInParts: number[];
  /** Characters outside GSM 03.38 that forced UCS-2 (each once, in order of appearance). */
  nonGsm: string[];
}

/** The septets a character costs in GSM-7: 1, 2 (extension), or undefined when it has none. */
export function gsmSeptets(char: string): 1 | 2 | undefined {
  if (basicSet.has(char)) return 1;
  if (extensionSet.has(char)) return 2;
  return undefined;
}

/** Counts a text's encoding, parts and units per part. */
export function countSegments(text: string): SegmentCount {
  const chars = [...text];
  const nonGsm: string[] = [];
  for (const c of chars) if (gsmSeptets(c) === undefined && !nonGsm.includes(c)) nonGsm.push(c);
  const encoding: SmsEncoding = nonGsm.length === 0 ? 'gsm7' : 'ucs2';
  const cost = (c: string): number => (encoding === 'gsm7' ? gsmSeptets(c)! : c.length);
  const units = chars.reduce((n, c) => n + cost(c), 0);
  const limits = segmentLimits[encoding];
  if (units <= limits.single) {
    return {
      encoding,
      units,
      characters: chars.length,
      parts: units === 0 ? 0 : 1,
      unitsPerPart: limits.single,
      partTexts: units === 0 ? [] : [text],
      unitsInParts: units === 0 ? [] : [units],
      nonGsm,
    };
  }
  // Greedy split: a character (an extension pair, a surrogate pair) that does not fit whole
  // in the current part starts the next one.
  const partTexts: string[] = [];
  const unitsInParts: number[] = [];
  let current = '';
  let used = 0;
  for (const c of chars) {
    const n = cost(c);
    if (used + n > limits.part) {
      partTexts.push(current);
      unitsInParts.push(used);
      current = '';
      used = 0;
    }
    current += c;
    used += n;
  }
  partTexts.push(current);
  unitsInParts.push(used);
  return {
    encoding,
    units,
    characters: chars.length,
    parts: partTexts.length,
    unitsPerPart: limits.part,
    partTexts,
    unitsInParts,
    nonGsm,
  };
}

/** What sending costs: parts × recipients × price per part, in integer minor units. */
export function sendCost(parts: number, recipients: number, pricePerPartMinor: bigint): bigint {
  if (!Number.isInteger(parts) || parts < 0) throw new RangeError('parts: a whole number ≥ 0');
  if (!Number.isInteger(recipients) || recipients < 0)
    throw new RangeError('recipients: a whole number ≥ 0');
  if (pricePerPartMinor < 0n) throw new RangeError('price per part: not negative');
  return BigInt(parts) * BigInt(recipients) * pricePerPartMinor;
}

/** Encodes a GSM-7 text as unpacked septets (one octet each), escapes included. */
export function encodeGsm7(text: string): Buffer {
  const out: number[] = [];
  for (const c of text) {
    const basic = gsmBasicIndex(c);
    if (basic !== undefined) {
      out.push(basic);
      continue;
    }
    const ext = gsmExtensionCode[c];
    if (ext === undefined) throw new RangeError(`"${c}" is not in GSM 03.38`);
    out.push(0x1b, ext);
  }
  return Buffer.from(out);
}

// The code of each basic character: its position, skipping 0x1B (the escape).
function gsmBasicIndex(c: string): number | undefined {
  const i = gsmBasic.indexOf(c);
  if (i < 0) return undefined;
  return i >= 0x1b ? i + 1 : i;
}

const gsmExtensionCode: Readonly<Record<string, number>> = {
  '\f': 0x0a,
  '^': 0x14,
  '{': 0x28,
  '}': 0x29,
  '\\': 0x2f,
  '[': 0x3c,
  '~': 0x3d,
  ']': 0x3e,
  '|': 0x40,
  '€': 0x65,
};
