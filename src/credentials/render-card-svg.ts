// Card faces as SVG at ID-1 size (85.6 × 54 mm; one user unit is 0.1 mm). The front shows
// exactly what the QR signs (principle 4) and nothing else; the back says what the card is,
// that it is never required for an entitlement (principle 2), and how to report it lost.
// Every word is in the deployment's card language (card-texts.ts).
//
// Names are fitted to their box, never past it: the box ends before the QR's quiet zone,
// and a name too long for one line wraps to two and shrinks, with widths estimated from
// DejaVu Sans Bold's widest glyphs (measured with resvg), so the estimate is never short.
import { bytesToBase64 } from './bytes';
import { cardTexts } from './card-texts';
import type { CardLanguage } from './card-texts';
import { encodeQr } from './encode-qr';
import type { CardFace } from './types';

/** ID-1 card width and height in millimetres. */
export const cardWidthMm = 85.6;
/** ID-1 card height in millimetres. */
export const cardHeightMm = 54;

/** What the renderer needs beyond the card face. */
export interface CardArtwork {
  /** The face as signed: its photo is printed only when the QR carries it (includePhoto). */
  face: CardFace;
  qrText: string;
  serial: number;
  expiresAt: Date;
  /** The language every printed word is in; Spanish unless told. */
  language?: CardLanguage;
  /** Deployment texts: the card's title, the issuer's name, how to report a lost card. */
  title?: string;
  issuerName?: string;
  reportLost?: string;
}

const W = 856;
const H = 540;
const font = `font-family="DejaVu Sans, Arial, Helvetica, sans-serif"`;

/** Where the QR sits on the front, in user units: right-aligned, below the title band. */
export const frontQrBox = { x: W - 330 - 24, y: 100, size: 330 } as const;
/** The right edge of every text on the front: a gap before the QR's white square. */
export const frontTextRight = frontQrBox.x - 16;
const photoBox = { x: 36, y: 92, width: 132, height: 170 } as const;

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * What a card face is drawn with, in user units (0.1 mm, y downwards): the SVG is written
 * from these, and the vector print sheets (render-card-sheet.ts) draw the same list, so the
 * two cannot differ. `fixed` marks what does not depend on the card (its frame, title band,
 * the back's fixed words), which a sheet draws from one shared form.
 */
export type CardShape =
  | {
      kind: 'rect';
      x?: number;
      y?: number;
      width: number;
      height: number;
      rx?: number;
      fill: string;
      stroke?: string;
      strokeWidth?: number;
      fixed?: boolean;
    }
  | {
      kind: 'text';
      x: number;
      y: number;
      size: number;
      bold: boolean;
      fill: string;
      text: string;
      /** Squeezed to this width (SVG textLength, spacing and glyphs). */
      textLength?: number;
      fixed?: boolean;
    }
  /** The QR symbol of `qrText` with its quiet zone in a white square of `size` at (x, y). */
  | { kind: 'qr'; x: number; y: number; size: number; qrText: string }
  | { kind: 'photo'; svg: string };

/** The face's frame: a white card with a rounded border. */
const frameShape: CardShape = {
  kind: 'rect',
  width: W,
  height: H,
  rx: 32,
  fill: '#ffffff',
  stroke: '#1d3557',
  strokeWidth: 4,
  fixed: true,
};

function shapeSvg(shape: CardShape): string {
  switch (shape.kind) {
    case 'rect': {
      const at = (name: string, value: number | string | undefined): string =>
        value === undefined ? '' : ` ${name}="${value}"`;
      return (
        `<rect${at('x', shape.x)}${at('y', shape.y)}${at('width', shape.width)}${at('height', shape.height)}` +
        `${at('rx', shape.rx)}${at('fill', shape.fill)}${at('stroke', shape.stroke)}${at('stroke-width', shape.strokeWidth)}/>`
      );
    }
    case 'text': {
      const weight = shape.bold ? ' font-weight="bold"' : '';
      const squeeze =
        shape.textLength === undefined
          ? ''
          : ` textLength="${shape.textLength}" lengthAdjust="spacingAndGlyphs"`;
      return `<text x="${shape.x}" y="${shape.y}" ${font} font-size="${shape.size}"${weight} fill="${shape.fill}"${squeeze}>${escapeXml(shape.text)}</text>`;
    }
    case 'qr':
      return qrPath(shape.qrText, shape.x, shape.y, shape.size);
    case 'photo':
      return shape.svg;
  }
}

/** A card face as SVG text, from its shapes. */
export function cardShapesSvg(shapes: readonly CardShape[]): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${cardWidthMm}mm" height="${cardHeightMm}mm" viewBox="0 0 ${W} ${H}">` +
    shapes.map(shapeSvg).join('') +
    `</svg>`
  );
}

