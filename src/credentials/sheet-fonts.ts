// DejaVu Sans and its bold as a print sheet embeds them: a TrueType subset (CIDFontType2,
// Identity-H, with a ToUnicode map so the words can be searched and copied), built once per
// process for each set of Unicode blocks a sheet uses (64 code points a block, the Latin ones
// always, so every sheet of Latin names, whatever their accents, shares one subset) and kept
// compressed, ready to copy into each file. A subset costs tens of milliseconds to build, as
// much as drawing half a file of cards, so it is paid once, not per file.
import { readFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import fontkit from '@pdf-lib/fontkit';
import type { Font } from '@pdf-lib/fontkit';

const fontDir = '/usr/share/fonts/truetype/dejavu';
const files = { regular: 'DejaVuSans.ttf', bold: 'DejaVuSans-Bold.ttf' } as const;

/** Which of the two faces. */
export type SheetFontFace = keyof typeof files;

/** A font subset ready to be written into a PDF. */
export interface SheetFont {
  face: SheetFontFace;
  /** The subset's PostScript name, with its six-letter tag. */
  name: string;
  /** The CID (subset glyph id) of each code point it covers. */
  cid: Map<number, number>;
  /** Advance width in thousandths of an em, by code point. */
  width: Map<number, number>;
  /** The compressed TrueType subset (FontFile2), and its length uncompressed. */
  fontFile: Buffer;
  fontLength: number;
  /** The compressed ToUnicode CMap. */
  toUnicode: Buffer;
  /** The CIDFont's /W array and the FontDescriptor's metrics, as PDF text. */
  widths: string;
  descriptor: string;
  /** Text already encoded as a hex string of CIDs. */
  encoded: Map<string, string>;
}

let loaded: Record<SheetFontFace, Font> | null | undefined;

/** The two DejaVu Sans faces (Debian's fonts-dejavu-core), or null where they are missing. */
export function sheetFontFaces(): Record<SheetFontFace, Font> | null {
  if (loaded !== undefined) return loaded;
  try {
    loaded = {
      regular: fontkit.create(readFileSync(`${fontDir}/${files.regular}`)),
      bold: fontkit.create(readFileSync(`${fontDir}/${files.bold}`)),
    };
  } catch {
    loaded = null;
  }
  return loaded;
}

const covered = { regular: new Map<number, boolean>(), bold: new Map<number, boolean>() };

/** Whether `face` has a glyph for every character of `text`. */
export function sheetFontCovers(face: SheetFontFace, text: string): boolean {
  const fonts = sheetFontFaces();
  if (!fonts) return false;
  const known = covered[face];
  for (const char of text) {
    const cp = char.codePointAt(0)!;
    let has = known.get(cp);
    if (has === undefined) {
      has = cp >= 0x20 && fonts[face].hasGlyphForCodePoint(cp);
      known.set(cp, has);
    }
    if (!has) return false;
  }
  return true;
}

const blockBits = 6;
const subsets = new Map<string, Promise<SheetFont>>();
const subsetsMax = 64;

// Always included: Basic Latin, Latin-1 and Latin Extended-A (U+0000–U+017F), so that names
// in the Latin alphabets share one subset rather than building one per mix of accents.
const baseBlocks = [0, 1, 2, 3, 4, 5];

/** The subset of `face` covering every block of the code points in `used`. */
export function sheetFont(face: SheetFontFace, used: ReadonlySet<number>): Promise<SheetFont> {
  const blocks = [...new Set([...baseBlocks, ...[...used].map((cp) => cp >> blockBits)])].sort(
    (a, b) => a - b,
  );
  const key = `${face}:${blocks.join(',')}`;
  let font = subsets.get(key);
  if (!font) {
    if (subsets.size >= subsetsMax) subsets.delete(subsets.keys().next().value!);
    font = buildSubset(face, blocks, key);
    subsets.set(key, font);
  }
  return font;
}

function hex4(n: number): string {
  return n.toString(16).padStart(4, '0');
}

async function buildSubset(face: SheetFontFace, blocks: number[], key: string): Promise<SheetFont> {
  const fonts = sheetFontFaces();
  if (!fonts) throw new Error('DejaVu Sans is not installed (apt-get install fonts-dejavu-core)');
  const font = fonts[face];
  const subset = font.createSubset();
  const scale = 1000 / font.unitsPerEm;
  const cid = new Map<number, number>();
  const width = new Map<number, number>();
  const toUnicode: string[] = [];
  const widthOf = new Map<number, number>();
  for (const block of blocks) {
    for (let cp = block << blockBits; cp < (block + 1) << blockBits; cp++) {
      if (cp < 0x20 || !font.hasGlyphForCodePoint(cp)) continue;
      const glyph = font.glyphForCodePoint(cp);
      const id = subset.includeGlyph(glyph);
      const w = Math.round(glyph.advanceWidth * scale);
      cid.set(cp, id);
      width.set(cp, w);
      if (!widthOf.has(id)) {
        widthOf.set(id, w);
        const unit =
          cp > 0xffff
            ? hex4(0xd800 + ((cp - 0x10000) >> 10)) + hex4(0xdc00 + ((cp - 0x10000) & 0x3ff))
            : hex4(cp);
        toUnicode.push(`<${hex4(id)}> <${unit}>`);
      }
    }
  }
  const parts: Uint8Array[] = [];
  await new Promise<void>((resolve) => {
    subset
      .encodeStream()
      .on('data', (bytes) => void parts.push(bytes))
      .on('end', () => resolve());
  });
  const raw = Buffer.concat(parts);
  const fontFile = deflateSync(raw);
  // 100 entries a bfchar section, as the CMap format allows.
  let cmap =
    '/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n' +
    '/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n' +
    '/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n' +
    '1 begincodespacerange\n<0000> <ffff>\nendcodespacerange\n';
  for (let i = 0; i < toUnicode.length; i += 100) {
    const chunk = toUnicode.slice(i, i + 100);
    cmap += `${chunk.length} beginbfchar\n${chunk.join('\n')}\nendbfchar\n`;
  }
  cmap += 'endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend';
  const ids = [...widthOf.keys()].sort((a, b) => a - b);
  const widths = `[${ids.map((id) => `${id} [${widthOf.get(id)}]`).join(' ')}]`;
  // The tag: six capitals derived from the subset's blocks, as PDF 9.6.4 asks.
  let h = 0;
  for (const c of key) h = (Math.imul(h, 31) + c.charCodeAt(0)) >>> 0;
  let tag = '';
  for (let i = 0; i < 6; i++, h = Math.floor(h / 26)) tag += String.fromCharCode(65 + (h % 26));
  const name = `${tag}+${(font.postscriptName ?? `DejaVuSans-${face}`).replace(/[^\x21-\x7e]|[/[\]()<>{}%#]/g, '')}`;
  const { minX, minY, maxX, maxY } = font.bbox;
  const r = (n: number): number => Math.round(n * scale);
  const descriptor =
    `/Type /FontDescriptor /FontName /${name} /Flags 4 ` +
    `/FontBBox [${r(minX)} ${r(minY)} ${r(maxX)} ${r(maxY)}] /ItalicAngle ${font.italicAngle} ` +
    `/Ascent ${r(font.ascent)} /Descent ${r(font.descent)} /CapHeight ${r(font.capHeight || font.ascent)} ` +
    `/XHeight ${r(font.xHeight || 0)} /StemV 0`;
  return {
    face,
    name,
    cid,
    width,
    fontFile,
    fontLength: raw.length,
    toUnicode: deflateSync(Buffer.from(cmap, 'latin1')),
    widths,
    descriptor,
    encoded: new Map(),
  };
}
