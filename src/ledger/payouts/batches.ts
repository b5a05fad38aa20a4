// Payout batches: a programme fund paying N people at their banks or mobile-money accounts.
// A batch is created with its items (each person's approved destination and amount), approved
// by a second person, exported to its providers, and settled item by item from their reports.
// Its origin (a cycle, a pension month) is what each person is paid once for: an item whose
// person is already paid, or being paid, for the origin is skipped.
import { sql } from 'kysely';
import type { Selectable, Transaction } from 'kysely';
import { z } from 'zod';
import type { Queryable, Schema } from '../../db';
import { appendAudit } from '../../privacy';
import { humanOf, regionsFor, requirePermission, type Permission } from '../../shared/access';
import type { AppContext, Caller } from '../../shared/context';
import { DomainError } from '../../shared/errors';
import { plainText } from '../../shared/schemas';
import { readStoredJson } from '../../shared/stored-json';
import { amountText, amountToText, readAmount } from '../amount';
import type { PayoutBatchesTable } from '../tables';
import { payoutEndToEndId, payoutTransferId } from './ids';
import { payoutItemsPerRequestMax } from './limits';

const idText = /^[A-Za-z0-9._:-]{3,64}$/;

/** One person to pay. */
export const payoutItemInput = z
  .object({ personId: z.string().min(1).max(64), amount: amountText })
  .strict();

/** A batch as finance prepares it. */
export const payoutBatchInput = z
  .object({
    id: z.string().regex(idText, '3 to 64 letters, digits or . _ : -'),
    origin: z.string().regex(idText, '3 to 64 letters, digits or . _ : -'),
    label: plainText(140).pipe(z.string().min(3)),
    fundAccountId: z.string().min(1).max(64),
    currency: z.string().regex(/^[A-Z]{3}$/, 'a three-letter currency code'),
    executionDate: z.iso.date(),
    items: z.array(payoutItemInput).max(payoutItemsPerRequestMax).default([]),
  })
  .strict();
/** A batch as prepared, validated. */
export type PayoutBatchInput = z.output<typeof payoutBatchInput>;

/** More items for a batch still being prepared. */
export const payoutItemsInput = z
  .object({ items: z.array(payoutItemInput).min(1).max(payoutItemsPerRequestMax) })
  .strict();

/** One person to pay, validated. */
export interface PayoutItemRequest {
  personId: string;
  amount: bigint;
}

/** A batch as the API shows it: its life and its totals (no personal data). */
export interface PayoutBatch {
  id: string;
  origin: string;
  label: string;
  fundAccountId: string;
  currency: string;
  executionDate: string;
  status: PayoutBatchesTable['status'];
  /** Items to pay, and their total, as approved. */
  itemCount: number;
  total: string;
  regions: string[];
  life: {
    createdAt: string;
    createdBy: string;
    approvedAt: string | null;
    approvedBy: string | null;
    exportedAt: string | null;
    settledAt: string | null;
  };
  /** Items and amounts by status now. */
  byStatus: Record<string, { items: number; amount: string }>;
  /** Failed items by reason. */
  failures: Record<string, number>;
  exports: {
    id: string;
    providerId: string;
    adapter: string;
    status: string;
    items: number;
    total: string;
    createdAt: string;
    sentAt: string | null;
  }[];
}

/** Refuses unless the caller holds the permission nationally: payouts move national money. */
export function requireNational(caller: Caller, permission: Permission): void {
  requirePermission(caller.actor, permission);
  if (regionsFor(caller.actor, permission) !== '*')
    throw new DomainError(
      'FORBIDDEN',
      `Payout batches move a national fund: ${permission} must be held nationally.`,
    );
}

/** A batch row, or NOT_FOUND. */
export async function loadBatchRow(
  db: Queryable,
  batchId: string,
): Promise<Selectable<PayoutBatchesTable>> {
  const row = await db
    .selectFrom('payout_batches')
    .selectAll()
    .where('id', '=', batchId)
    .executeTakeFirst();
  if (!row) throw new DomainError('NOT_FOUND', 'Payout batch not found.', 'id');
  return row;
}

