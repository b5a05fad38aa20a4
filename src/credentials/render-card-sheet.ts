// Vector print sheets written directly as PDF: A4 pages of eight cards with crop marks, each
// front page followed by its backs (columns mirrored for a long-edge duplex flip). Each face is
// drawn from the same shapes its SVG is written from (render-card-svg.ts): rounded frames,
// texts in embedded DejaVu Sans, and the QR's dark modules as rectangles (runs of a row,
// merged down the rows they repeat in). What does not depend on the card — the frame, the
// title band, the back's fixed words — is one form per file, drawn under every card.
//
// pdf-lib drew the same sheet at about 20 ms a card: it re-parsed each face's SVG, built a path
// object per module run and a text object per word. Here a card is a few hundred bytes of
// content-stream text appended to its page, and the page compressed once by Node's zlib.
//
// A face holding what these shapes cannot draw — a photo, a character DejaVu Sans lacks — is
// rasterised at 300 dpi from its SVG by resvg instead, as the other formats are, and placed
// as an image; identical raster faces are embedded once per file.
import { deflateSync } from 'node:zlib';
import { Resvg } from '@resvg/resvg-js';
import { encodeQr } from './encode-qr';
import { cardDpiDefault } from './render-card-png';
import {
  cardBackShapes,
  cardFrontShapes,
  cardHeightMm,
  cardShapesSvg,
  cardWidthMm,
  qrQuietModules,
} from './render-card-svg';
import type { CardArtwork, CardShape } from './render-card-svg';
import { sheetFont, sheetFontCovers, sheetFontFaces } from './sheet-fonts';
import type { SheetFont, SheetFontFace } from './sheet-fonts';

/** Millimetres to PDF points. */
export const pt = (mm: number): number => (mm / 25.4) * 72;
/** An A4 page in points. */
export const a4 = { width: pt(210), height: pt(297) };
const columns = 2;
const rows = 4;
const gutterMm = 10;
const cropMarkMm = 4;

/** Cards on one A4 sheet. */
export const cardsPerSheet = columns * rows;

/** The bottom-left corner, in points, of card `index` of a page (fronts, or mirrored backs). */
export function sheetSlot(index: number, isBack: boolean): { x: number; y: number } {
  const col = index % columns;
  const row = Math.floor(index / columns);
  const width = columns * cardWidthMm + (columns - 1) * gutterMm;
  const height = rows * cardHeightMm + (rows - 1) * gutterMm;
  const left = (210 - width) / 2;
  const top = (297 - height) / 2;
  // Backs mirror the columns so that each back lands behind its front after a long-edge flip.
  const column = isBack ? columns - 1 - col : col;
  return {
    x: pt(left + column * (cardWidthMm + gutterMm)),
    y: a4.height - pt(top + row * (cardHeightMm + gutterMm) + cardHeightMm),
  };
}

/** The crop marks around a card at (x, y): eight segments [x1, y1, x2, y2] in points. */
export function cropMarkSegments(x: number, y: number): [number, number, number, number][] {
  const w = pt(cardWidthMm);
  const h = pt(cardHeightMm);
  const len = pt(cropMarkMm);
  const gap = pt(1);
  const out: [number, number, number, number][] = [];
  for (const cx of [x, x + w]) {
    for (const cy of [y, y + h]) {
      const dx = cx === x ? -1 : 1;
      const dy = cy === y ? -1 : 1;
      out.push([cx + dx * gap, cy, cx + dx * (gap + len), cy]);
      out.push([cx, cy + dy * gap, cx, cy + dy * (gap + len)]);
    }
  }
  return out;
}

/** A number as PDF content text: at most three decimals, no trailing zeros. */
function num(n: number): string {
  if (Number.isInteger(n)) return String(n);
  const s = n.toFixed(3);
  let end = s.length;
  while (s.charCodeAt(end - 1) === 48) end--;
  if (s.charCodeAt(end - 1) === 46) end--;
  return s.slice(0, end);
}

const colours = new Map<string, string>();
/** `#rrggbb` as PDF colour components. */
function rgb(hex: string): string {
  let out = colours.get(hex);
  if (out === undefined) {
    const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
    const c = m ? [m[1]!, m[2]!, m[3]!].map((h) => num(parseInt(h, 16) / 255)) : ['0', '0', '0'];
    out = c.join(' ');
    colours.set(hex, out);
  }
  return out;
}

