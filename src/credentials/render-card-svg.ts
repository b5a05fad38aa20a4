// Card faces as SVG at ID-1 size (85.6 × 54 mm; one user unit is 0.1 mm). The front shows
// exactly what the QR signs (principle 4) and nothing else; the back says what the card is,
// that it is never required for an entitlement (principle 2), and how to report it lost.
import { encodeQr } from './encode-qr';
import type { CardFace } from './types';

/** ID-1 card width and height in millimetres. */
export const cardWidthMm = 85.6;
/** ID-1 card height in millimetres. */
export const cardHeightMm = 54;

/** What the renderer needs beyond the card face. */
export interface CardArtwork {
  face: CardFace;
  qrText: string;
  serial: number;
  expiresAt: Date;
  /** Deployment texts: the card's title, the issuer's name, how to report a lost card. */
  title?: string;
  issuerName?: string;
  reportLost?: string;
}

const W = 856;
const H = 540;
const font = `font-family="DejaVu Sans, Arial, Helvetica, sans-serif"`;

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

function field(label: string, value: string, x: number, y: number, size = 30): string {
  return (
    `<text x="${x}" y="${y}" ${font} font-size="17" fill="#555555">${escapeXml(label)}</text>` +
    `<text x="${x}" y="${y + size + 4}" ${font} font-size="${size}" font-weight="bold" fill="#111111">${escapeXml(value)}</text>`
  );
}

function fitSize(text: string, widthUnits: number, preferred: number): number {
  // DejaVu Sans averages about 0.6 em a character; shrink long names to fit their box.
  return Math.max(16, Math.min(preferred, Math.floor(widthUnits / (0.6 * [...text].length))));
}

const sexLabels = { female: 'F', male: 'M', other: 'X' } as const;

/** The front of a card as SVG text. */
export function renderCardFrontSvg(card: CardArtwork): string {
  const { face } = card;
  const textWidth = 470;
  const qrSize = 330;
  const body = [
    `<rect width="${W}" height="70" rx="32" fill="#1d3557"/><rect y="38" width="${W}" height="32" fill="#1d3557"/>`,
    `<text x="36" y="48" ${font} font-size="30" font-weight="bold" fill="#ffffff">${escapeXml(card.title ?? 'Identity card')}</text>`,
    field('Surnames', face.surnames, 36, 110, fitSize(face.surnames, textWidth, 34)),
    field('Given names', face.givenNames, 36, 185, fitSize(face.givenNames, textWidth, 34)),
    field('Registry number', face.registryNumber, 36, 260),
    field('Date of birth', face.dateOfBirth, 36, 335, 26),
    face.sex ? field('Sex', sexLabels[face.sex], 260, 335, 26) : '',
    field('Expires', card.expiresAt.toISOString().slice(0, 10), 36, 410, 26),
    field('Card no.', String(card.serial), 260, 410, 26),
    qrPath(card.qrText, W - qrSize - 24, 100, qrSize),
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
  const issuer = card.issuerName ?? 'the issuing authority';
  const report = card.reportLost ?? 'at any registration office';
  const body = [
    `<text x="36" y="70" ${font} font-size="28" font-weight="bold" fill="#1d3557">About this card</text>`,
    paragraph(
      `This card was issued by ${issuer}. Its QR code holds only what is printed on the front, signed so that anyone can check it offline. No benefit may be refused because you do not carry it: you can always prove who you are another way.`,
      36,
      120,
      22,
      66,
    ),
    `<text x="36" y="350" ${font} font-size="24" font-weight="bold" fill="#1d3557">Lost or stolen?</text>`,
    paragraph(
      `Report it ${report}, quoting card no. ${card.serial}. It will be revoked and replaced.`,
      36,
      390,
      22,
      66,
    ),
  ];
  return svgDocument(body.join(''));
}
