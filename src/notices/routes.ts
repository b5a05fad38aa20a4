// Notices routes. There is no route that sends a text: notices are written by the operations
// they report (a redemption, a one-time code), from templates of service events. Staff word a
// programme's events (a second person approves), count parts and cost, and read statistics;
// the HTTP gateway posts signed receipts back.
import { defineRoute, idParams } from '../http/route';
import { DomainError } from '../shared/errors';
import { previewInput, previewText } from './preview';
import {
  createProgrammeTemplate,
  decideProgrammeTemplate,
  listProgrammeTemplates,
  programmeEvents,
  programmeTemplateDecision,
  programmeTemplateInput,
  programmeTemplatesQuery,
} from './programme-templates';
import { applyHttpReceipts, receiptLinesMax } from './receipts';
import { noticeStats, noticeStatsQuery } from './stats';
import { noticeEvents, noticeTemplates } from './templates';
import { signatureHeader } from './gateway-http';

/** Every notices route. */
export const noticesRoutes = [
  defineRoute({
    method: 'GET',
    url: '/api/v1/notices/events',
    access: 'notice:template',
    summary: 'The service events (a closed list), their values, and the system texts',
    tags: ['notices'],
    handler: async () => ({
      events: Object.entries(noticeEvents).map(([name, e]) => ({
        name,
        values: e.values,
        essential: e.essential,
        programmeOwned: e.programmeOwned,
      })),
      programmeEvents,
      templates: Object.entries(noticeTemplates).map(([name, t]) => ({
        name,
        event: t.event,
        es: t.es,
        en: t.en,
      })),
    }),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/notices/preview',
    access: 'notice:template',
    summary: 'Count a text’s SMS parts (GSM-7 or UCS-2) and what sending it costs',
    tags: ['notices'],
    body: previewInput,
    handler: async ({ app, caller, body }) => previewText(app, caller, body),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/notices/templates',
    access: 'notice:template_approve',
    summary: 'Programmes’ wordings of their service events, newest first',
    tags: ['notices'],
    query: programmeTemplatesQuery,
    handler: async ({ app, caller, query }) => ({
      items: await listProgrammeTemplates(app, caller, query),
    }),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/notices/templates',
    access: 'notice:template',
    summary: 'Word a programme’s service event (a new version, pending a second approver)',
    tags: ['notices'],
    body: programmeTemplateInput,
    handler: async ({ app, caller, body, reply }) => {
      reply.code(201);
      return createProgrammeTemplate(app, caller, body);
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/notices/templates/:id/decision',
    access: 'notice:template_approve',
    summary: 'Approve or reject a wording written by someone else',
    tags: ['notices'],
    params: idParams,
    body: programmeTemplateDecision,
    handler: async ({ app, caller, params, body }) =>
      decideProgrammeTemplate(app, caller, params.id, body),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/notices/stats',
    access: 'notice:read',
    summary: 'Sent, delivered and failed by template and region (small cells suppressed)',
    tags: ['notices'],
    query: noticeStatsQuery,
    handler: async ({ app, caller, query }) => noticeStats(app, caller, query),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/notices/receipts',
    access: 'public',
    summary: 'Delivery receipts and inbound texts from the HTTP gateway (signed JSON Lines)',
    tags: ['notices'],
    rawBody: { contentTypes: ['application/x-ndjson'], bytesMax: receiptLinesMax * 2048 },
    rateLimitPerMinute: 600,
    handler: async ({ app, request }) => {
      if (!Buffer.isBuffer(request.body))
        throw new DomainError('BAD_REQUEST', 'Send the receipts as JSON Lines.', 'body');
      const header = request.headers[signatureHeader];
      return applyHttpReceipts(app, request.body, typeof header === 'string' ? header : undefined);
    },
  }),
];
