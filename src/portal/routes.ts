// The cardholder portal's routes under /api/v1/me: the two sign-in steps (public, rate
// limited, answering alike whether or not the person exists), and everything else with the
// access `cardholder` — the gate reads only the portal's cookie, so no staff session or token
// reaches these, and a portal session holds no staff permission anywhere.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { renderOwnCard } from '../credentials';
import {
  appealInput,
  appealOwnGrievance,
  grievanceInput,
  insertGrievance,
  ownGrievance,
  ownGrievances,
} from '../grievances';
import { defineRoute, idParams } from '../http/route';
import { cardholderCookie, type CardholderSession } from '../http/server';
import { appendAudit, accessReportPageInput } from '../privacy';
import type { AppContext } from '../shared/context';
import { DomainError } from '../shared/errors';
import {
  designateNominee,
  myAccessReport,
  myCards,
  myEntitlements,
  myNomineeInput,
  myNomineeRevokeInput,
  myNominees,
  myRecord,
  myWallet,
  removeNominee,
} from './me';
import { getNoticePreferences, setNoticePreferences } from '../notices';
import {
  codeInput,
  codeRequestInput,
  requestPortalCode,
  signInWithCode,
  signOutOfPortal,
} from './sign-in';

function cardholderOf(request: FastifyRequest): CardholderSession {
  if (!request.cardholder)
    throw new DomainError('UNAUTHENTICATED', 'Sign in to your portal first (/me).');
  return request.cardholder;
}

function setCookie(
  app: AppContext,
  request: FastifyRequest,
  reply: FastifyReply,
  token: string,
  expiresAt: string,
) {
  void reply.setCookie(cardholderCookie, token, {
    httpOnly: true,
    secure: request.secureCookies,
    sameSite: 'strict',
    path: '/',
    maxAge: Math.max(0, Math.floor((Date.parse(expiresAt) - app.now().getTime()) / 1000)),
  });
}

const cardParams = z
  .object({ serial: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER) })
  .strict();
const cardQuery = z
  .object({
    format: z.enum(['svg', 'png', 'pdf']).default('svg'),
    side: z.enum(['front', 'back']).optional(),
  })
  .strict();
const nomineeParams = z.object({ id: z.string().min(1).max(64) }).strict();
const preferencesInput = z
  .object({ language: z.enum(['es', 'en']), optOutNonEssential: z.boolean() })
  .strict();

