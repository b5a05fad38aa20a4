// A card face drawn into a PDF page as vectors and real text, from the same SVG the other
// formats rasterise. Bulk print sheets need it: rasterising a face at 300 dpi costs about a
// quarter of a second (resvg loads the system fonts, renders, encodes a PNG that pdf-lib then
// decodes and compresses again), while drawing its dozen texts, rounded frames and the QR's
// module runs costs well under a millisecond — and prints sharper at any resolution.
//
// It reads only the SVG that render-card-svg.ts writes — rect, text and the QR path, in that
// vocabulary — and answers `false` for anything else (a photo, a character DejaVu Sans does not
// have), so that the caller rasterises that face instead. What is printed is therefore always
// the card's own SVG, drawn one way or the other.
import { readFileSync } from 'node:fs';
import fontkit from '@pdf-lib/fontkit';
import type { PDFDocument, PDFFont, PDFPage } from 'pdf-lib';
import { rgb } from 'pdf-lib';

/** The fonts a document's vector faces use, embedded once per document. */
export interface VectorFonts {
  regular: PDFFont;
  bold: PDFFont;
}

const fontDir = '/usr/share/fonts/truetype/dejavu';
let fontBytes: { regular: Uint8Array; bold: Uint8Array } | null | undefined;
let coverage: { hasGlyphForCodePoint(cp: number): boolean } | undefined;

/** DejaVu Sans and its bold (Debian's fonts-dejavu-core, resvg's font for the cards), if present. */
function dejaVu(): { regular: Uint8Array; bold: Uint8Array } | null {
  if (fontBytes !== undefined) return fontBytes;
  try {
    fontBytes = {
      regular: readFileSync(`${fontDir}/DejaVuSans.ttf`),
      bold: readFileSync(`${fontDir}/DejaVuSans-Bold.ttf`),
    };
    coverage = fontkit.create(fontBytes.bold as Buffer) as unknown as typeof coverage;
  } catch {
    fontBytes = null;
  }
  return fontBytes;
}

/** Embeds the fonts in `doc` (whole, not subset: subsetting costs more than it saves here). */
export async function embedVectorFonts(doc: PDFDocument): Promise<VectorFonts | null> {
  const bytes = dejaVu();
  if (!bytes) return null;
  doc.registerFontkit(fontkit);
  return {
    regular: remembering(await doc.embedFont(bytes.regular, { subset: true })),
    bold: remembering(await doc.embedFont(bytes.bold, { subset: true })),
  };
}

/**
 * The font, remembering each text's glyphs: fontkit shapes every string afresh, and a sheet
 * repeats most of its texts (the labels, the whole back but its serial) on every card.
 */
function remembering(font: PDFFont): PDFFont {
  const encode = font.encodeText.bind(font);
  const encoded = new Map<string, ReturnType<PDFFont['encodeText']>>();
  font.encodeText = (text) => {
    let hex = encoded.get(text);
    if (!hex) encoded.set(text, (hex = encode(text)));
    return hex;
  };
  return font;
}

const entities: Record<string, string> = {
  '&amp;': '&',
  '&lt;': '<',
  '&gt;': '>',
  '&quot;': '"',
  '&#39;': "'",
  '&apos;': "'",
};

function attributes(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of tag.matchAll(/([a-zA-Z-]+)="([^"]*)"/g)) out[m[1]!] = m[2]!;
  return out;
}

function colour(hex: string | undefined) {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex ?? '');
  if (!m) return undefined;
  return rgb(parseInt(m[1]!, 16) / 255, parseInt(m[2]!, 16) / 255, parseInt(m[3]!, 16) / 255);
}

/** An SVG path of a rectangle with corners of radius `r`, in SVG coordinates. */
function roundedRect(x: number, y: number, w: number, h: number, r: number): string {
  if (r <= 0) return `M${x} ${y}h${w}v${h}h${-w}z`;
  const k = r * 0.5523;
  return [
    `M${x + r} ${y}h${w - 2 * r}`,
    `c${k} 0 ${r} ${r - k} ${r} ${r}`,
    `v${h - 2 * r}`,
    `c0 ${k} ${k - r} ${r} ${-r} ${r}`,
    `h${-(w - 2 * r)}`,
    `c${-k} 0 ${-r} ${k - r} ${-r} ${-r}`,
    `v${-(h - 2 * r)}`,
    `c0 ${-k} ${r - k} ${-r} ${r} ${-r}z`,
  ].join('');
}

