// G2P Connect on Tessera's side: the /on-disburse and /disburse/txn/on-status callbacks a
// provider calls with each disbursement's status, and the /disburse/txn/status query Tessera
// sends it. A callback is accepted only from an API token holding payout:callback (never a
// session), for a G2P provider whose id the header's sender_id names, and applies only to that
// provider's items. Statuses map as: succ → paid (the pending transfer posts), rjct → returned
// (it voids) — except rjct.reference_id.duplicate, which the specification gives a disbursement
// whose reference_id the provider has already seen: the earlier one stands, so nothing is
// changed — and rcvd/pdng → still pending. A message delivered twice changes nothing.
import { isUniqueViolation } from '../../db';
import { requirePermission } from '../../shared/access';
import type { AppContext, Caller } from '../../shared/context';
import { DomainError } from '../../shared/errors';
import { requireNational } from './batches';
import {
  duplicateReferenceCode,
  g2pAck,
  g2pHeader,
  g2pOnDisburse,
  g2pOnTxnStatus,
  type G2pDisbursementStatus,
} from './g2p-messages';
import { providerTimeoutMs } from './limits';
import { decimalToMinor } from './money-text';
import { providerFromRow, type Provider } from './providers';
import { providerToken } from './settings';
import { applyStatusLines, type StatusLine } from './status-apply';
import { storedImport, type StatusImport } from './import-status';
import { recordStatementLines } from '../reconciliation-lines';

/** The acknowledgement a callback answers (the specification's Response). */
export interface G2pAckBody {
  message: { ack_status: 'ACK'; timestamp: string; correlation_id: string };
}

async function callbackProvider(app: AppContext, senderId: string): Promise<Provider> {
  const row = await app.db.kysely
    .selectFrom('payout_providers')
    .selectAll()
    .where('adapter', '=', 'g2p')
    .where('agent_id', '=', senderId)
    .executeTakeFirst();
  if (!row)
    throw new DomainError(
      'FORBIDDEN',
      'err.sender_id.invalid: no G2P provider has this sender_id.',
      'header.sender_id',
    );
  return providerFromRow(row);
}

function linesOf(statuses: readonly G2pDisbursementStatus[]): StatusLine[] {
  return statuses.map((s, index) => {
    const currency = s.currency_code ?? null;
    const amount = s.amount !== undefined && currency ? decimalToMinor(s.amount, currency) : null;
    if (s.amount !== undefined && currency && amount === null)
      throw new DomainError(
        'VALIDATION_FAILED',
        `disbursements_status.${index}.amount: not an amount in ${currency}.`,
        `message.disbursements_status.${index}.amount`,
      );
    const duplicate = s.status === 'rjct' && s.status_reason_code === duplicateReferenceCode;
    return {
      at: `disbursements_status.${index}`,
      endToEndId: s.reference_id,
      outcome: duplicate
        ? 'duplicate'
        : s.status === 'succ'
          ? 'settled'
          : s.status === 'rjct'
            ? 'failed'
            : 'pending',
      reason: s.status === 'rjct' ? (s.status_reason_code ?? 'rjct').slice(0, 35) : null,
      amount,
      currency,
    };
  });
}