/** A rectangle with corners of radius `r`, as path operators (in the face's units). */
function roundedRect(x: number, y: number, w: number, h: number, r: number): string {
  if (r <= 0) return `${num(x)} ${num(y)} ${num(w)} ${num(h)} re`;
  const k = r * 0.5523;
  const p = (...xs: number[]): string => xs.map(num).join(' ');
  return [
    `${p(x + r, y)} m`,
    `${p(x + w - r, y)} l`,
    `${p(x + w - r + k, y, x + w, y + r - k, x + w, y + r)} c`,
    `${p(x + w, y + h - r)} l`,
    `${p(x + w, y + h - r + k, x + w - r + k, y + h, x + w - r, y + h)} c`,
    `${p(x + r, y + h)} l`,
    `${p(x + r - k, y + h, x, y + h - r + k, x, y + h - r)} c`,
    `${p(x, y + r)} l`,
    `${p(x, y + r - k, x + r - k, y, x + r, y)} c h`,
  ].join(' ');
}

let rectBuffer = Buffer.alloc(1 << 16);

/**
 * The QR's dark modules as `re` operators in module units (quiet zone included): each row's
 * runs, merged down the rows where the same run repeats. Written as ASCII bytes directly, as
 * a sheet writes some 800 of them a card.
 */
export function qrRectangles(qrText: string): { modules: number; ops: Buffer } {
  const { size, modules } = encodeQr(qrText);
  const q = qrQuietModules;
  // Every rectangle needs at most 16 bytes ("ccc rrr ww hh re\n").
  if (rectBuffer.length < size * size * 16) rectBuffer = Buffer.alloc(size * size * 16);
  const out = rectBuffer;
  let at = 0;
  const digits = (n: number): void => {
    if (n >= 100) out[at++] = 48 + Math.floor(n / 100);
    if (n >= 10) out[at++] = 48 + (Math.floor(n / 10) % 10);
    out[at++] = 48 + (n % 10);
  };
  // For each start column, the width and height of the run open there (width 0: none).
  const width = new Uint16Array(size);
  const height = new Uint16Array(size);
  const top = new Uint16Array(size);
  const close = (col: number): void => {
    digits(col + q);
    out[at++] = 32;
    digits(top[col]! + q);
    out[at++] = 32;
    digits(width[col]!);
    out[at++] = 32;
    digits(height[col]!);
    out[at++] = 32;
    out[at++] = 114; // r
    out[at++] = 101; // e
    out[at++] = 10;
    width[col] = 0;
  };
  for (let row = 0; row < size; row++) {
    const line = row * size;
    let col = 0;
    while (col < size) {
      if (modules[line + col] === 0) {
        if (width[col]) close(col);
        col++;
        continue;
      }
      let end = col + 1;
      while (end < size && modules[line + end] === 1) end++;
      const w = end - col;
      if (width[col] === w) height[col]!++;
      else {
        if (width[col]) close(col);
        width[col] = w;
        height[col] = 1;
        top[col] = row;
      }
      for (let k = col + 1; k < end; k++) if (width[k]) close(k);
      col = end;
    }
  }
  for (let col = 0; col < size; col++) if (width[col]) close(col);
  return { modules: size + 2 * q, ops: Buffer.from(out.subarray(0, at)) };
}

/** What a face draws with: each text's font must cover it, and no photo. */
function drawable(shapes: readonly CardShape[]): boolean {
  for (const shape of shapes) {
    if (shape.kind === 'photo') return false;
    if (shape.kind === 'text' && !sheetFontCovers(shape.bold ? 'bold' : 'regular', shape.text)) {
      return false;
    }
  }
  return true;
}

interface Fonts {
  regular: SheetFont;
  bold: SheetFont;
}

/** `text` as a hex string of the font's CIDs, and its advance in thousandths of an em. */
function encodeText(font: SheetFont, text: string): string {
  let hex = font.encoded.get(text);
  if (hex === undefined) {
    hex = '';
    for (const char of text) {
      const cid = font.cid.get(char.codePointAt(0)!) ?? 0;
      hex += cid.toString(16).padStart(4, '0');
    }
    if (font.encoded.size > 20_000) font.encoded.clear();
    font.encoded.set(text, hex);
  }
  return hex;
}