/** The QR's dark modules as one path of row runs, in module units. */
function qrRuns(d: string): string | null {
  const rows = new Map<number, number[]>();
  let count = 0;
  for (const m of d.matchAll(/M(\d+) (\d+)h1v1h-1z/g)) {
    const row = Number(m[2]);
    let cols = rows.get(row);
    if (!cols) rows.set(row, (cols = []));
    cols.push(Number(m[1]));
    count++;
  }
  // Every module must have been read: a path of another shape is not ours to redraw.
  if (count === 0 || d.replace(/M\d+ \d+h1v1h-1z/g, '') !== '') return null;
  let out = '';
  for (const [row, cols] of rows) {
    cols.sort((a, b) => a - b);
    for (let i = 0; i < cols.length;) {
      let j = i;
      while (j + 1 < cols.length && cols[j + 1] === cols[j]! + 1) j++;
      out += `M${cols[i]} ${row}h${j - i + 1}v1h${-(j - i + 1)}z`;
      i = j + 1;
    }
  }
  return out;
}

type Op = () => void;

/**
 * Draws the card `svg` on `page` with its top-left corner at (`left`, `top`) in PDF points and
 * `widthPt` wide. Returns false, drawing nothing, when the SVG holds anything it cannot draw.
 */
export function drawCardVector(
  page: PDFPage,
  fonts: VectorFonts,
  svg: string,
  left: number,
  top: number,
  widthPt: number,
): boolean {
  const viewBox = /viewBox="0 0 ([\d.]+) ([\d.]+)"/.exec(svg);
  if (!viewBox || !coverage) return false;
  const scale = widthPt / Number(viewBox[1]);
  const ops: Op[] = [];
  const body = svg.replace(/^<svg[^>]*>/, '').replace(/<\/svg>$/, '');
  const element = /<(rect|path)\b([^>]*)\/>|<text\b([^>]*)>([^<]*)<\/text>|(<[^>]+>)/g;
  for (const m of body.matchAll(element)) {
    if (m[5] !== undefined) return false; // an element of another kind: a photo, say
    if (m[1] === 'rect') {
      const a = attributes(m[2]!);
      const [x, y, w, h, r] = ['x', 'y', 'width', 'height', 'rx'].map((k) => Number(a[k] ?? 0));
      const fill = colour(a.fill);
      const stroke = colour(a.stroke);
      const path = roundedRect(x!, y!, w!, h!, r!);
      ops.push(() =>
        page.drawSvgPath(path, {
          x: left,
          y: top,
          scale,
          ...(fill ? { color: fill } : {}),
          ...(stroke
            ? { borderColor: stroke, borderWidth: Number(a['stroke-width'] ?? 1) * scale }
            : {}),
        }),
      );
    } else if (m[1] === 'path') {
      const a = attributes(m[2]!);
      const t = /^translate\(([\d.]+) ([\d.]+)\) scale\(([\d.]+)\)$/.exec(a.transform ?? '');
      const runs = qrRuns(a.d ?? '');
      if (!t || !runs) return false;
      const [tx, ty, module] = [Number(t[1]), Number(t[2]), Number(t[3])];
      ops.push(() =>
        page.drawSvgPath(runs, {
          x: left + tx * scale,
          y: top - ty * scale,
          scale: module * scale,
          color: colour(a.fill) ?? rgb(0, 0, 0),
        }),
      );
    } else {
      const a = attributes(m[3]!);
      const text = m[4]!.replace(/&(amp|lt|gt|quot|apos|#39);/g, (e) => entities[e]!);
      for (const char of text) {
        if (!coverage.hasGlyphForCodePoint(char.codePointAt(0)!)) return false;
      }
      const font = a['font-weight'] === 'bold' ? fonts.bold : fonts.regular;
      const size = Number(a['font-size']) * scale;
      let x = Number(a.x ?? 0) * scale;
      const anchor = a['text-anchor'];
      if (anchor === 'end' || anchor === 'middle') {
        const width = font.widthOfTextAtSize(text, size);
        x -= anchor === 'end' ? width : width / 2;
      }
      const y = top - Number(a.y ?? 0) * scale;
      const color = colour(a.fill) ?? rgb(0, 0, 0);
      ops.push(() => page.drawText(text, { x: left + x, y, size, font, color }));
    }
  }
  for (const op of ops) op();
  return true;
}
