// Ledger routes: open accounts and apply transfers in batches, read an account and its
// transfers. Each validates, calls one operation, and presents amounts as decimal strings.
import { defineRoute, idParams } from '../http/route';
import { createAccounts, createAccountsInput } from './create-accounts';
import { createTransfers, createTransfersInput } from './create-transfers';
import { getAccount } from './get-account';
import { accountTransfersPageInput, listAccountTransfers } from './list-account-transfers';
import { lookupAccounts, lookupAccountsInput } from './lookup-accounts';
import { presentAccount, presentTransfer } from './present';
import { coPaymentInput, reserveCoPayment, settleCoPayment } from './co-payments';
import { pinInput, setWalletPin } from './wallet-pins';
import { statementQuery, walletStatement } from './wallets';

/** The ledger domain's routes. */
export const ledgerRoutes = [
  defineRoute({
    method: 'POST',
    url: '/api/v1/ledger/accounts',
    access: 'ledger:write',
    summary: 'Open ledger accounts in a batch; one result per account (created, exists, …)',
    tags: ['ledger'],
    body: createAccountsInput,
    handler: async ({ app, caller, body }) => createAccounts(app, caller, body),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/ledger/transfers',
    access: 'ledger:write',
    summary: 'Apply transfers in a batch (pending, post, void, linked); one result per transfer',
    tags: ['ledger'],
    body: createTransfersInput,
    handler: async ({ app, caller, body }) =>
      createTransfers(app, caller, body, { storeRefusals: true }),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/ledger/accounts/:id',
    access: 'ledger:read',
    summary: 'An account with its balances (amounts are decimal strings of minor units)',
    tags: ['ledger'],
    params: idParams,
    handler: async ({ app, caller, params }) =>
      presentAccount(await getAccount(app, caller, params.id)),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/ledger/accounts/lookup',
    access: 'ledger:read',
    summary: 'Many accounts with their balances, read at one moment (one statement)',
    tags: ['ledger'],
    body: lookupAccountsInput,
    handler: async ({ app, caller, body }) => ({
      items: (await lookupAccounts(app, caller, body)).map(presentAccount),
    }),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/ledger/accounts/:id/transfers',
    access: 'ledger:read',
    summary: 'An account’s transfers, newest first, a page at a time',
    tags: ['ledger'],
    params: idParams,
    query: accountTransfersPageInput,
    handler: async ({ app, caller, params, query }) => {
      const page = await listAccountTransfers(app, caller, params.id, query);
      return { items: page.items.map(presentTransfer), next: page.next };
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/persons/:id/wallet',
    access: 'wallet:read',
    readsPersonalData: true,
    summary: 'A cardholder’s wallet: what they can spend, what is reserved, latest movements',
    tags: ['ledger'],
    params: idParams,
    query: statementQuery,
    handler: async ({ app, caller, params, query }) =>
      walletStatement(app, caller, params.id, query),
  }),
  defineRoute({
    method: 'PUT',
    url: '/api/v1/persons/:id/wallet/pin',
    access: 'wallet:pin',
    readsPersonalData: true,
    summary: 'Set or reset a wallet PIN at a registration office, after checking identity',
    tags: ['ledger'],
    params: idParams,
    body: pinInput,
    handler: async ({ app, caller, params, body }) => setWalletPin(app, caller, params.id, body),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/co-payments',
    access: 'wallet:charge',
    summary:
      'Reserve a co-payment in a cardholder’s wallet, confirmed by their PIN (idempotent by id)',
    tags: ['ledger'],
    body: coPaymentInput,
    handler: async ({ app, caller, body }) => reserveCoPayment(app, caller, body),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/co-payments/:id/post',
    access: 'wallet:charge',
    summary: 'Post a reserved co-payment: the goods were handed over',
    tags: ['ledger'],
    params: idParams,
    handler: async ({ app, caller, params }) => settleCoPayment(app, caller, params.id, 'post'),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/co-payments/:id/void',
    access: 'wallet:charge',
    summary: 'Void a reserved co-payment: the goods were not handed over',
    tags: ['ledger'],
    params: idParams,
    handler: async ({ app, caller, params }) => settleCoPayment(app, caller, params.id, 'void'),
  }),
];
