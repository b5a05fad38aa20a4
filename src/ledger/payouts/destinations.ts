// Where a person is paid: their account at a bank or mobile-money provider. A registrar
// records it with the person present (their identity checked as for a wallet PIN); a change
// writes a new row and supersedes the old one, never deleting it, so that a payout batch keeps
// pointing at the destination it was approved with. Reading it is reading personal data: with
// a purpose, inside the reader's regions, audited.
import { z } from 'zod';
import { appendAudit } from '../../privacy';
import { loadPersonInRegion } from '../../registry';
import { humanOf, requirePermission } from '../../shared/access';
import type { AppContext, Caller } from '../../shared/context';
import { DomainError } from '../../shared/errors';
import { plainText } from '../../shared/schemas';
import { identityDocuments } from '../wallet-documents';
import { normaliseAccount } from './account-numbers';
import { loadProvider } from './providers';

/** A destination as a registrar records it. */
export const destinationInput = z
  .object({
    providerId: z.string().min(1).max(64),
    scheme: z.enum(['iban', 'account', 'msisdn']),
    account: z.string().min(4).max(40),
    holderName: plainText(70).pipe(z.string().min(2)),
    /** The document the registrar checked, the person being present. */
    identityDocument: z.enum(identityDocuments),
  })
  .strict();
/** A destination as recorded, validated. */
export type DestinationInput = z.output<typeof destinationInput>;

/** A destination as the API shows it. */
export interface Destination {
  id: string;
  personId: string;
  providerId: string;
  kind: 'bank' | 'mobile_money';
  scheme: 'iban' | 'account' | 'msisdn';
  account: string;
  holderName: string;
  createdAt: string;
  createdBy: string;
  supersededAt: string | null;
}

function requirePurpose(caller: Caller): void {
  if (!caller.purpose)
    throw new DomainError(
      'PURPOSE_REQUIRED',
      'Where a person is paid is personal data: declare a purpose (header X-Purpose).',
      'purpose',
    );
}

/** Records where a person is paid, superseding what was recorded before. */
export async function setPayoutDestination(
  app: AppContext,
  caller: Caller,
  personId: string,
  input: DestinationInput,
): Promise<Destination> {
  requirePermission(caller.actor, 'payout_destination:write');
  requirePurpose(caller);
  const provider = await loadProvider(app.db.kysely, input.providerId);
  if (provider.kind === 'mobile_money' && input.scheme !== 'msisdn')
    throw new DomainError(
      'VALIDATION_FAILED',
      'scheme: a mobile-money provider pays a mobile number (msisdn).',
      'scheme',
    );
  if (provider.kind === 'bank' && input.scheme === 'msisdn')
    throw new DomainError(
      'VALIDATION_FAILED',
      'scheme: a bank pays an IBAN or an account number.',
      'scheme',
    );
  const account = normaliseAccount(input.scheme, input.account, 'account');
  return app.db.transaction(async (trx) => {
    await loadPersonInRegion(trx, caller, personId, 'payout_destination:write');
    const at = app.now().toISOString();
    const who = humanOf(caller.actor);
    const id = app.newId();
    await trx
      .updateTable('payout_destinations')
      .set({ superseded_at: at, superseded_by: id })
      .where('person_id', '=', personId)
      .where('superseded_at', 'is', null)
      .execute();
    await trx
      .insertInto('payout_destinations')
      .values({
        id,
        person_id: personId,
        provider_id: provider.id,
        kind: provider.kind,
        scheme: input.scheme,
        account,
        holder_name: input.holderName,
        created_at: at,
        created_by: who,
        superseded_at: null,
        superseded_by: null,
      })
      .execute();
    await appendAudit(trx, app, caller, {
      operation: 'payout.destination_write',
      permission: 'payout_destination:write',
      subjectIds: [personId],
      details: { providerId: provider.id, scheme: input.scheme, document: input.identityDocument },
    });
    return {
      id,
      personId,
      providerId: provider.id,
      kind: provider.kind,
      scheme: input.scheme,
      account,
      holderName: input.holderName,
      createdAt: at,
      createdBy: who,
      supersededAt: null,
    };
  });
}

/** A person's destinations, current first then earlier ones; with a purpose, audited. */
export async function listPayoutDestinations(
  app: AppContext,
  caller: Caller,
  personId: string,
): Promise<{ current: Destination | null; earlier: Destination[] }> {
  requirePermission(caller.actor, 'payout_destination:read');
  requirePurpose(caller);
  return app.db.transaction(async (trx) => {
    await loadPersonInRegion(trx, caller, personId, 'payout_destination:read');
    await appendAudit(trx, app, caller, {
      operation: 'payout.destination_read',
      permission: 'payout_destination:read',
      subjectIds: [personId],
    });
    const rows = await trx
      .selectFrom('payout_destinations')
      .selectAll()
      .where('person_id', '=', personId)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(50)
      .execute();
    const all = rows.map((r): Destination => ({
      id: r.id,
      personId: r.person_id,
      providerId: r.provider_id,
      kind: r.kind,
      scheme: r.scheme,
      account: r.account,
      holderName: r.holder_name,
      createdAt: r.created_at,
      createdBy: r.created_by,
      supersededAt: r.superseded_at,
    }));
    return {
      current: all.find((d) => d.supersededAt === null) ?? null,
      earlier: all.filter((d) => d.supersededAt !== null),
    };
  });
}
