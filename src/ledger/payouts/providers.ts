// Payout providers: the banks and mobile-money operators people are paid through. Each has
// its clearing account (money waits there from export until the provider reports it paid),
// the programme's own account at it (the debtor of every file), and an adapter: `folder`
// writes pain.001 files to a subfolder of the payout folder, `http` posts them to an
// endpoint, `g2p` speaks G2P Connect's disbursement API. Administrators configure them.
import { z } from 'zod';
import type { Selectable } from 'kysely';
import type { Queryable } from '../../db';
import { appendAudit } from '../../privacy';
import { can, humanOf, requirePermission, systemActor } from '../../shared/access';
import type { AppContext, Caller } from '../../shared/context';
import { DomainError } from '../../shared/errors';
import { plainText } from '../../shared/schemas';
import { createAccounts } from '../create-accounts';
import type { PayoutProvidersTable } from '../tables';
import { normaliseAccount } from './account-numbers';

const bic = /^[A-Z0-9]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$/;

/** A provider's configuration, as an administrator sends it. */
export const providerInput = z
  .object({
    name: plainText(140).pipe(z.string().min(2)),
    kind: z.enum(['bank', 'mobile_money']),
    /** BIC of a bank, or the agent id of a mobile-money operator. */
    agentId: z.string().regex(/^[A-Za-z0-9.-]{2,35}$/, 'letters, digits, . and -, at most 35'),
    adapter: z.enum(['folder', 'http', 'g2p']),
    /** A subfolder name (folder), or an http(s) URL (http, g2p). */
    endpoint: z.string().min(1).max(500),
    authTokenEnv: z
      .string()
      .regex(/^[A-Z][A-Z0-9_]{2,63}$/, 'the name of an environment variable')
      .optional(),
    currency: z.string().regex(/^[A-Z]{3}$/, 'a three-letter currency code'),
    debtorName: plainText(140).pipe(z.string().min(2)),
    debtorAccount: z.string().min(4).max(40),
    senderId: z
      .string()
      .regex(/^[A-Za-z0-9.-]{2,64}$/)
      .default('tessera'),
    callbackUri: z.url().max(500).optional(),
  })
  .strict();
/** A provider's configuration, validated. */
export type ProviderInput = z.output<typeof providerInput>;

/** A provider as the API shows it. */
export interface Provider {
  id: string;
  name: string;
  kind: 'bank' | 'mobile_money';
  agentId: string;
  adapter: 'folder' | 'http' | 'g2p';
  endpoint: string;
  authTokenEnv: string | null;
  currency: string;
  clearingAccountId: string;
  debtorName: string;
  debtorAccount: string;
  senderId: string;
  callbackUri: string | null;
  updatedAt: string;
}

/** A provider row as a value. */
export function providerFromRow(row: Selectable<PayoutProvidersTable>): Provider {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    agentId: row.agent_id,
    adapter: row.adapter,
    endpoint: row.endpoint,
    authTokenEnv: row.auth_token_env,
    currency: row.currency,
    clearingAccountId: row.clearing_account_id,
    debtorName: row.debtor_name,
    debtorAccount: row.debtor_account,
    senderId: row.sender_id,
    callbackUri: row.callback_uri,
    updatedAt: row.updated_at,
  };
}

/** True when an agent id is a BIC (written as BICFI; anything else as Othr/Id). */
export function isBic(agentId: string): boolean {
  return bic.test(agentId);
}

/** Whether the debtor account reads as an IBAN (else it is written as Othr/Id). */
export function debtorScheme(account: string): 'iban' | 'account' {
  return /^[A-Z]{2}[0-9]{2}/.test(account) ? 'iban' : 'account';
}