/** Takes the batch's row lock on PostgreSQL (SQLite's one writer is lock enough). */
export async function lockBatch(
  trx: Transaction<Schema>,
  app: AppContext,
  batchId: string,
): Promise<Selectable<PayoutBatchesTable>> {
  let query = trx.selectFrom('payout_batches').selectAll().where('id', '=', batchId);
  if (app.db.engine === 'postgres') query = query.forUpdate();
  const row = await query.executeTakeFirst();
  if (!row) throw new DomainError('NOT_FOUND', 'Payout batch not found.', 'id');
  return row;
}

function batchRegions(row: Selectable<PayoutBatchesTable>): string[] {
  return readStoredJson(z.array(z.string()), row.regions, `payout_batches.regions of ${row.id}`);
}

/** Refuses a reader whose regions do not cover the batch's people, as not found. */
export function requireBatchInReach(
  caller: Caller,
  permission: Permission,
  row: Selectable<PayoutBatchesTable>,
): void {
  requirePermission(caller.actor, permission);
  const regions = regionsFor(caller.actor, permission);
  if (regions === '*') return;
  if (!batchRegions(row).every((r) => regions.includes(r)))
    throw new DomainError('NOT_FOUND', 'Payout batch not found.', 'id');
}

/** Prepares a batch with its first items (more may follow until it is approved). */
export async function createPayoutBatch(
  app: AppContext,
  caller: Caller,
  input: PayoutBatchInput,
): Promise<PayoutBatch> {
  requireNational(caller, 'payout:create');
  await app.db.transaction(async (trx) => {
    await insertPayoutBatch(trx, app, caller, input);
    await insertPayoutItems(trx, app, input.id, input.items);
    await appendAudit(trx, app, caller, {
      operation: 'payout.batch_create',
      permission: 'payout:create',
      details: { batchId: input.id, origin: input.origin, items: input.items.length },
    });
  });
  return getPayoutBatch(app, caller, input.id);
}

/** Writes a new batch, with no items yet, inside the caller's transaction. */
export async function insertPayoutBatch(
  trx: Transaction<Schema>,
  app: AppContext,
  caller: Caller,
  input: Omit<PayoutBatchInput, 'items'>,
): Promise<void> {
  requireNational(caller, 'payout:create');
  const fund = await trx
    .selectFrom('ledger_accounts')
    .select(['id', 'ledger', 'code'])
    .where('id', '=', input.fundAccountId)
    .executeTakeFirst();
  if (!fund || fund.code !== 'programme_fund')
    throw new DomainError('NOT_FOUND', 'No such programme fund account.', 'fundAccountId');
  if (fund.ledger !== input.currency)
    throw new DomainError(
      'VALIDATION_FAILED',
      `currency: the fund holds ${fund.ledger}.`,
      'currency',
    );
  const existing = await trx
    .selectFrom('payout_batches')
    .select('id')
    .where('id', '=', input.id)
    .executeTakeFirst();
  if (existing) throw new DomainError('ALREADY_EXISTS', 'This batch id is taken.', 'id');
  await trx
    .insertInto('payout_batches')
    .values({
      id: input.id,
      origin: input.origin,
      label: input.label,
      fund_account_id: input.fundAccountId,
      currency: input.currency,
      execution_date: input.executionDate,
      status: 'created',
      item_count: 0,
      total_minor: 0n,
      regions: '[]',
      created_at: app.now().toISOString(),
      created_by: humanOf(caller.actor),
      approved_at: null,
      approved_by: null,
      exported_at: null,
      settled_at: null,
    })
    .execute();
}

