// Card routes: issue, replace, revoke, list, print, verify, and the published trust and
// revocation lists. Each validates, calls one operation of the credentials domain, and
// presents the result; region checks, purposes and audit live in the operations.
import { z } from 'zod';
import {
  currentRevocationList,
  currentTrustList,
  issuePersonCard,
  keyRotationInput,
  listIssuerKeys,
  listPersonCards,
  renderStoredCard,
  renderStoredCardSheet,
  replaceCard,
  replaceCardInput,
  requestKeyRotation,
  revokeCard,
  revokeCardInput,
  sheetCardsMax,
  verifyCardInput,
  verifyPresentedCard,
} from './service';
import type { CardImageFormat, RenderedFile } from './service';
import type { FastifyReply } from 'fastify';
import { defineRoute, idParams } from '../http/route';

const serialParams = z
  .object({ serial: z.string().regex(/^\d{1,12}$/, 'must be a card serial') })
  .strict();
const faceQuery = z.object({ side: z.enum(['front', 'back']).optional() }).strict();
const sheetQuery = z
  .object({
    serials: z
      .string()
      .regex(/^\d{1,12}(,\d{1,12})*$/, 'must be card serials separated by commas')
      .refine((s) => s.split(',').length <= sheetCardsMax, `at most ${sheetCardsMax} cards`),
    backs: z.enum(['true', 'false']).optional(),
  })
  .strict();

function send(reply: FastifyReply, file: RenderedFile): FastifyReply {
  // Card faces carry personal data: never cached by a browser or a proxy.
  return reply
    .header('content-type', file.contentType)
    .header('content-disposition', `inline; filename="${file.filename}"`)
    .header('cache-control', 'no-store')
    .send(file.body);
}

function faceRoute(format: CardImageFormat) {
  return defineRoute({
    method: 'GET',
    url: `/api/v1/cards/:serial/face.${format}`,
    access: 'card:issue',
    readsPersonalData: true,
    summary:
      format === 'pdf'
        ? 'Print-ready PDF of a card (ID-1, front and back pages)'
        : `A card face as ${format.toUpperCase()} (front, or ?side=back)`,
    tags: ['cards'],
    params: serialParams,
    query: faceQuery,
    handler: async ({ app, caller, params, query, reply }) =>
      send(
        reply,
        await renderStoredCard(app, caller, Number(params.serial), {
          format,
          ...(query.side ? { side: query.side } : {}),
        }),
      ),
  });
}

/** The card and key routes. */
export const cardRoutes = [
  defineRoute({
    method: 'POST',
    url: '/api/v1/persons/:id/cards',
    access: 'card:issue',
    summary: 'Issue a card to a person who holds none',
    tags: ['cards'],
    params: idParams,
    handler: async ({ app, caller, params, reply }) => {
      reply.code(201);
      return issuePersonCard(app, caller, params.id);
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/persons/:id/cards',
    access: 'card:issue',
    readsPersonalData: true,
    summary: 'A person’s cards, newest first',
    tags: ['cards'],
    params: idParams,
    handler: async ({ app, caller, params }) => ({
      items: await listPersonCards(app, caller, params.id),
    }),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/cards/:serial/replace',
    access: 'card:issue',
    summary: 'Replace a lost, stolen or damaged card (the old one is revoked)',
    tags: ['cards'],
    params: serialParams,
    body: replaceCardInput,
    handler: async ({ app, caller, params, body, reply }) => {
      reply.code(201);
      return replaceCard(app, caller, Number(params.serial), body);
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/cards/:serial/revoke',
    access: 'card:issue',
    summary: 'Revoke a card',
    tags: ['cards'],
    params: serialParams,
    body: revokeCardInput,
    handler: async ({ app, caller, params, body }) =>
      revokeCard(app, caller, Number(params.serial), body),
  }),
  faceRoute('svg'),
  faceRoute('png'),
  faceRoute('pdf'),
  defineRoute({
    method: 'GET',
    url: '/api/v1/cards/sheet.pdf',
    access: 'card:issue',
    readsPersonalData: true,
    summary: `A4 sheets of up to ${sheetCardsMax} cards with crop marks (?serials=1,2,3&backs=true)`,
    tags: ['cards'],
    query: sheetQuery,
    handler: async ({ app, caller, query, reply }) =>
      send(
        reply,
        await renderStoredCardSheet(app, caller, query.serials.split(',').map(Number), {
          includeBacks: query.backs === 'true',
        }),
      ),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/cards/verify',
    access: 'card:verify',
    readsPersonalData: true,
    summary:
      'Verify a card’s QR text against the published lists (400 when the text is not a card)',
    tags: ['cards'],
    body: verifyCardInput,
    handler: async ({ app, caller, body }) => verifyPresentedCard(app, caller, body),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/trust-list',
    access: 'public',
    summary: 'The signed trust list: the issuer’s current and still-trusted past public keys',
    tags: ['cards'],
    handler: async ({ app, reply }) => {
      reply.header('cache-control', 'public, max-age=300');
      return currentTrustList(app);
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/revocations',
    access: 'public',
    summary:
      'The signed revocation status list (compressed bitstring of card serials, with its issue time)',
    tags: ['cards'],
    handler: async ({ app, reply }) => {
      reply.header('cache-control', 'public, max-age=60');
      return currentRevocationList(app);
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/keys',
    access: 'keys:manage',
    summary: 'Issuer keys: public halves and life cycle (never private material)',
    tags: ['cards'],
    handler: async ({ app, caller }) => ({ items: await listIssuerKeys(app, caller) }),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/keys/rotate',
    access: 'keys:manage',
    summary: 'Ask to rotate the issuer key (needs a second approver)',
    tags: ['cards'],
    body: keyRotationInput,
    handler: async ({ app, caller, body, reply }) => {
      reply.code(202);
      return requestKeyRotation(app, caller, body);
    },
  }),
];