function checkEndpoint(input: ProviderInput): void {
  if (input.adapter === 'folder') {
    if (!/^[a-z0-9][a-z0-9._-]{0,63}$/.test(input.endpoint) || input.endpoint.includes('..'))
      throw new DomainError(
        'VALIDATION_FAILED',
        'endpoint: a folder adapter names a subfolder of the payout folder (letters, digits, . _ -).',
        'endpoint',
      );
    return;
  }
  let url: URL;
  try {
    url = new URL(input.endpoint);
  } catch {
    throw new DomainError('VALIDATION_FAILED', 'endpoint: not a URL.', 'endpoint');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new DomainError('VALIDATION_FAILED', 'endpoint: an http or https URL.', 'endpoint');
}

/** The provider's clearing account id. */
export function clearingAccountId(providerId: string): string {
  return `clearing-${providerId}`;
}

/** Creates or changes a provider, and opens its clearing account. */
export async function configureProvider(
  app: AppContext,
  caller: Caller,
  providerId: string,
  input: ProviderInput,
): Promise<Provider> {
  requirePermission(caller.actor, 'payout:provider');
  if (!/^[a-z0-9][a-z0-9-]{1,31}$/.test(providerId))
    throw new DomainError(
      'VALIDATION_FAILED',
      'id: 2 to 32 lower-case letters, digits and -.',
      'id',
    );
  checkEndpoint(input);
  if (input.kind === 'bank' && !isBic(input.agentId))
    throw new DomainError('VALIDATION_FAILED', 'agentId: a bank is named by its BIC.', 'agentId');
  const debtorAccount = normaliseAccount(
    debtorScheme(input.debtorAccount.toUpperCase()) === 'iban' ? 'iban' : 'account',
    input.debtorAccount,
    'debtorAccount',
  );
  const clearing = clearingAccountId(providerId);
  const opened = await createAccounts(
    app,
    { actor: systemActor('payout-provider') },
    {
      accounts: [{ id: clearing, ledger: input.currency, code: 'provider_clearing' }],
    },
  );
  if (opened.results[0]!.result === 'exists_with_different_fields')
    throw new DomainError(
      'CONFLICT',
      'This provider already has a clearing account in another currency.',
      'currency',
    );
  const at = app.now().toISOString();
  const who = humanOf(caller.actor);
  const values = {
    name: input.name,
    kind: input.kind,
    agent_id: input.agentId,
    adapter: input.adapter,
    endpoint: input.endpoint,
    auth_token_env: input.authTokenEnv ?? null,
    currency: input.currency,
    clearing_account_id: clearing,
    debtor_name: input.debtorName,
    debtor_account: debtorAccount,
    sender_id: input.senderId,
    callback_uri: input.callbackUri ?? null,
    updated_at: at,
    updated_by: who,
  };
  return app.db.transaction(async (trx) => {
    await trx
      .insertInto('payout_providers')
      .values({ id: providerId, ...values, created_at: at, created_by: who })
      .onConflict((oc) => oc.column('id').doUpdateSet(values))
      .execute();
    await appendAudit(trx, app, caller, {
      operation: 'payout.provider',
      permission: 'payout:provider',
      details: { providerId, adapter: input.adapter, kind: input.kind },
    });
    return loadProvider(trx, providerId);
  });
}

/** A provider by id, or NOT_FOUND naming `field`. */
export async function loadProvider(
  db: Queryable,
  providerId: string,
  field = 'providerId',
): Promise<Provider> {
  const row = await db
    .selectFrom('payout_providers')
    .selectAll()
    .where('id', '=', providerId)
    .executeTakeFirst();
  if (!row) throw new DomainError('NOT_FOUND', 'Payout provider not found.', field);
  return providerFromRow(row);
}

/**
 * Every provider (configuration only: no personal data), for finance and for the registrar
 * who records where a person is paid.
 */
export async function listProviders(app: AppContext, caller: Caller): Promise<Provider[]> {
  if (!can(caller.actor, 'payout_destination:write'))
    requirePermission(caller.actor, 'payout:read');
  const rows = await app.db.kysely
    .selectFrom('payout_providers')
    .selectAll()
    .orderBy('id')
    .execute();
  return rows.map(providerFromRow);
}