function textAdvance(font: SheetFont, text: string): number {
  let w = 0;
  for (const char of text) w += font.width.get(char.codePointAt(0)!) ?? 0;
  return w;
}

/** Content operators for `shapes`, in the face's units with y downwards. */
function shapeOps(shapes: readonly CardShape[], fonts: Fonts, chunks: Buffer[]): void {
  let ops = '';
  for (const shape of shapes) {
    switch (shape.kind) {
      case 'rect': {
        const path = roundedRect(
          shape.x ?? 0,
          shape.y ?? 0,
          shape.width,
          shape.height,
          shape.rx ?? 0,
        );
        ops += `${rgb(shape.fill)} rg\n`;
        if (shape.stroke) {
          ops += `${rgb(shape.stroke)} RG ${num(shape.strokeWidth ?? 1)} w\n${path} B\n`;
        } else ops += `${path} f\n`;
        break;
      }
      case 'text': {
        const font = shape.bold ? fonts.bold : fonts.regular;
        const ref = shape.bold ? '/F2' : '/F1';
        let scale = '';
        if (shape.textLength !== undefined) {
          const natural = (textAdvance(font, shape.text) * shape.size) / 1000;
          if (natural > 0) scale = `${num((100 * shape.textLength) / natural)} Tz `;
        }
        ops +=
          `BT ${ref} ${num(shape.size)} Tf ${rgb(shape.fill)} rg ${scale}` +
          `1 0 0 -1 ${num(shape.x)} ${num(shape.y)} Tm <${encodeText(font, shape.text)}> Tj` +
          `${scale ? ' 100 Tz' : ''} ET\n`;
        break;
      }
      case 'qr': {
        const { modules, ops: rects } = qrRectangles(shape.qrText);
        const m = shape.size / modules;
        ops +=
          `1 1 1 rg ${num(shape.x)} ${num(shape.y)} ${num(shape.size)} ${num(shape.size)} re f\n` +
          `q ${num(m)} 0 0 ${num(m)} ${num(shape.x)} ${num(shape.y)} cm 0 0 0 rg\n`;
        chunks.push(Buffer.from(ops, 'latin1'), rects);
        ops = 'f Q\n';
        break;
      }
      case 'photo':
        throw new Error('a photo is drawn as a raster face');
    }
  }
  chunks.push(Buffer.from(ops, 'latin1'));
}

/** The operators of `shapes` as one buffer. */
function shapeBytes(shapes: readonly CardShape[], fonts: Fonts): Buffer {
  const chunks: Buffer[] = [];
  shapeOps(shapes, fonts, chunks);
  return Buffer.concat(chunks);
}

/** A face to place: its shapes, or a raster of its SVG. */
interface Face {
  shapes: CardShape[];
  vector: boolean;
}

/** The compressed RGB pixels of `svg` at 300 dpi, for a face the shapes cannot draw. */
function rasterFace(svg: string): { width: number; height: number; data: Buffer } {
  const widthPx = Math.round((cardWidthMm / 25.4) * cardDpiDefault);
  const image = new Resvg(svg, {
    fitTo: { mode: 'width', value: widthPx },
    background: '#ffffff',
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' },
    shapeRendering: 1,
  }).render();
  const rgba = image.pixels;
  const rgbBytes = Buffer.alloc(image.width * image.height * 3);
  for (let i = 0, j = 0; i < rgba.length; i += 4, j += 3) {
    rgbBytes[j] = rgba[i]!;
    rgbBytes[j + 1] = rgba[i + 1]!;
    rgbBytes[j + 2] = rgba[i + 2]!;
  }
  return { width: image.width, height: image.height, data: deflateSync(rgbBytes) };
}

/** A PDF file under construction: numbered objects, written with their cross-reference. */
class PdfFile {
  private readonly objects: (Buffer | undefined)[] = [undefined];

  allocate(): number {
    this.objects.push(undefined);
    return this.objects.length - 1;
  }

  set(id: number, dict: string, stream?: Buffer): void {
    this.objects[id] = stream
      ? Buffer.concat([
          Buffer.from(`${id} 0 obj\n<< ${dict} /Length ${stream.length} >>\nstream\n`, 'latin1'),
          stream,
          Buffer.from('\nendstream\nendobj\n', 'latin1'),
        ])
      : Buffer.from(`${id} 0 obj\n${dict}\nendobj\n`, 'latin1');
  }