/** Applies a provider's /on-disburse or /disburse/txn/on-status callback. */
export async function receiveG2pCallback(
  app: AppContext,
  caller: Caller,
  kind: 'on-disburse' | 'on-status',
  body: unknown,
): Promise<G2pAckBody & { report: StatusImport }> {
  requirePermission(caller.actor, 'payout:callback');
  if (caller.actor.kind !== 'token')
    throw new DomainError(
      'FORBIDDEN',
      'Provider callbacks come with a provider API token, not a staff session.',
    );
  const parsed = (kind === 'on-disburse' ? g2pOnDisburse : g2pOnTxnStatus).safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.path.map(String).join('.');
    throw new DomainError('VALIDATION_FAILED', `${path}: ${issue.message}`, path);
  }
  const { header } = parsed.data;
  const provider = await callbackProvider(app, header.sender_id);
  if (header.receiver_id !== undefined && header.receiver_id !== provider.senderId)
    throw new DomainError(
      'VALIDATION_FAILED',
      'err.receiver_id.invalid: this message is not addressed to us.',
      'header.receiver_id',
    );
  const statuses: readonly G2pDisbursementStatus[] =
    kind === 'on-disburse'
      ? (g2pOnDisburse.parse(body).message?.disbursements_status ?? [])
      : (g2pOnTxnStatus.parse(body).message?.txnstatus_response.txn_status.disbursements_status ??
        []);
  const lines = linesOf(statuses);
  const fingerprint = `g2p:${provider.id}:${header.message_id}`;
  const ack = (id: string): G2pAckBody => ({
    message: { ack_status: 'ACK', timestamp: app.now().toISOString(), correlation_id: id },
  });
  const before = await storedImport(app, fingerprint);
  if (before) return { ...ack(before.reportId), report: before };
  const reportId = app.newId();
  try {
    const report = await app.db.transaction(async (trx) => {
      const outcome = await applyStatusLines(
        trx,
        app,
        caller,
        reportId,
        lines,
        provider.id,
        'payout:callback',
      );
      await recordStatementLines(trx, app, reportId, 'g2p', lines);
      await trx
        .insertInto('payout_status_reports')
        .values({
          id: reportId,
          fingerprint,
          kind: 'g2p',
          message_id: header.message_id,
          report: JSON.stringify(outcome),
          imported_at: app.now().toISOString(),
          imported_by: caller.actor.id,
        })
        .execute();
      return {
        ...outcome,
        reportId,
        kind: 'g2p' as const,
        messageId: header.message_id,
        repeated: false,
      };
    });
    return { ...ack(reportId), report };
  } catch (error) {
    if (isUniqueViolation(error)) {
      const stored = await storedImport(app, fingerprint);
      if (stored) return { ...ack(stored.reportId), report: stored };
    }
    throw error;
  }
}

/** What a status query sent. */
export interface G2pStatusQuery {
  batchId: string;
  asked: { exportId: string; providerId: string; ack: string }[];
}

/**
 * Asks each G2P provider of a batch for the status of its disbursements
 * (/disburse/txn/status, by transaction_id); the answers arrive at /disburse/txn/on-status.
 */
export async function queryG2pStatus(
  app: AppContext,
  caller: Caller,
  batchId: string,
): Promise<G2pStatusQuery> {
  requireNational(caller, 'payout:import');
  const exports = await app.db.kysely
    .selectFrom('payout_exports as e')
    .innerJoin('payout_providers as p', 'p.id', 'e.provider_id')
    .selectAll('p')
    .select(['e.id as export_id'])
    .where('e.batch_id', '=', batchId)
    .where('e.adapter', '=', 'g2p')
    .where('e.status', '=', 'sent')
    .execute();
  const asked: G2pStatusQuery['asked'] = [];
  for (const row of exports) {
    const provider = providerFromRow(row);
    const at = app.now().toISOString();
    const body = {
      // The v1.0.0 schema lists only on-disburse and on-search as this header's action.
      header: g2pHeader(provider, `${row.export_id}-status-${app.newId()}`, 'on-disburse', at, 1),
      message: {
        transaction_id: `${row.export_id}-status`,
        txnstatus_request: {
          reference_id: row.export_id,
          txn_type: 'disburse',
          attribute_type: 'transaction_id',
          attribute_value: row.export_id,
        },
      },
    };
    const token = providerToken(provider.authTokenEnv);
    let status = 0;
    let text = '';
    try {
      const response = await fetch(`${provider.endpoint.replace(/\/$/, '')}/disburse/txn/status`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(providerTimeoutMs),
      });
      status = response.status;
      text = await response.text();
    } catch (error) {
      throw new DomainError(
        'INVALID_STATE',
        `The provider ${provider.id} did not answer: ${(error as Error).message}.`,
        'endpoint',
      );
    }
    const ack = g2pAck.safeParse(safeJson(text));
    if (status < 200 || status >= 300 || !ack.success)
      throw new DomainError(
        'INVALID_STATE',
        `The provider ${provider.id} did not acknowledge the status query (HTTP ${status}).`,
        'endpoint',
      );
    asked.push({
      exportId: row.export_id,
      providerId: provider.id,
      ack: ack.data.message.ack_status,
    });
  }
  return { batchId, asked };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}
