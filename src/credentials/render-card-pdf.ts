// Print-ready PDFs: a single ID-1 card (front and back pages), and A4 sheets of eight cards
// with crop marks, backs on the following page mirrored for long-edge duplex. Faces are
// embedded as 300 dpi rasters (card printers' native resolution) of the same SVG, so every
// script renders as on screen; identical faces are embedded once per document.
import { PDFDocument, rgb } from 'pdf-lib';
import type { PDFImage, PDFPage } from 'pdf-lib';
import { renderCardPng } from './render-card-png';
import {
  a4,
  cardsPerSheet,
  cropMarkSegments,
  pt,
  renderCardSheetVectorPdf,
  sheetSlot,
  vectorSheetsAvailable,
} from './render-card-sheet';
import {
  cardHeightMm,
  cardWidthMm,
  renderCardBackSvg,
  renderCardFrontSvg,
} from './render-card-svg';
import type { CardArtwork } from './render-card-svg';

const printDpi = 300;

export { cardsPerSheet };

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
  for (const [x1, y1, x2, y2] of cropMarkSegments(x, y)) {
    page.drawLine({
      start: { x: x1, y: y1 },
      end: { x: x2, y: y2 },
      thickness: 0.25,
      color: rgb(0, 0, 0),
    });
  }
}

/**
 * A4 sheets of cards with crop marks; with `includeBacks`, each front sheet is followed by its
 * backs. With `vector`, faces are drawn as vectors and text by a direct PDF writer
 * (render-card-sheet.ts), a face it cannot draw falling back to the 300 dpi raster: the bulk
 * print path, a thousand times cheaper a card.
 */
export async function renderCardSheetPdf(
  cards: readonly CardArtwork[],
  options: { includeBacks?: boolean; vector?: boolean } = {},
): Promise<Uint8Array> {
  if (options.vector && vectorSheetsAvailable()) {
    return renderCardSheetVectorPdf(cards, { includeBacks: options.includeBacks ?? false });
  }
  const doc = await PDFDocument.create();
  doc.setTitle('Card sheet');
  const cache: ImageCache = new Map();
  for (let start = 0; start < cards.length; start += cardsPerSheet) {
    const batch = cards.slice(start, start + cardsPerSheet);
    for (const isBack of options.includeBacks ? [false, true] : [false]) {
      const page = doc.addPage([a4.width, a4.height]);
      for (const [i, card] of batch.entries()) {
        const { x, y } = sheetSlot(i, isBack);
        const svg = isBack ? renderCardBackSvg(card) : renderCardFrontSvg(card);
        await drawFace(doc, cache, page, svg, x, y);
        cropMarks(page, x, y);
      }
    }
  }
  return doc.save();
}
