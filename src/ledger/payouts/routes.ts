// Payout routes: providers, people's payout destinations, batches through their life
// (create → approve → export → settle, retry), status reports, and the G2P Connect callbacks.
// Each declares its permission; national scope and regions are checked by the operation.
import { z } from 'zod';
import { defineRoute, idParams } from '../../http/route';
import { pageLimit } from '../../shared/schemas';
import {
  addPayoutItems,
  approvePayoutBatch,
  createPayoutBatch,
  getPayoutBatch,
  listPayoutBatches,
  listPayoutItems,
  payoutBatchInput,
  payoutItemsInput,
} from './batches';
import { destinationInput, listPayoutDestinations, setPayoutDestination } from './destinations';
import { exportPayoutBatch } from './export';
import { queryG2pStatus, receiveG2pCallback } from './g2p';
import { importStatusReport } from './import-status';
import { statusReportBytesMax } from './limits';
import { configureProvider, listProviders, providerInput } from './providers';
import { retryPayoutBatch } from './retry';

const batchesQuery = z
  .object({
    status: z.enum(['created', 'approved', 'exported', 'settled']).optional(),
    limit: pageLimit,
  })
  .strict();
const itemsQuery = z
  .object({
    status: z.enum(['ready', 'exported', 'settled', 'failed', 'skipped']).optional(),
    after: z.string().max(64).optional(),
    limit: pageLimit,
  })
  .strict();

/** The payout routes. */
export const payoutRoutes = [
  defineRoute({
    method: 'GET',
    url: '/api/v1/payout-providers',
    access: 'signed-in',
    summary: 'Payout providers (finance, and registrars recording destinations)',
    tags: ['payouts'],
    handler: async ({ app, caller }) => ({ items: await listProviders(app, caller) }),
  }),
  defineRoute({
    method: 'PUT',
    url: '/api/v1/payout-providers/:id',
    access: 'payout:provider',
    summary: 'Configure a payout provider (bank or mobile money) and open its clearing account',
    tags: ['payouts'],
    params: idParams,
    body: providerInput,
    handler: async ({ app, caller, params, body }) =>
      configureProvider(app, caller, params.id, body),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/persons/:id/payout-destinations',
    access: 'payout_destination:read',
    readsPersonalData: true,
    summary: 'Where a person is paid, now and before (with a purpose)',
    tags: ['payouts'],
    params: idParams,
    handler: async ({ app, caller, params }) => listPayoutDestinations(app, caller, params.id),
  }),
  defineRoute({
    method: 'PUT',
    url: '/api/v1/persons/:id/payout-destinations',
    access: 'payout_destination:write',
    readsPersonalData: true,
    summary: 'Record where a person is paid, with the person present (supersedes the last)',
    tags: ['payouts'],
    params: idParams,
    body: destinationInput,
    handler: async ({ app, caller, params, body }) =>
      setPayoutDestination(app, caller, params.id, body),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/payouts',
    access: 'payout:read',
    summary: 'Payout batches, newest first, with their life and totals',
    tags: ['payouts'],
    query: batchesQuery,
    handler: async ({ app, caller, query }) => ({
      items: await listPayoutBatches(app, caller, query),
    }),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/payouts',
    access: 'payout:create',
    summary: 'Prepare a payout batch from a programme fund (items: person and amount)',
    tags: ['payouts'],
    body: payoutBatchInput,
    handler: async ({ app, caller, body, reply }) => {
      reply.code(201);
      return createPayoutBatch(app, caller, body);
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/payouts/:id',
    access: 'payout:read',
    summary: 'A payout batch: created → approved → exported → settled, and totals by status',
    tags: ['payouts'],
    params: idParams,
    handler: async ({ app, caller, params }) => getPayoutBatch(app, caller, params.id),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/payouts/:id/items',
    access: 'payout:create',
    summary: 'Add people to a batch not yet approved',
    tags: ['payouts'],
    params: idParams,
    body: payoutItemsInput,
    handler: async ({ app, caller, params, body }) =>
      addPayoutItems(app, caller, params.id, body.items),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/payouts/:id/items',
    access: 'payout:read',
    readsPersonalData: true,
    summary: 'A page of a batch’s items, by status (with a purpose; regional readers see theirs)',
    tags: ['payouts'],
    params: idParams,
    query: itemsQuery,
    handler: async ({ app, caller, params, query }) =>
      listPayoutItems(app, caller, params.id, query),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/payouts/:id/approve',
    access: 'payout:approve',
    summary: 'Approve a batch prepared by someone else',
    tags: ['payouts'],
    params: idParams,
    handler: async ({ app, caller, params }) => approvePayoutBatch(app, caller, params.id),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/payouts/:id/export',
    access: 'payout:export',
    summary: 'Reserve an approved batch’s money and send it to its providers',
    tags: ['payouts'],
    params: idParams,
    handler: async ({ app, caller, params }) => exportPayoutBatch(app, caller, params.id),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/payouts/:id/retry',
    access: 'payout:export',
    summary: 'Send again what providers returned (each person still paid once)',
    tags: ['payouts'],
    params: idParams,
    handler: async ({ app, caller, params }) => retryPayoutBatch(app, caller, params.id),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/payouts/:id/g2p-status',
    access: 'payout:import',
    summary: 'Ask a batch’s G2P Connect providers for their status (/disburse/txn/status)',
    tags: ['payouts'],
    params: idParams,
    handler: async ({ app, caller, params }) => queryG2pStatus(app, caller, params.id),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/payouts/status-reports',
    access: 'payout:import',
    summary: `Import a pain.002 status report or camt.054 notification (application/xml, up to ${statusReportBytesMax / 1024 / 1024} MB)`,
    tags: ['payouts'],
    rawBody: { contentTypes: ['application/xml', 'text/xml'], bytesMax: statusReportBytesMax },
    handler: async ({ app, caller, request }) =>
      importStatusReport(app, caller, request.body as Buffer),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/g2p/on-disburse',
    access: 'payout:callback',
    summary: 'G2P Connect /on-disburse: a provider reports its disbursements’ status',
    tags: ['payouts'],
    handler: async ({ app, caller, body }) => receiveG2pCallback(app, caller, 'on-disburse', body),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/g2p/disburse/txn/on-status',
    access: 'payout:callback',
    summary: 'G2P Connect /disburse/txn/on-status: a provider answers a status query',
    tags: ['payouts'],
    handler: async ({ app, caller, body }) => receiveG2pCallback(app, caller, 'on-status', body),
  }),
];