/** The quiet zone around a card's QR symbol, in modules. */
export const qrQuietModules = 4;

/** An SVG path drawing the QR's dark modules in a square of `sizeUnits` at (x, y). */
export function qrPath(qrText: string, x: number, y: number, sizeUnits: number): string {
  const qr = encodeQr(qrText);
  const quiet = qrQuietModules;
  const module = sizeUnits / (qr.size + 2 * quiet);
  let d = '';
  for (let row = 0; row < qr.size; row++) {
    for (let col = 0; col < qr.size; col++) {
      if (qr.isDark(row, col)) d += `M${col + quiet} ${row + quiet}h1v1h-1z`;
    }
  }
  return (
    `<rect x="${x}" y="${y}" width="${sizeUnits}" height="${sizeUnits}" fill="#ffffff"/>` +
    `<path transform="translate(${x} ${y}) scale(${module})" fill="#000000" shape-rendering="crispEdges" d="${d}"/>`
  );
}

// Advance widths in em of DejaVu Sans Bold, rounded up by class: W is 1.10 and Ж 1.22, the
// widest measured; capitals are at most 0.86 beside them, other letters and digits 0.72.
function charEm(char: string): number {
  if (
    /[WMmwЖШЩЮжшщюÆŒæœ@%—]/u.test(char) ||
    /[\u1100-\u9fff\uac00-\ud7af\uf900-\uffef]/u.test(char)
  )
    return 1.25;
  if (char === ' ') return 0.38;
  if (/[iIjlft.,:;'|!()-]/.test(char)) return 0.5;
  if (/\p{Lu}/u.test(char)) return 0.9;
  return 0.8;
}

/** The widest `text` may draw at `size` user units in the card's bold font. */
export function textWidthMax(text: string, size: number): number {
  let em = 0;
  for (const char of text) em += charEm(char);
  return em * size;
}

// Greedy lines of at most `width`; a word wider than a line is broken between characters.
function wrapToWidth(text: string, size: number, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  const push = (word: string): void => {
    const candidate = line ? `${line} ${word}` : word;
    if (textWidthMax(candidate, size) <= width) {
      line = candidate;
      return;
    }
    if (line) lines.push(line);
    line = '';
    if (textWidthMax(word, size) <= width) {
      line = word;
      return;
    }
    for (const char of word) {
      if (line && textWidthMax(line + char, size) > width) {
        lines.push(line);
        line = '';
      }
      line += char;
    }
  };
  for (const word of text.split(' ').filter((w) => w !== '')) push(word);
  return line ? [...lines, line] : lines;
}

/** How a value is set in its box: the font size and its lines (one or two). */
export interface FittedText {
  size: number;
  lines: string[];
}

/** The largest size, from `preferred` down to 16, at which `text` fits `width` in one line, else in two. */
export function fitText(text: string, width: number, preferred: number): FittedText {
  for (let size = preferred; size >= 24; size -= 1) {
    if (textWidthMax(text, size) <= width) return { size, lines: [text] };
  }
  for (let size = Math.min(preferred, 28); size >= 16; size -= 1) {
    const lines = wrapToWidth(text, size, width);
    if (lines.length <= 2) return { size, lines };
  }
  // Past every name limit (64 characters of the widest glyphs fit): the last line is
  // compressed to its box by the renderer rather than allowed to run on.
  const lines = wrapToWidth(text, 16, width);
  return { size: 16, lines: [lines[0] ?? '', lines.slice(1).join(' ')] };
}

// A label and its value; returns its shapes and the y below it.
function field(
  label: string,
  value: string,
  at: { x: number; y: number; width: number },
  preferred = 30,
): { shapes: CardShape[]; bottom: number } {
  const fitted = fitText(value, at.width, preferred);
  const shapes: CardShape[] = [
    { kind: 'text', x: at.x, y: at.y, size: 17, bold: false, fill: '#555555', text: label },
  ];
  let y = at.y + 4;
  for (const line of fitted.lines) {
    y += Math.round(fitted.size * 1.15);
    // textLength only where the estimate says the line is wider than its box.
    const squeeze = textWidthMax(line, fitted.size) > at.width;
    shapes.push({
      kind: 'text',
      x: at.x,
      y,
      size: fitted.size,
      bold: true,
      fill: '#111111',
      text: line,
      ...(squeeze ? { textLength: at.width } : {}),
    });
  }
  return { shapes, bottom: y + 24 };
}

const sexLabels = { female: 'F', male: 'M', other: 'X' } as const;
const imageTypes = { jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp' } as const;

function photoImage(face: CardFace): CardShape[] {
  if (!face.photo) return [];
  const { x, y, width, height } = photoBox;
  const href = `data:${imageTypes[face.photo.format]};base64,${bytesToBase64(face.photo.bytes)}`;
  return [
    { kind: 'rect', x: x - 2, y: y - 2, width: width + 4, height: height + 4, fill: '#e8edf3' },
    {
      kind: 'photo',
      svg: `<image x="${x}" y="${y}" width="${width}" height="${height}" preserveAspectRatio="xMidYMid slice" href="${href}"/>`,
    },
  ];
}

/** The front of a card as shapes. */
export function cardFrontShapes(card: CardArtwork): CardShape[] {
  const { face } = card;
  const texts = cardTexts[card.language ?? 'es'];
  const hasPhoto = face.photo !== undefined;
  // With a photo, the names stand beside it and the other fields below both.
  const nameX = hasPhoto ? photoBox.x + photoBox.width + 16 : 36;
  const nameWidth = frontTextRight - nameX;
  const surnames = field(texts.surnames, face.surnames, { x: nameX, y: 110, width: nameWidth }, 34);
  const given = field(
    texts.givenNames,
    face.givenNames,
    { x: nameX, y: surnames.bottom, width: nameWidth },
    34,
  );
  const width = frontTextRight - 36;
  const top = Math.max(given.bottom, hasPhoto ? photoBox.y + photoBox.height + 28 : 0) + 6;
  const registry = field(texts.registryNumber, face.registryNumber, { x: 36, y: top, width });
  const row2 = registry.bottom;
  const row3 = row2 + 76;
  const half = { width: 200 };
  const title = card.title ?? texts.title;
  return [
    frameShape,
    { kind: 'rect', width: W, height: 70, rx: 32, fill: '#1d3557', fixed: true },
    { kind: 'rect', y: 38, width: W, height: 32, fill: '#1d3557', fixed: true },
    { kind: 'text', x: 36, y: 48, size: 30, bold: true, fill: '#ffffff', text: title, fixed: true },
    ...photoImage(face),
    ...surnames.shapes,
    ...given.shapes,
    ...registry.shapes,
    ...field(texts.dateOfBirth, face.dateOfBirth, { x: 36, y: row2, ...half }, 26).shapes,
    ...(face.sex
      ? field(texts.sex, sexLabels[face.sex], { x: 260, y: row2, ...half }, 26).shapes
      : []),
    ...field(
      texts.expires,
      card.expiresAt.toISOString().slice(0, 10),
      { x: 36, y: row3, ...half },
      26,
    ).shapes,
    ...field(texts.cardNumber, String(card.serial), { x: 260, y: row3, ...half }, 26).shapes,
    { kind: 'qr', x: frontQrBox.x, y: frontQrBox.y, size: frontQrBox.size, qrText: card.qrText },
  ];
}

/** The front of a card as SVG text. */
export function renderCardFrontSvg(card: CardArtwork): string {
  return cardShapesSvg(cardFrontShapes(card));
}

function wrap(text: string, charsPerLine: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && (line + ' ' + word).length > charsPerLine) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return line ? [...lines, line] : lines;
}

function paragraph(
  text: string,
  x: number,
  y: number,
  size: number,
  charsPerLine: number,
  fixed: boolean,
): CardShape[] {
  return wrap(text, charsPerLine).map((line, i) => ({
    kind: 'text' as const,
    x,
    y: y + i * size * 1.3,
    size,
    bold: false,
    fill: '#111111',
    text: line,
    ...(fixed ? { fixed } : {}),
  }));
}

/** The back of a card as shapes. */
export function cardBackShapes(card: CardArtwork): CardShape[] {
  const texts = cardTexts[card.language ?? 'es'];
  const issuer = card.issuerName ?? texts.defaultIssuerName;
  const report = card.reportLost ?? texts.defaultReportLost;
  const heading = (x: number, y: number, size: number, text: string): CardShape => ({
    kind: 'text',
    x,
    y,
    size,
    bold: true,
    fill: '#1d3557',
    text,
    fixed: true,
  });
  return [
    frameShape,
    heading(36, 70, 28, texts.aboutTitle),
    ...paragraph(texts.about(issuer), 36, 120, 22, 66, true),
    heading(36, 350, 24, texts.lostTitle),
    ...paragraph(texts.lost(report, card.serial), 36, 390, 22, 66, false),
  ];
}

/** The back of a card as SVG text. */
export function renderCardBackSvg(card: CardArtwork): string {
  return cardShapesSvg(cardBackShapes(card));
}