/** Adds items to a batch still being prepared. */
export async function addPayoutItems(
  app: AppContext,
  caller: Caller,
  batchId: string,
  items: readonly PayoutItemRequest[],
): Promise<PayoutBatch> {
  requireNational(caller, 'payout:create');
  await app.db.transaction(async (trx) => {
    const batch = await lockBatch(trx, app, batchId);
    if (batch.status !== 'created')
      throw new DomainError('INVALID_STATE', 'Items are added only before approval.', 'id');
    await insertPayoutItems(trx, app, batchId, items);
    await appendAudit(trx, app, caller, {
      operation: 'payout.batch_create',
      permission: 'payout:create',
      details: { batchId, items: items.length },
    });
  });
  return getPayoutBatch(app, caller, batchId);
}

const chunkRows = 500;

/**
 * Writes a page of items inside the caller's transaction: each person's current destination
 * (whose provider pays in the batch's currency) is the one approved with the batch. A person
 * with none, or already paid or being paid for this origin, is written as skipped, with why.
 * A person twice in the request, or unknown, refuses the whole page, naming the item.
 */
export async function insertPayoutItems(
  trx: Transaction<Schema>,
  app: AppContext,
  batchId: string,
  items: readonly PayoutItemRequest[],
): Promise<{ ready: number; skipped: number }> {
  if (items.length === 0) return { ready: 0, skipped: 0 };
  const batch = await lockBatch(trx, app, batchId);
  const seen = new Map<string, number>();
  items.forEach((item, index) => {
    if (seen.has(item.personId))
      throw new DomainError(
        'VALIDATION_FAILED',
        `items.${index}.personId: this person is already item ${seen.get(item.personId)}.`,
        `items.${index}.personId`,
      );
    if (item.amount <= 0n)
      throw new DomainError(
        'VALIDATION_FAILED',
        `items.${index}.amount: must be more than zero.`,
        `items.${index}.amount`,
      );
    seen.set(item.personId, index);
  });
  const at = app.now().toISOString();
  const regions = new Set(batchRegions(batch));
  let ready = 0;
  let skipped = 0;
  let total = 0n;
  for (let from = 0; from < items.length; from += chunkRows) {
    const chunk = items.slice(from, from + chunkRows);
    const ids = chunk.map((i) => i.personId);
    const persons = new Map(
      (
        await trx
          .selectFrom('persons')
          .select(['id', 'region_code', 'status'])
          .where('id', 'in', ids)
          .execute()
      ).map((p) => [p.id, p]),
    );
    const destinations = new Map(
      (
        await trx
          .selectFrom('payout_destinations as d')
          .innerJoin('payout_providers as p', 'p.id', 'd.provider_id')
          .select(['d.id', 'd.person_id', 'd.provider_id', 'p.currency'])
          .where('d.person_id', 'in', ids)
          .where('d.superseded_at', 'is', null)
          .execute()
      ).map((d) => [d.person_id, d]),
    );
    const claimed = new Map(
      (
        await trx
          .selectFrom('payout_claims')
          .select(['person_id', 'state'])
          .where('origin', '=', batch.origin)
          .where('person_id', 'in', ids)
          .execute()
      ).map((c) => [c.person_id, c.state]),
    );
    const present = new Set(
      (
        await trx
          .selectFrom('payout_items')
          .select('person_id')
          .where('batch_id', '=', batchId)
          .where('person_id', 'in', ids)
          .execute()
      ).map((r) => r.person_id),
    );
    const rows: Record<string, unknown>[] = [];
    chunk.forEach((item, k) => {
      const index = from + k;
      const person = persons.get(item.personId);
      if (!person)
        throw new DomainError(
          'VALIDATION_FAILED',
          `items.${index}.personId: no such person.`,
          `items.${index}.personId`,
        );
      if (present.has(item.personId))
        throw new DomainError(
          'CONFLICT',
          `items.${index}.personId: this person is already in the batch.`,
          `items.${index}.personId`,
        );
      const destination = destinations.get(item.personId);
      const state = claimed.get(item.personId);
      const reason =
        person.status !== 'active'
          ? 'person_not_active'
          : state === 'open' || state === 'settled'
            ? 'already_paid'
            : !destination
              ? 'no_destination'
              : destination.currency !== batch.currency
                ? 'currency_mismatch'
                : null;
      regions.add(person.region_code);
      if (reason) skipped += 1;
      else {
        ready += 1;
        total += item.amount;
      }
      const id = app.newId();
      rows.push({
        id,
        batch_id: batchId,
        person_id: item.personId,
        region_code: person.region_code,
        provider_id: destination?.provider_id ?? null,
        destination_id: destination?.id ?? null,
        amount_minor: item.amount,
        attempt: 1,
        transfer_id: payoutTransferId(batch.origin, item.personId, 1),
        end_to_end_id: payoutEndToEndId(id, 1),
        status: reason ? 'skipped' : 'ready',
        reason,
        export_id: null,
        updated_at: at,
      });
    });
    await app.db.insertMany(trx, 'payout_items', rows);
  }
  await trx
    .updateTable('payout_batches')
    .set({
      item_count: sql`item_count + ${ready}`,
      total_minor: sql`total_minor + ${total}`,
      regions: JSON.stringify([...regions].sort()),
    })
    .where('id', '=', batchId)
    .execute();
  return { ready, skipped };
}