  add(dict: string, stream?: Buffer): number {
    const id = this.allocate();
    this.set(id, dict, stream);
    return id;
  }

  bytes(root: number, info: number): Uint8Array {
    const head = Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1');
    const parts: Buffer[] = [head];
    let offset = head.length;
    let xref = `xref\n0 ${this.objects.length}\n0000000000 65535 f \n`;
    for (let id = 1; id < this.objects.length; id++) {
      const obj = this.objects[id];
      if (!obj) throw new Error(`PDF object ${id} was never written`);
      xref += `${String(offset).padStart(10, '0')} 00000 n \n`;
      parts.push(obj);
      offset += obj.length;
    }
    parts.push(
      Buffer.from(
        `${xref}trailer\n<< /Size ${this.objects.length} /Root ${root} 0 R /Info ${info} 0 R >>\n` +
          `startxref\n${offset}\n%%EOF\n`,
        'latin1',
      ),
    );
    return Buffer.concat(parts);
  }
}

/** Whether this machine can draw vector sheets (DejaVu Sans is installed). */
export function vectorSheetsAvailable(): boolean {
  return sheetFontFaces() !== null;
}

/**
 * A4 vector print sheets of `cards`, written directly as PDF; with `includeBacks`, each page of
 * fronts is followed by its backs.
 */
