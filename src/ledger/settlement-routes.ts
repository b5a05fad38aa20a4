// Routes of settlement, reconciliation, disputes and the accounts list. Each declares its
// permission; regions, the operator's own points and four-eyes are checked by the operation.
import { z } from 'zod';
import { defineRoute, idParams } from '../http/route';
import { id } from '../shared/schemas';
import {
  decideDispute,
  disputeDecisionInput,
  disputeInput,
  disputesQuery,
  listDisputes,
  openDispute,
} from './disputes';
import { listAccounts, listAccountsQuery } from './lookup-accounts';
import { presentAccount } from './present';
import { reconcileInput, reconcilePayouts } from './reconciliation';
import {
  approveSettlement,
  computeSettlement,
  getSettlement,
  listSettlementRates,
  setSettlementRate,
  settlementDay,
  settlementInput,
  settlementRateInput,
} from './settlement';
import { dayText } from '../shared/local-day';

const dayQuery = z.object({ day: dayText }).strict();
const ratesQuery = z.object({ programmeId: id.optional() }).strict();

/** The settlement routes. */
export const settlementRoutes = [
  defineRoute({
    method: 'GET',
    url: '/api/v1/ledger/accounts',
    access: 'ledger:read',
    summary: 'Accounts with their balances, a page at a time (wallets are read by statement)',
    tags: ['ledger'],
    query: listAccountsQuery,
    handler: async ({ app, caller, query }) => {
      const page = await listAccounts(app, caller, query);
      return { items: page.items.map(presentAccount), next: page.next };
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/settlements',
    access: 'settlement:read',
    summary: 'The points that handed something over on a local day, and their settlements',
    tags: ['settlement'],
    query: dayQuery,
    handler: async ({ app, caller, query }) => ({
      items: await settlementDay(app, caller, query.day),
    }),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/settlements',
    access: 'settlement:compute',
    summary: 'Compute (or compute again, until approved) a point’s settlement of a day',
    tags: ['settlement'],
    body: settlementInput,
    handler: async ({ app, caller, body }) => computeSettlement(app, caller, body),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/settlements/:id',
    access: 'settlement:read',
    summary: 'A settlement: per programme, what was handed over, taken and owed',
    tags: ['settlement'],
    params: idParams,
    handler: async ({ app, caller, params }) => getSettlement(app, caller, params.id),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/settlements/:id/approve',
    access: 'settlement:approve',
    summary: 'Approve a settlement computed by someone else; its reimbursements post',
    tags: ['settlement'],
    params: idParams,
    handler: async ({ app, caller, params }) => approveSettlement(app, caller, params.id),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/settlement-rates',
    access: 'settlement:read',
    summary: 'Reimbursement rates per programme, newest first',
    tags: ['settlement'],
    query: ratesQuery,
    handler: async ({ app, caller, query }) => ({
      items: await listSettlementRates(app, caller, query.programmeId),
    }),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/settlement-rates',
    access: 'settlement:rate',
    summary: 'Set a programme’s reimbursement per unit from a day on (a new rate; none is edited)',
    tags: ['settlement'],
    body: settlementRateInput,
    handler: async ({ app, caller, body }) => setSettlementRate(app, caller, body),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/payouts/reconciliation',
    access: 'payout:read',
    summary: 'Reconcile an origin’s (a cycle’s) or a batch’s payouts against providers’ statements',
    tags: ['payouts'],
    body: reconcileInput,
    handler: async ({ app, caller, body }) => reconcilePayouts(app, caller, body),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/disputes',
    access: 'settlement:read',
    summary: 'Disputes on settlement lines in your reach, newest first',
    tags: ['settlement'],
    query: disputesQuery,
    handler: async ({ app, caller, query }) => ({ items: await listDisputes(app, caller, query) }),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/disputes',
    access: 'dispute:open',
    summary: 'Open a dispute on an approved settlement’s line',
    tags: ['settlement'],
    body: disputeInput,
    handler: async ({ app, caller, body }) => openDispute(app, caller, body),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/disputes/:id/decision',
    access: 'dispute:resolve',
    summary: 'Review, uphold (a correcting transfer) or reject a dispute opened by someone else',
    tags: ['settlement'],
    params: idParams,
    body: disputeDecisionInput,
    handler: async ({ app, caller, params, body }) => decideDispute(app, caller, params.id, body),
  }),
];