/** The portal's routes. */
export const portalRoutes = [
  defineRoute({
    method: 'POST',
    url: '/api/v1/me/sign-in/code',
    access: 'public',
    summary:
      'Portal sign-in, step 1: registry number and date of birth; a code goes to the phone on record',
    tags: ['portal'],
    body: codeRequestInput,
    rateLimitPerMinute: 10,
    handler: async ({ app, body, request }) => requestPortalCode(app, body, request.ip),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/me/sign-in',
    access: 'public',
    summary: 'Portal sign-in, step 2: the code; sets the portal’s own session cookie',
    tags: ['portal'],
    body: codeInput,
    rateLimitPerMinute: 20,
    handler: async ({ app, body, request, reply }) => {
      const result = await signInWithCode(app, body, request.ip);
      setCookie(app, request, reply, result.sessionToken, result.expiresAt);
      return { csrfToken: result.csrfToken, expiresAt: result.expiresAt };
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/me/sign-out',
    access: 'cardholder',
    summary: 'Sign out of the portal',
    tags: ['portal'],
    handler: async ({ app, request, reply }) => {
      await signOutOfPortal(app, cardholderOf(request), request.ip);
      void reply.clearCookie(cardholderCookie, { path: '/' });
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/me',
    access: 'cardholder',
    summary: 'My record in words, my preferences, and this session’s CSRF token',
    tags: ['portal'],
    handler: async ({ app, request }) => {
      const me = cardholderOf(request);
      return {
        record: await myRecord(app, me.personId),
        preferences: await getNoticePreferences(app.db.kysely, app, me.personId),
        csrfToken: me.csrfToken,
      };
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/me/cards',
    access: 'cardholder',
    summary: 'My cards',
    tags: ['portal'],
    handler: async ({ app, request }) => myCards(app, cardholderOf(request).personId),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/me/cards/:serial',
    access: 'cardholder',
    summary: 'My card as SVG, PNG or PDF: the same signed QR as the printed card',
    tags: ['portal'],
    params: cardParams,
    query: cardQuery,
    handler: async ({ app, request, reply, params, query }) => {
      const file = await renderOwnCard(app, cardholderOf(request).personId, params.serial, {
        format: query.format,
        ...(query.side ? { side: query.side } : {}),
      });
      return reply
        .header('content-type', file.contentType)
        .header('content-disposition', `inline; filename="${file.filename}"`)
        .send(file.body);
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/me/entitlements',
    access: 'cardholder',
    summary: 'My entitlements: what, where and which days',
    tags: ['portal'],
    handler: async ({ app, request }) => myEntitlements(app, cardholderOf(request).personId),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/me/wallet',
    access: 'cardholder',
    summary: 'My wallet: balance and statement',
    tags: ['portal'],
    handler: async ({ app, request }) => myWallet(app, cardholderOf(request).personId),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/me/access-report',
    access: 'cardholder',
    summary: 'Who read or changed my record, when and why (staff as pseudonyms), paged',
    tags: ['portal'],
    query: accessReportPageInput,
    handler: async ({ app, request, query }) =>
      myAccessReport(app, cardholderOf(request).personId, query),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/me/grievances',
    access: 'cardholder',
    summary: 'My grievances',
    tags: ['portal'],
    handler: async ({ app, request }) => ({
      items: await ownGrievances(app, cardholderOf(request).personId),
    }),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/me/grievances',
    access: 'cardholder',
    summary: 'File a grievance',
    tags: ['portal'],
    body: grievanceInput,
    handler: async ({ app, caller, request, body, reply }) => {
      const me = cardholderOf(request);
      const made = await app.db.transaction(async (trx) => {
        const person = await trx
          .selectFrom('persons')
          .select(['id', 'region_code'])
          .where('id', '=', me.personId)
          .executeTakeFirstOrThrow();
        return insertGrievance(trx, app, caller, person, body, 'portal');
      });
      reply.code(201);
      return made;
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/me/grievances/:id',
    access: 'cardholder',
    summary: 'One of my grievances, with what it is about and its steps',
    tags: ['portal'],
    params: idParams,
    handler: async ({ app, request, params }) =>
      ownGrievance(app, cardholderOf(request).personId, params.id),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/me/grievances/:id/appeal',
    access: 'cardholder',
    summary: 'Appeal the resolution of one of my grievances',
    tags: ['portal'],
    params: idParams,
    body: appealInput,
    handler: async ({ app, caller, request, params, body }) =>
      appealOwnGrievance(app, caller, cardholderOf(request).personId, params.id, body.reason),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/me/nominees',
    access: 'cardholder',
    summary: 'The people I authorised to collect for me',
    tags: ['portal'],
    handler: async ({ app, request }) => myNominees(app, cardholderOf(request).personId),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/me/nominees',
    access: 'cardholder',
    summary: 'Authorise a person to collect for me (by their registry number and date of birth)',
    tags: ['portal'],
    body: myNomineeInput,
    handler: async ({ app, caller, request, body, reply }) => {
      reply.code(201);
      return designateNominee(app, caller, cardholderOf(request).personId, body);
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/me/nominees/:id/revoke',
    access: 'cardholder',
    summary: 'Remove a person I had authorised',
    tags: ['portal'],
    params: nomineeParams,
    body: myNomineeRevokeInput,
    handler: async ({ app, caller, request, params, body }) =>
      removeNominee(app, caller, cardholderOf(request).personId, params.id, body.reason),
  }),
  defineRoute({
    method: 'PUT',
    url: '/api/v1/me/preferences',
    access: 'cardholder',
    summary: 'My language and whether I receive messages that are not essential',
    tags: ['portal'],
    body: preferencesInput,
    handler: async ({ app, caller, request, body }) => {
      const me = cardholderOf(request);
      await app.db.transaction(async (trx) => {
        await setNoticePreferences(trx, app, me.personId, body);
        await appendAudit(trx, app, caller, {
          operation: 'portal.preferences',
          subjectIds: [me.personId],
          details: { fields: ['language', 'optOutNonEssential'] },
        });
      });
      return getNoticePreferences(app.db.kysely, app, me.personId);
    },
  }),
];
