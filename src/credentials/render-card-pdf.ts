// Print-ready PDFs: a single ID-1 card (front and back pages), and A4 sheets of eight cards
// with crop marks, backs on the following page mirrored for long-edge duplex. Faces are
// embedded as 300 dpi rasters (card printers' native resolution) of the same SVG, so every
// script renders as on screen; identical faces are embedded once per document.
import { PDFDocument, rgb } from 'pdf-lib';
import type { PDFImage, PDFPage } from 'pdf-lib';
import { renderCardPng } from './render-card-png';
import { drawCardVector, embedVectorFonts } from './render-card-vector';
import {
  cardHeightMm,
  cardWidthMm,
  renderCardBackSvg,
  renderCardFrontSvg,
} from './render-card-svg';
import type { CardArtwork } from './render-card-svg';

const pt = (mm: number): number => (mm / 25.4) * 72;
const printDpi = 300;
const a4 = { width: pt(210), height: pt(297) };
const columns = 2;
const rows = 4;
const gutterMm = 10;
const cropMarkMm = 4;

/** Cards on one A4 sheet. */
export const cardsPerSheet = columns * rows;

type ImageCache = Map<string, PDFImage>;

async function drawFace(
  doc: PDFDocument,
  cache: ImageCache,
  page: PDFPage,
  svg: string,
  x: number,
  y: number,
): Promise<void> {
  let image = cache.get(svg);
  if (!image) {
    image = await doc.embedPng(renderCardPng(svg, printDpi));
    cache.set(svg, image);
  }
  page.drawImage(image, { x, y, width: pt(cardWidthMm), height: pt(cardHeightMm) });
}

/** A PDF of one card: page 1 the front, page 2 the back, each exactly 85.6 × 54 mm. */
export async function renderCardPdf(card: CardArtwork): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.setTitle(`Card ${card.serial}`);
  const cache: ImageCache = new Map();
  for (const svg of [renderCardFrontSvg(card), renderCardBackSvg(card)]) {
    const page = doc.addPage([pt(cardWidthMm), pt(cardHeightMm)]);
    await drawFace(doc, cache, page, svg, 0, 0);
  }
  return doc.save();
}

function cropMarks(page: PDFPage, x: number, y: number): void {
  const w = pt(cardWidthMm);
  const h = pt(cardHeightMm);
  const len = pt(cropMarkMm);
  const gap = pt(1);
  const line = (sx: number, sy: number, ex: number, ey: number): void =>
    page.drawLine({
      start: { x: sx, y: sy },
      end: { x: ex, y: ey },
      thickness: 0.25,
      color: rgb(0, 0, 0),
    });
  for (const cx of [x, x + w]) {
    for (const cy of [y, y + h]) {
      const dx = cx === x ? -1 : 1;
      const dy = cy === y ? -1 : 1;
      line(cx + dx * gap, cy, cx + dx * (gap + len), cy);
      line(cx, cy + dy * gap, cx, cy + dy * (gap + len));
    }
  }
}

function slot(index: number, isBack: boolean): { x: number; y: number } {
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

/**
 * A4 sheets of cards with crop marks; with `includeBacks`, each front sheet is followed by its
 * backs. With `vector`, faces are drawn as vectors and text (render-card-vector.ts), a face it
 * cannot draw falling back to the 300 dpi raster: the bulk print path, hundreds of times faster.
 */
export async function renderCardSheetPdf(
  cards: readonly CardArtwork[],
  options: { includeBacks?: boolean; vector?: boolean } = {},
): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.setTitle('Card sheet');
  const cache: ImageCache = new Map();
  const fonts = options.vector ? await embedVectorFonts(doc) : null;
  for (let start = 0; start < cards.length; start += cardsPerSheet) {
    const batch = cards.slice(start, start + cardsPerSheet);
    for (const isBack of options.includeBacks ? [false, true] : [false]) {
      const page = doc.addPage([a4.width, a4.height]);
      for (const [i, card] of batch.entries()) {
        const { x, y } = slot(i, isBack);
        const svg = isBack ? renderCardBackSvg(card) : renderCardFrontSvg(card);
        const top = y + pt(cardHeightMm);
        if (!fonts || !drawCardVector(page, fonts, svg, x, top, pt(cardWidthMm))) {
          await drawFace(doc, cache, page, svg, x, y);
        }
        cropMarks(page, x, y);
      }
    }
  }
  return doc.save();
}