export async function renderCardSheetVectorPdf(
  cards: readonly CardArtwork[],
  options: { includeBacks?: boolean; compression?: number } = {},
): Promise<Uint8Array> {
  const sides = options.includeBacks ? [false, true] : [false];
  const faces: Face[][] = cards.map((card) =>
    sides.map((isBack) => {
      const shapes = isBack ? cardBackShapes(card) : cardFrontShapes(card);
      return { shapes, vector: drawable(shapes) };
    }),
  );
  // The code points each font must cover.
  const used: Record<SheetFontFace, Set<number>> = { regular: new Set(), bold: new Set() };
  const seen = new Set<string>();
  for (const card of faces) {
    for (const face of card) {
      if (!face.vector) continue;
      for (const shape of face.shapes) {
        if (shape.kind !== 'text' || seen.has(shape.text + shape.bold)) continue;
        seen.add(shape.text + shape.bold);
        const set = used[shape.bold ? 'bold' : 'regular'];
        for (const char of shape.text) set.add(char.codePointAt(0)!);
      }
    }
  }
  used.regular.add(0x20);
  used.bold.add(0x20);
  const fonts: Fonts = {
    regular: await sheetFont('regular', used.regular),
    bold: await sheetFont('bold', used.bold),
  };

  const pdf = new PdfFile();
  const catalog = pdf.allocate();
  const pagesId = pdf.allocate();
  const resources = pdf.allocate();
  const info = pdf.add('<< /Title (Card sheet) /Producer (Tessera) >>');
  // Level 1: the content is mostly QR rectangles, and level 6 halves the speed for a
  // quarter fewer bytes.
  const level = options.compression ?? 1;
  const fontRefs: string[] = [];
  for (const [ref, font] of [
    ['F1', fonts.regular],
    ['F2', fonts.bold],
  ] as const) {
    const file = pdf.add(`/Filter /FlateDecode /Length1 ${font.fontLength}`, font.fontFile);
    const descriptor = pdf.add(`<< ${font.descriptor} /FontFile2 ${file} 0 R >>`);
    const cid = pdf.add(
      `<< /Type /Font /Subtype /CIDFontType2 /BaseFont /${font.name} /CIDToGIDMap /Identity ` +
        `/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> ` +
        `/FontDescriptor ${descriptor} 0 R /W ${font.widths} >>`,
    );
    const toUnicode = pdf.add('/Filter /FlateDecode', font.toUnicode);
    const type0 = pdf.add(
      `<< /Type /Font /Subtype /Type0 /BaseFont /${font.name} /Encoding /Identity-H ` +
        `/DescendantFonts [${cid} 0 R] /ToUnicode ${toUnicode} 0 R >>`,
    );
    fontRefs.push(`/${ref} ${type0} 0 R`);
  }

  // Forms of the fixed leading shapes, and raster faces, each written once.
  const xobjects = new Map<string, string>(); // content or SVG → resource name
  const xobjectRefs: string[] = [];
  const form = (bytes: Buffer): string => {
    const ops = bytes.toString('latin1');
    let name = xobjects.get(ops);
    if (!name) {
      name = `Fx${xobjects.size + 1}`;
      const id = pdf.add(
        `/Type /XObject /Subtype /Form /BBox [0 0 856 540] /Resources ${resources} 0 R /Filter /FlateDecode`,
        deflateSync(bytes, { level }),
      );
      xobjects.set(ops, name);
      xobjectRefs.push(`/${name} ${id} 0 R`);
    }
    return name;
  };
  const raster = (svg: string): string => {
    let name = xobjects.get(svg);
    if (!name) {
      name = `Im${xobjects.size + 1}`;
      const image = rasterFace(svg);
      const id = pdf.add(
        `/Type /XObject /Subtype /Image /Width ${image.width} /Height ${image.height} ` +
          `/ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /FlateDecode`,
        image.data,
      );
      xobjects.set(svg, name);
      xobjectRefs.push(`/${name} ${id} 0 R`);
    }
    return name;
  };

  const scale = num(pt(cardWidthMm) / 856);
  const cardW = num(pt(cardWidthMm));
  const cardH = num(pt(cardHeightMm));
  const pageIds: number[] = [];
  for (let start = 0; start < cards.length; start += cardsPerSheet) {
    const batch = faces.slice(start, start + cardsPerSheet);
    for (const [side, isBack] of sides.entries()) {
      const content: Buffer[] = [];
      for (const [i, card] of batch.entries()) {
        const face = card[side]!;
        const { x, y } = sheetSlot(i, isBack);
        if (face.vector) {
          let fixed = 0;
          while (fixed < face.shapes.length && isFixed(face.shapes[fixed]!)) fixed++;
          const name = fixed > 0 ? form(shapeBytes(face.shapes.slice(0, fixed), fonts)) : '';
          content.push(
            Buffer.from(
              `q ${scale} 0 0 -${scale} ${num(x)} ${num(y + pt(cardHeightMm))} cm\n` +
                (name ? `/${name} Do\n` : ''),
              'latin1',
            ),
          );
          shapeOps(face.shapes.slice(fixed), fonts, content);
          content.push(Buffer.from('Q\n', 'latin1'));
        } else {
          const name = raster(cardShapesSvg(face.shapes));
          content.push(
            Buffer.from(`q ${cardW} 0 0 ${cardH} ${num(x)} ${num(y)} cm /${name} Do Q\n`, 'latin1'),
          );
        }
      }
      content.push(cropMarks(batch.length, isBack));
      const stream = pdf.add(
        '/Filter /FlateDecode',
        deflateSync(Buffer.concat(content), { level }),
      );
      pageIds.push(
        pdf.add(
          `<< /Type /Page /Parent ${pagesId} 0 R /MediaBox [0 0 ${num(a4.width)} ${num(a4.height)}] ` +
            `/Resources ${resources} 0 R /Contents ${stream} 0 R >>`,
        ),
      );
    }
  }
  pdf.set(
    resources,
    `<< /ProcSet [/PDF /Text /ImageC] /Font << ${fontRefs.join(' ')} >> /XObject << ${xobjectRefs.join(' ')} >> >>`,
  );
  pdf.set(
    pagesId,
    `<< /Type /Pages /Kids [${pageIds.map((id) => `${id} 0 R`).join(' ')}] /Count ${pageIds.length} >>`,
  );
  pdf.set(catalog, `<< /Type /Catalog /Pages ${pagesId} 0 R >>`);
  return pdf.bytes(catalog, info);
}

const cropMarkOps = new Map<string, Buffer>();

/** The crop marks of a page of `count` cards, the same on every such page. */
function cropMarks(count: number, isBack: boolean): Buffer {
  const key = `${count}${isBack}`;
  let ops = cropMarkOps.get(key);
  if (!ops) {
    let text = '0 0 0 RG 0.25 w\n';
    for (let i = 0; i < count; i++) {
      const { x, y } = sheetSlot(i, isBack);
      for (const [x1, y1, x2, y2] of cropMarkSegments(x, y)) {
        text += `${num(x1)} ${num(y1)} m ${num(x2)} ${num(y2)} l S\n`;
      }
    }
    ops = Buffer.from(text, 'latin1');
    cropMarkOps.set(key, ops);
  }
  return ops;
}

function isFixed(shape: CardShape): boolean {
  return (shape.kind === 'rect' || shape.kind === 'text') && shape.fixed === true;
}