/** Approves a batch; the approver is never who prepared it, however either signed in. */
export async function approvePayoutBatch(
  app: AppContext,
  caller: Caller,
  batchId: string,
): Promise<PayoutBatch> {
  requireNational(caller, 'payout:approve');
  await app.db.transaction(async (trx) => {
    const batch = await lockBatch(trx, app, batchId);
    if (batch.status !== 'created')
      throw new DomainError('INVALID_STATE', `The batch is ${batch.status}, not created.`, 'id');
    if (batch.created_by === humanOf(caller.actor))
      throw new DomainError(
        'FORBIDDEN',
        'A payout batch is approved by someone other than who prepared it.',
        'id',
      );
    if (batch.item_count === 0)
      throw new DomainError('INVALID_STATE', 'The batch has nothing to pay.', 'id');
    await trx
      .updateTable('payout_batches')
      .set({
        status: 'approved',
        approved_at: app.now().toISOString(),
        approved_by: humanOf(caller.actor),
      })
      .where('id', '=', batchId)
      .where('status', '=', 'created')
      .execute();
    await appendAudit(trx, app, caller, {
      operation: 'payout.batch_approve',
      permission: 'payout:approve',
      details: { batchId, items: batch.item_count, total: String(batch.total_minor) },
    });
  });
  return getPayoutBatch(app, caller, batchId);
}

/** A batch's life and totals (no personal data: no purpose needed). */
export async function getPayoutBatch(
  app: AppContext,
  caller: Caller,
  batchId: string,
): Promise<PayoutBatch> {
  const row = await loadBatchRow(app.db.kysely, batchId);
  requireBatchInReach(caller, 'payout:read', row);
  return presentBatch(app.db.kysely, row);
}

/** The newest batches the caller may read. */
export async function listPayoutBatches(
  app: AppContext,
  caller: Caller,
  query: { limit?: number | undefined; status?: string | undefined } = {},
): Promise<PayoutBatch[]> {
  requirePermission(caller.actor, 'payout:read');
  let q = app.db.kysely.selectFrom('payout_batches').selectAll();
  if (query.status) q = q.where('status', '=', query.status as PayoutBatchesTable['status']);
  const rows = await q
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .limit(query.limit ?? 50)
    .execute();
  const regions = regionsFor(caller.actor, 'payout:read');
  const visible = rows.filter(
    (r) => regions === '*' || batchRegions(r).every((x) => regions.includes(x)),
  );
  return Promise.all(visible.map((r) => presentBatch(app.db.kysely, r)));
}

