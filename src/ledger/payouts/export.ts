// Exporting an approved batch: for each provider, its ready items are reserved a page at a
// time — each page in one transaction that claims the person for the batch's origin, moves
// the amount from the fund to the provider's clearing account as a PENDING transfer, and marks
// the items exported — and then the export is handed to the provider.
//
// Pending, not posted: the money has left the fund's reach (a fund cannot promise it twice)
// but has not been paid; the provider's report posts it (paid) or voids it (returned, so the
// fund gets it back exactly, with no reversing transfer to invent). It never expires on its
// own: a bank may take days, and an expiry would give back money the bank may have paid.
//
// Once per person per origin: the claim (origin, person) admits one open or settled item. A
// rerun after a crash finds its own claim and the same derived transfer id (`exists`); a
// person whose earlier attempt was returned is sent again as the next attempt, with a new
// transfer id and end-to-end id, so the returned attempt's ids are never reused.
import type { Selectable, Transaction } from 'kysely';
import type { Schema } from '../../db';
import { appendAudit } from '../../privacy';
import { humanOf, systemActor } from '../../shared/access';
import type { AppContext, Caller } from '../../shared/context';
import { DomainError } from '../../shared/errors';
import { readAmount } from '../amount';
import { applyTransfersIn } from '../create-transfers';
import type { PayoutBatchesTable, PayoutItemsTable } from '../tables';
import type { TransferInput } from '../types';
import { lockBatch, requireNational } from './batches';
import { deliverExport } from './deliver';
import { payoutEndToEndId, payoutExportId, payoutTransferId } from './ids';
import { payoutPageRows } from './limits';
import { exportTotals } from './pain001';
import { loadProvider } from './providers';

// The ledger writes are the system's: finance holds payout:export, not ledger:write, and the
// export's own audit entries name the officer.
const ledgerCaller: Caller = { actor: systemActor('payout') };

/** What an export run did. */
export interface ExportReport {
  batchId: string;
  reserved: number;
  failed: number;
  skipped: number;
  exports: { id: string; providerId: string; items: number; total: string; delivery: string }[];
}

/** Exports what is ready in an approved batch, and delivers what is not yet delivered. */
export async function exportPayoutBatch(
  app: AppContext,
  caller: Caller,
  batchId: string,
): Promise<ExportReport> {
  requireNational(caller, 'payout:export');
  const batch = await app.db.transaction((trx) => lockBatch(trx, app, batchId));
  if (batch.status === 'created')
    throw new DomainError(
      'INVALID_STATE',
      'The batch must be approved by a second person before it is exported.',
      'id',
    );
  const report: ExportReport = { batchId, reserved: 0, failed: 0, skipped: 0, exports: [] };
  const providers = await app.db.kysely
    .selectFrom('payout_items')
    .select('provider_id')
    .distinct()
    .where('batch_id', '=', batchId)
    .where('status', '=', 'ready')
    .execute();
  for (const { provider_id } of providers) {
    if (!provider_id) continue;
    const exportId = await openExportId(app, batchId, provider_id);
    for (;;) {
      const page = await app.db.transaction((trx) =>
        reservePage(trx, app, caller, batch.id, provider_id, exportId),
      );
      report.reserved += page.reserved;
      report.failed += page.failed;
      report.skipped += page.skipped;
      if (page.read < payoutPageRows) break;
    }
  }
  const undelivered = await app.db.kysely
    .selectFrom('payout_exports')
    .selectAll()
    .where('batch_id', '=', batchId)
    .where('status', '=', 'reserved')
    .orderBy('id')
    .execute();
  for (const exported of undelivered) {
    const provider = await loadProvider(app.db.kysely, exported.provider_id);
    const current = await app.db.kysely
      .selectFrom('payout_batches')
      .selectAll()
      .where('id', '=', batchId)
      .executeTakeFirstOrThrow();
    const delivery = await deliverExport(app, exported, current, provider);
    const totals = await exportTotals(app.db.kysely, exported.id);
    await app.db.kysely
      .updateTable('payout_exports')
      .set({
        status: 'sent',
        delivery,
        item_count: totals.count,
        total_minor: totals.total,
        sent_at: app.now().toISOString(),
      })
      .where('id', '=', exported.id)
      .execute();
    report.exports.push({
      id: exported.id,
      providerId: exported.provider_id,
      items: totals.count,
      total: totals.total.toString(),
      delivery,
    });
  }
  if (batch.status === 'approved' || report.reserved > 0)
    await app.db.kysely
      .updateTable('payout_batches')
      .set({ status: 'exported', exported_at: batch.exported_at ?? app.now().toISOString() })
      .where('id', '=', batchId)
      .where('status', 'in', ['approved', 'settled'])
      .execute();
  await settleBatchIfDone(app.db.kysely, app, batchId);
  return report;
}

