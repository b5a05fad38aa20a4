// Prints stored cards: the face of one card as SVG, PNG or PDF, or A4 sheets of several.
// What is printed is the QR text signed at issuance, never a re-signed copy. Rendering a
// card shows a person's data, so it needs a purpose and is audited; only active cards print.
import { requirePermission, requireRegion } from '../shared/access';
import { appendAudit } from '../privacy';
import { requirePurpose } from '../registry';
import type { AppContext, Caller } from '../shared/context';
import { DomainError } from '../shared/errors';
import { renderCardPdf, renderCardSheetPdf, cardsPerSheet } from './render-card-pdf';
import { renderCardPng } from './render-card-png';
import { renderCardBackSvg, renderCardFrontSvg } from './render-card-svg';
import type { CardArtwork } from './render-card-svg';
import { credentialSettings } from './settings';
import { presentCard, type CardRow } from './store';
import type { CardFace } from './types';
import { readStoredJson } from '../shared/stored-json';
import { z } from 'zod';

/** The stored card face (the photo, off by default, is not stored with it). */
export const faceSchema = z.object({
  registryNumber: z.string(),
  givenNames: z.string(),
  surnames: z.string(),
  dateOfBirth: z.string(),
  sex: z.enum(['female', 'male', 'other']).optional(),
});

/** Most cards in one sheet request: ten A4 sheets. */
export const sheetCardsMax = 10 * cardsPerSheet;

/** A card image format. */
export type CardImageFormat = 'svg' | 'png' | 'pdf';

/** A rendered file. */
export interface RenderedFile {
  contentType: string;
  filename: string;
  body: Buffer;
}

const contentTypes: Record<CardImageFormat, string> = {
  svg: 'image/svg+xml',
  png: 'image/png',
  pdf: 'application/pdf',
};

function artworkOf(app: AppContext, row: CardRow): CardArtwork {
  return {
    face: readStoredJson(faceSchema, row.face, `cards ${row.serial} face`) satisfies CardFace,
    qrText: row.qr_text,
    serial: Number(row.serial),
    expiresAt: new Date(row.expires_at),
    ...credentialSettings(app).artwork,
  };
}

/** Loads printable cards in the caller's regions and audits the read, in one transaction. */
async function loadPrintable(
  app: AppContext,
  caller: Caller,
  serials: readonly number[],
): Promise<CardRow[]> {
  requirePermission(caller.actor, 'card:issue');
  requirePurpose(caller);
  return app.db.transaction(async (trx) => {
    const rows = await trx
      .selectFrom('cards')
      .innerJoin('persons', 'persons.id', 'cards.person_id')
      .selectAll('cards')
      .select('persons.region_code')
      .where('cards.serial', 'in', [...serials])
      .execute();
    const bySerial = new Map(rows.map((r) => [Number(r.serial), r]));
    const now = app.now().toISOString();
    for (const serial of serials) {
      const row = bySerial.get(serial);
      // A card that does not exist and one of a person outside the caller's regions answer
      // alike: the same status, code, message and field.
      if (!row) throw new DomainError('NOT_FOUND', `Card ${serial} not found.`, 'serial');
      requireRegion(caller.actor, 'card:issue', row.region_code, `Card ${serial}`, 'serial');
      if (row.status !== 'active' || row.expires_at <= now) {
        throw new DomainError(
          'INVALID_STATE',
          `Card ${serial} is not active; only active cards are printed.`,
          'serial',
        );
      }
    }
    await appendAudit(trx, app, caller, {
      operation: 'card.render',
      permission: 'card:issue',
      subjectIds: rows.map((r) => r.person_id),
      details: { serials: [...serials] },
    });
    return serials.map((s) => bySerial.get(s)!);
  });
}

function renderArtwork(
  art: CardArtwork,
  serial: number,
  options: { format: CardImageFormat; side?: 'front' | 'back' },
): Promise<RenderedFile> | RenderedFile {
  const side = options.side ?? 'front';
  const svg = side === 'back' ? renderCardBackSvg(art) : renderCardFrontSvg(art);
  const name = options.format === 'pdf' ? `card-${serial}` : `card-${serial}-${side}`;
  const file = (body: Buffer): RenderedFile => ({
    contentType: contentTypes[options.format],
    filename: `${name}.${options.format}`,
    body,
  });
  if (options.format === 'pdf') return renderCardPdf(art).then((pdf) => file(Buffer.from(pdf)));
  return file(
    options.format === 'svg' ? Buffer.from(svg, 'utf8') : Buffer.from(renderCardPng(svg)),
  );
}

/**
 * The cardholder's own card, for their portal: the same signed QR text as the printed one,
 * only when the card is theirs and active (another person's serial answers as a missing one).
 * No staff permission: the portal has proven who the person is.
 */
export async function renderOwnCard(
  app: AppContext,
  personId: string,
  serial: number,
  options: { format: CardImageFormat; side?: 'front' | 'back' },
): Promise<RenderedFile> {
  const row = await app.db.kysely
    .selectFrom('cards')
    .selectAll()
    .where('serial', '=', serial)
    .where('person_id', '=', personId)
    .executeTakeFirst();
  if (!row) throw new DomainError('NOT_FOUND', `Card ${serial} not found.`, 'serial');
  if (row.status !== 'active' || row.expires_at <= app.now().toISOString())
    throw new DomainError('INVALID_STATE', `Card ${serial} is not active.`, 'serial');
  return renderArtwork(artworkOf(app, row), serial, options);
}

/** The cardholder's own cards, newest first (their portal). */
export async function ownCards(app: AppContext, personId: string) {
  const rows = await app.db.kysely
    .selectFrom('cards')
    .selectAll()
    .where('person_id', '=', personId)
    .orderBy('serial', 'desc')
    .limit(20)
    .execute();
  return rows.map((row) => presentCard(row, app.now()));
}

/** One card's face: SVG or PNG of one side, or a PDF with the front and the back. */
export async function renderStoredCard(
  app: AppContext,
  caller: Caller,
  serial: number,
  options: { format: CardImageFormat; side?: 'front' | 'back' },
): Promise<RenderedFile> {
  const [row] = await loadPrintable(app, caller, [serial]);
  return renderArtwork(artworkOf(app, row!), serial, options);
}

/** A4 sheets of cards with crop marks, for a card printer or a guillotine. */
export async function renderStoredCardSheet(
  app: AppContext,
  caller: Caller,
  serials: readonly number[],
  options: { includeBacks?: boolean } = {},
): Promise<RenderedFile> {
  const unique = [...new Set(serials)];
  if (unique.length === 0 || unique.length > sheetCardsMax) {
    throw new DomainError(
      'VALIDATION_FAILED',
      `serials: give 1 to ${sheetCardsMax} card serials`,
      'serials',
    );
  }
  const rows = await loadPrintable(app, caller, unique);
  const pdf = await renderCardSheetPdf(
    rows.map((row) => artworkOf(app, row)),
    { includeBacks: options.includeBacks ?? false },
  );
  return { contentType: contentTypes.pdf, filename: 'cards.pdf', body: Buffer.from(pdf) };
}