async function presentBatch(
  db: Queryable,
  row: Selectable<PayoutBatchesTable>,
): Promise<PayoutBatch> {
  const groups = await db
    .selectFrom('payout_items')
    .select([
      'status',
      sql<number>`count(*)`.as('n'),
      sql<bigint>`cast(sum(amount_minor) as bigint)`.as('amount'),
    ])
    .where('batch_id', '=', row.id)
    .groupBy('status')
    .execute();
  const byStatus: PayoutBatch['byStatus'] = {};
  for (const g of groups)
    byStatus[g.status] = {
      items: g.n,
      amount: amountToText(readAmount(g.amount, 'amount')),
    };
  const reasons = await db
    .selectFrom('payout_items')
    .select(['reason', sql<number>`count(*)`.as('n')])
    .where('batch_id', '=', row.id)
    .where('status', 'in', ['failed', 'skipped'])
    .groupBy('reason')
    .execute();
  const failures: Record<string, number> = {};
  for (const r of reasons) failures[r.reason ?? 'unknown'] = r.n;
  const exports = await db
    .selectFrom('payout_exports')
    .selectAll()
    .where('batch_id', '=', row.id)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return {
    id: row.id,
    origin: row.origin,
    label: row.label,
    fundAccountId: row.fund_account_id,
    currency: row.currency,
    executionDate: row.execution_date,
    status: row.status,
    itemCount: row.item_count,
    total: amountToText(readAmount(row.total_minor, 'total_minor')),
    regions: batchRegions(row),
    life: {
      createdAt: row.created_at,
      createdBy: row.created_by,
      approvedAt: row.approved_at,
      approvedBy: row.approved_by,
      exportedAt: row.exported_at,
      settledAt: row.settled_at,
    },
    byStatus,
    failures,
    exports: exports.map((e) => ({
      id: e.id,
      providerId: e.provider_id,
      adapter: e.adapter,
      status: e.status,
      items: e.item_count,
      total: amountToText(readAmount(e.total_minor, 'total_minor')),
      createdAt: e.created_at,
      sentAt: e.sent_at,
    })),
  };
}

/** One item as a reader with a purpose sees it (who, how much, where it stands; no account). */
export interface PayoutItemView {
  id: string;
  personId: string;
  regionCode: string;
  providerId: string | null;
  amount: string;
  attempt: number;
  endToEndId: string;
  status: string;
  reason: string | null;
  exportId: string | null;
}

/** A page of a batch's items (by status), with a purpose, audited; regional readers see theirs. */
export async function listPayoutItems(
  app: AppContext,
  caller: Caller,
  batchId: string,
  query: { status?: string | undefined; after?: string | undefined; limit?: number | undefined },
): Promise<{ items: PayoutItemView[]; next: string | null }> {
  requirePermission(caller.actor, 'payout:read');
  if (!caller.purpose)
    throw new DomainError(
      'PURPOSE_REQUIRED',
      'Who is paid is personal data: declare a purpose (header X-Purpose).',
      'purpose',
    );
  return app.db.transaction(async (trx) => {
    const row = await loadBatchRow(trx, batchId);
    const regions = regionsFor(caller.actor, 'payout:read');
    if (regions !== '*' && !batchRegions(row).some((r) => regions.includes(r)))
      throw new DomainError('NOT_FOUND', 'Payout batch not found.', 'id');
    const limit = query.limit ?? 50;
    let q = trx.selectFrom('payout_items').selectAll().where('batch_id', '=', batchId);
    if (regions !== '*') q = q.where('region_code', 'in', regions);
    if (query.status)
      q = q.where('status', '=', query.status as 'ready' | 'exported' | 'settled' | 'failed');
    if (query.after) q = q.where('id', '>', query.after);
    const rows = await q
      .orderBy('id')
      .limit(limit + 1)
      .execute();
    const page = rows.slice(0, limit);
    await appendAudit(trx, app, caller, {
      operation: 'payout.items_read',
      permission: 'payout:read',
      subjectIds: page.map((r) => r.person_id),
      details: { batchId, returned: page.length },
    });
    return {
      items: page.map((r) => ({
        id: r.id,
        personId: r.person_id,
        regionCode: r.region_code,
        providerId: r.provider_id,
        amount: amountToText(readAmount(r.amount_minor, 'amount_minor')),
        attempt: r.attempt,
        endToEndId: r.end_to_end_id,
        status: r.status,
        reason: r.reason,
        exportId: r.export_id,
      })),
      next: rows.length > limit ? page[page.length - 1]!.id : null,
    };
  });
}
