// PNG of a card face at print resolution, rasterised by resvg from the same SVG as the
// other formats, so what is tested is what is printed. Node-side.
import { Resvg } from '@resvg/resvg-js';
import { cardWidthMm } from './render-card-svg';

/** Dots per inch of card PNGs unless told otherwise: card printers print at 300 dpi. */
export const cardDpiDefault = 300;

/** PNG bytes of an SVG card face at `dpi` (1011 × 638 pixels at 300 dpi). */
export function renderCardPng(svg: string, dpi: number = cardDpiDefault): Uint8Array {
  const widthPx = Math.round((cardWidthMm / 25.4) * dpi);
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'width', value: widthPx },
    background: '#ffffff',
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' },
    shapeRendering: 1,
  });
  return new Uint8Array(resvg.render().asPng());
}
