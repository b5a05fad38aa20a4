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

function svgDocument(body: string): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${cardWidthMm}mm" height="${cardHeightMm}mm" viewBox="0 0 ${W} ${H}">` +
    `<rect width="${W}" height="${H}" rx="32" fill="#ffffff" stroke="#1d3557" stroke-width="4"/>${body}</svg>`
  );
}

/** An SVG path drawing the QR's dark modules in a square of `sizeUnits` at (x, y). */
export function qrPath(qrText: string, x: number, y: number, sizeUnits: number): string {
  const qr = encodeQr(qrText);
  const quiet = 4;
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

// A label and its value; returns the SVG and the y below it.
function field(
  label: string,
  value: string,
  at: { x: number; y: number; width: number },
  preferred = 30,
): { svg: string; bottom: number } {
  const fitted = fitText(value, at.width, preferred);
  let svg = `<text x="${at.x}" y="${at.y}" ${font} font-size="17" fill="#555555">${escapeXml(label)}</text>`;
  let y = at.y + 4;
  for (const line of fitted.lines) {
    y += Math.round(fitted.size * 1.15);
    // textLength only where the estimate says the line is wider than its box.
    const squeeze =
      textWidthMax(line, fitted.size) > at.width
        ? ` textLength="${at.width}" lengthAdjust="spacingAndGlyphs"`
        : '';
    svg += `<text x="${at.x}" y="${y}" ${font} font-size="${fitted.size}" font-weight="bold" fill="#111111"${squeeze}>${escapeXml(line)}</text>`;
  }
  return { svg, bottom: y + 24 };
}

const sexLabels = { female: 'F', male: 'M', other: 'X' } as const;
const imageTypes = { jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp' } as const;

function photoImage(face: CardFace): string {
  if (!face.photo) return '';
  const { x, y, width, height } = photoBox;
  const href = `data:${imageTypes[face.photo.format]};base64,${bytesToBase64(face.photo.bytes)}`;
  return (
    `<rect x="${x - 2}" y="${y - 2}" width="${width + 4}" height="${height + 4}" fill="#e8edf3"/>` +
    `<image x="${x}" y="${y}" width="${width}" height="${height}" preserveAspectRatio="xMidYMid slice" href="${href}"/>`
  );
}

/** The front of a card as SVG text. */
export function renderCardFrontSvg(card: CardArtwork): string {
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
  const body = [
    `<rect width="${W}" height="70" rx="32" fill="#1d3557"/><rect y="38" width="${W}" height="32" fill="#1d3557"/>`,
    `<text x="36" y="48" ${font} font-size="30" font-weight="bold" fill="#ffffff">${escapeXml(card.title ?? texts.title)}</text>`,
    photoImage(face),
    surnames.svg,
    given.svg,
    registry.svg,
    field(texts.dateOfBirth, face.dateOfBirth, { x: 36, y: row2, ...half }, 26).svg,
    face.sex ? field(texts.sex, sexLabels[face.sex], { x: 260, y: row2, ...half }, 26).svg : '',
    field(texts.expires, card.expiresAt.toISOString().slice(0, 10), { x: 36, y: row3, ...half }, 26)
      .svg,
    field(texts.cardNumber, String(card.serial), { x: 260, y: row3, ...half }, 26).svg,
    qrPath(card.qrText, frontQrBox.x, frontQrBox.y, frontQrBox.size),
  ];
  return svgDocument(body.join(''));
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

function paragraph(text: string, x: number, y: number, size: number, charsPerLine: number): string {
  return wrap(text, charsPerLine)
    .map(
      (line, i) =>
        `<text x="${x}" y="${y + i * size * 1.3}" ${font} font-size="${size}" fill="#111111">${escapeXml(line)}</text>`,
    )
    .join('');
}

/** The back of a card as SVG text. */
export function renderCardBackSvg(card: CardArtwork): string {
  const texts = cardTexts[card.language ?? 'es'];
  const issuer = card.issuerName ?? texts.defaultIssuerName;
  const report = card.reportLost ?? texts.defaultReportLost;
  const body = [
    `<text x="36" y="70" ${font} font-size="28" font-weight="bold" fill="#1d3557">${escapeXml(texts.aboutTitle)}</text>`,
    paragraph(texts.about(issuer), 36, 120, 22, 66),
    `<text x="36" y="350" ${font} font-size="24" font-weight="bold" fill="#1d3557">${escapeXml(texts.lostTitle)}</text>`,
    paragraph(texts.lost(report, card.serial), 36, 390, 22, 66),
  ];
  return svgDocument(body.join(''));
}