// The export a provider's ready items go into: one not yet delivered (a crashed run's), or the
// next round's.
async function openExportId(app: AppContext, batchId: string, providerId: string): Promise<string> {
  const rows = await app.db.kysely
    .selectFrom('payout_exports')
    .select(['id', 'status'])
    .where('batch_id', '=', batchId)
    .where('provider_id', '=', providerId)
    .execute();
  const open = rows.find((r) => r.status === 'reserved');
  return open ? open.id : payoutExportId(batchId, providerId, rows.length + 1);
}

interface PageResult {
  read: number;
  reserved: number;
  failed: number;
  skipped: number;
}

type Decision =
  | { item: Selectable<PayoutItemsTable>; kind: 'skip' }
  | {
      item: Selectable<PayoutItemsTable>;
      kind: 'reserve';
      attempt: number;
      transferId: string;
      endToEndId: string;
      claim: 'new' | 'same' | 'take';
    };

async function reservePage(
  trx: Transaction<Schema>,
  app: AppContext,
  caller: Caller,
  batchId: string,
  providerId: string,
  exportId: string,
): Promise<PageResult> {
  const batch: Selectable<PayoutBatchesTable> = await lockBatch(trx, app, batchId);
  const provider = await loadProvider(trx, providerId);
  const items = await trx
    .selectFrom('payout_items')
    .selectAll()
    .where('batch_id', '=', batchId)
    .where('status', '=', 'ready')
    .where('provider_id', '=', providerId)
    .orderBy('id')
    .limit(payoutPageRows)
    .execute();
  if (items.length === 0) return { read: 0, reserved: 0, failed: 0, skipped: 0 };
  const claims = new Map<string, { item_id: string; attempt: number; state: string }>();
  for (let i = 0; i < items.length; i += 500) {
    const rows = await trx
      .selectFrom('payout_claims')
      .select(['person_id', 'item_id', 'attempt', 'state'])
      .where('origin', '=', batch.origin)
      .where(
        'person_id',
        'in',
        items.slice(i, i + 500).map((x) => x.person_id),
      )
      .execute();
    for (const r of rows) claims.set(r.person_id, r);
  }
  const decisions: Decision[] = items.map((item) => {
    const claim = claims.get(item.person_id);
    if (!claim)
      return {
        item,
        kind: 'reserve',
        attempt: item.attempt,
        transferId: item.transfer_id,
        endToEndId: item.end_to_end_id,
        claim: 'new',
      };
    if (claim.item_id === item.id && claim.attempt === item.attempt && claim.state === 'open')
      return {
        item,
        kind: 'reserve',
        attempt: item.attempt,
        transferId: item.transfer_id,
        endToEndId: item.end_to_end_id,
        claim: 'same',
      };
    if (claim.state !== 'failed') return { item, kind: 'skip' };
    const attempt = claim.attempt >= item.attempt ? claim.attempt + 1 : item.attempt;
    return {
      item,
      kind: 'reserve',
      attempt,
      transferId: payoutTransferId(batch.origin, item.person_id, attempt),
      endToEndId: payoutEndToEndId(item.id, attempt),
      claim: 'take',
    };
  });
  const reserve = decisions.filter((d) => d.kind === 'reserve');
  const transfers: TransferInput[] = reserve.map((d) => ({
    id: d.transferId,
    debitAccountId: batch.fund_account_id,
    creditAccountId: provider.clearingAccountId,
    amount: readAmount(d.item.amount_minor, 'amount_minor'),
    ledger: batch.currency,
    code: 'payout',
    flags: { pending: true },
  }));
  const { results } =
    transfers.length > 0
      ? await applyTransfersIn(trx, app, ledgerCaller, transfers)
      : { results: [] };
  const at = app.now().toISOString();
  const exported: string[] = [];
  const exportedPersons: string[] = [];
  const failedBy = new Map<string, string[]>();
  const newClaims: Record<string, unknown>[] = [];
  let reserved = 0;
  for (let k = 0; k < reserve.length; k += 1) {
    const d = reserve[k]!;
    if (d.kind !== 'reserve') continue;
    const result = results[k]!.result;
    if (result !== 'created' && result !== 'exists') {
      const reason = result === 'exceeds_credits' ? 'fund_exhausted' : `ledger_${result}`;
      failedBy.set(reason, [...(failedBy.get(reason) ?? []), d.item.id]);
      continue;
    }
    reserved += 1;
    if (d.attempt !== d.item.attempt)
      await trx
        .updateTable('payout_items')
        .set({ attempt: d.attempt, transfer_id: d.transferId, end_to_end_id: d.endToEndId })
        .where('id', '=', d.item.id)
        .execute();
    if (d.claim === 'new')
      newClaims.push({
        origin: batch.origin,
        person_id: d.item.person_id,
        item_id: d.item.id,
        attempt: d.attempt,
        state: 'open',
      });
    else if (d.claim === 'take')
      await trx
        .updateTable('payout_claims')
        .set({ item_id: d.item.id, attempt: d.attempt, state: 'open' })
        .where('origin', '=', batch.origin)
        .where('person_id', '=', d.item.person_id)
        .where('state', '=', 'failed')
        .execute();
    exported.push(d.item.id);
    exportedPersons.push(d.item.person_id);
  }
  await app.db.insertMany(trx, 'payout_claims', newClaims);
  if (exported.length > 0) {
    const known = await trx
      .selectFrom('payout_exports')
      .select('id')
      .where('id', '=', exportId)
      .executeTakeFirst();
    if (!known)
      await trx
        .insertInto('payout_exports')
        .values({
          id: exportId,
          batch_id: batchId,
          provider_id: providerId,
          adapter: provider.adapter,
          status: 'reserved',
          item_count: 0,
          total_minor: 0n,
          delivery: null,
          created_at: at,
          created_by: humanOf(caller.actor),
          sent_at: null,
        })
        .execute();
  }
  for (let i = 0; i < exported.length; i += 500)
    await trx
      .updateTable('payout_items')
      .set({ status: 'exported', export_id: exportId, reason: null, updated_at: at })
      .where('id', 'in', exported.slice(i, i + 500))
      .execute();
  let failed = 0;
  for (const [reason, ids] of failedBy) {
    failed += ids.length;
    for (let i = 0; i < ids.length; i += 500)
      await trx
        .updateTable('payout_items')
        .set({ status: 'failed', reason, updated_at: at })
        .where('id', 'in', ids.slice(i, i + 500))
        .execute();
  }
  const skippedIds = decisions.filter((d) => d.kind === 'skip').map((d) => d.item.id);
  for (let i = 0; i < skippedIds.length; i += 500)
    await trx
      .updateTable('payout_items')
      .set({ status: 'skipped', reason: 'already_paid', updated_at: at })
      .where('id', 'in', skippedIds.slice(i, i + 500))
      .execute();
  if (exportedPersons.length > 0)
    await appendAudit(trx, app, caller, {
      operation: 'payout.export',
      permission: 'payout:export',
      subjectIds: exportedPersons,
      details: { batchId, exportId, providerId, items: exportedPersons.length },
    });
  return { read: items.length, reserved, failed, skipped: skippedIds.length };
}

/** Marks a batch settled once none of its items is ready or exported. */
export async function settleBatchIfDone(
  db: Transaction<Schema> | AppContext['db']['kysely'],
  app: AppContext,
  batchId: string,
): Promise<void> {
  const open = await db
    .selectFrom('payout_items')
    .select('id')
    .where('batch_id', '=', batchId)
    .where('status', 'in', ['ready', 'exported'])
    .limit(1)
    .execute();
  if (open.length > 0) return;
  await db
    .updateTable('payout_batches')
    .set({ status: 'settled', settled_at: app.now().toISOString() })
    .where('id', '=', batchId)
    .where('status', '=', 'exported')
    .execute();
}
