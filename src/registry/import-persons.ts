// Bulk import of new persons from CSV or JSON Lines, in constant memory.
//
// Two passes over the source. The first checks the whole file's structure — CSV syntax, JSON
// syntax, and every column or attribute name against the closed schema — and writes nothing:
// a broken quote on line 40,000 or a `voted_2024` column refuses the whole file before any row
// is stored. The second validates each row and writes in batches; a bad row is rejected with
// its line and reason and writes nothing, the others go in. Idempotent by external id: rows
// whose external id is already registered are skipped, so a rerun after a crash completes it.
//
// Reading, validating and building rows happens in a worker thread (import-worker.ts), a
// batch or two ahead of this thread, which checks what needs the database and writes: on two
// cores the parsing costs almost nothing beside the inserts.
import type { Insertable } from 'kysely';
import type { Queryable } from '../db';
import { regionsFor } from '../shared/access';
import { appendAudit } from '../privacy';
import type { AppContext, Caller } from '../shared/context';
import { DomainError, type ErrorCode } from '../shared/errors';
import { importBatchRows, importReportRejectsMax } from '../shared/limits';
import { startWorker } from '../shared/worker';
import { loadDefinitions } from './attributes';
import type {
  ImportMembership,
  ImportReject,
  ImportSource,
  PrepareImportInput,
  PreparedBatch,
} from './import-rows';
import type { ImportWorkerMessage } from './import-worker';
import { generateRegistryNumber } from './registry-number';
import type { HouseholdMembersTable, HouseholdsTable, PersonsTable } from './tables';

export { personCsvColumns, type ImportReject, type ImportSource } from './import-rows';

/** What an import did, row by row. */
export interface ImportReport {
  runId: string;
  total: number;
  accepted: number;
  skipped: number;
  rejected: number;
  notAttempted: number;
  rejects: ImportReject[];
  /** Set when the import stopped early; the rows after it were not attempted. */
  stoppedBy?: string;
}

/** Progress of the write pass. */
export type ImportProgress = (done: number, total: number) => void;

/** Gives each row a registry number no one holds, checking the batch against the table at once. */
async function assignRegistryNumbers(
  app: AppContext,
  trx: Queryable,
  rows: Insertable<PersonsTable>[],
): Promise<void> {
  // Sorted within the batch, so the unique index takes them in order (a tenth faster at 1M
  // rows); each number is still drawn uniformly and says nothing about the person.
  const numbers = rows.map(() => generateRegistryNumber()).sort();
  rows.forEach((row, i) => (row.registry_number = numbers[i]!));
  let pending = rows;
  for (let attempt = 0; pending.length > 0; attempt++) {
    if (attempt > 10) throw new Error('invariant violated: registry numbers keep colliding');
    const taken = await app.db.existingValues(
      trx,
      'persons',
      'registry_number',
      pending.map((r) => r.registry_number),
    );
    const inBatch = new Set<string>();
    const again: Insertable<PersonsTable>[] = [];
    for (const row of pending) {
      if (taken.has(row.registry_number) || inBatch.has(row.registry_number)) {
        row.registry_number = generateRegistryNumber();
        again.push(row);
      } else inBatch.add(row.registry_number);
    }
    pending = again;
  }
}

/**
 * Places imported rows in the households their file names (`household` and `relationship`
 * columns): a reference seen before — in this file or an earlier import — is the same
 * household; a new one is created at its first member's address. Refuses, by row, a second
 * head and a member whose region is not the household's. Sets each placed row's household_id;
 * returns the households and memberships to insert beside the rows.
 */
async function placeInHouseholds(
  trx: Queryable,
  app: AppContext,
  caller: Caller,
  rows: Insertable<PersonsTable>[],
  membershipOf: Map<string, ImportMembership>,
): Promise<{
  refused: Map<string, string>;
  households: Insertable<HouseholdsTable>[];
  members: Insertable<HouseholdMembersTable>[];
}> {
  const refused = new Map<string, string>();
  const households: Insertable<HouseholdsTable>[] = [];
  const members: Insertable<HouseholdMembersTable>[] = [];
  const refs = [...new Set([...membershipOf.values()].map((m) => m.household))];
  if (refs.length === 0) return { refused, households, members };
  const known = new Map<string, { id: string; region: string; hasHead: boolean }>();
  for (let i = 0; i < refs.length; i += 500) {
    const found = await trx
      .selectFrom('households')
      .select(['id', 'external_ref', 'region_code'])
      .where('external_ref', 'in', refs.slice(i, i + 500))
      .execute();
    const heads = new Set(
      found.length === 0
        ? []
        : (
            await trx
              .selectFrom('household_members')
              .select('household_id')
              .where(
                'household_id',
                'in',
                found.map((h) => h.id),
              )
              .where('relationship', '=', 'head')
              .where('left_at', 'is', null)
              .execute()
          ).map((m) => m.household_id),
    );
    for (const h of found)
      known.set(h.external_ref!, { id: h.id, region: h.region_code, hasHead: heads.has(h.id) });
  }
  const now = app.now().toISOString();
  for (const row of rows) {
    const m = membershipOf.get(row.id);
    if (!m) continue;
    let h = known.get(m.household);
    if (!h) {
      h = { id: app.newId(), region: row.region_code, hasHead: false };
      known.set(m.household, h);
      households.push({
        id: h.id,
        external_ref: m.household,
        region_code: row.region_code,
        locality: row.locality ?? null,
        address_line: row.address_line ?? null,
        created_at: now,
        created_by: caller.actor.id,
      });
    }
    if (h.region !== row.region_code) {
      refused.set(
        row.id,
        `household ${m.household} is in region ${h.region}, and this person's address is in ${row.region_code}`,
      );
      continue;
    }
    if (m.relationship === 'head' && h.hasHead) {
      refused.set(row.id, `household ${m.household} already has a head`);
      continue;
    }
    if (m.relationship === 'head') h.hasHead = true;
    row.household_id = h.id;
    members.push({
      id: app.newId(),
      household_id: h.id,
      person_id: row.id,
      relationship: m.relationship,
      joined_at: now,
      joined_reason: 'import',
      left_at: null,
      left_reason: null,
      recorded_by: caller.actor.id,
    });
  }
  // A household whose every member was refused is not created.
  const used = new Set(members.map((x) => x.household_id));
  return { refused, households: households.filter((x) => used.has(x.id)), members };
}

/** Writes one prepared batch in one transaction: the checks that need the database, then rows and audit. */
async function writeBatch(
  app: AppContext,
  caller: Caller,
  batch: PreparedBatch,
  report: ImportReport,
  allowedRegions: '*' | string[],
): Promise<void> {
  const reject = (r: ImportReject) => {
    report.rejected++;
    if (report.rejects.length < importReportRejectsMax) report.rejects.push(r);
  };
  for (const r of batch.rejects) reject(r);
  await app.db.transaction(async (trx) => {
    const externalIds = batch.rows.map((r) => r.external_id).filter((x): x is string => Boolean(x));
    const existing = await app.db.existingValues(trx, 'persons', 'external_id', externalIds);
    const seen = new Set<string>();
    let rows: Insertable<PersonsTable>[] = [];
    const lineOf = new Map<string, number>();
    batch.rows.forEach((row, i) => {
      const line = batch.lines[i]!;
      const externalId = row.external_id;
      if (externalId && existing.has(externalId)) {
        report.skipped++;
        return;
      }
      if (externalId && seen.has(externalId)) {
        reject({
          line,
          field: 'externalId',
          code: 'ALREADY_EXISTS',
          reason: `external id ${externalId} appears earlier in the file`,
        });
        return;
      }
      if (allowedRegions !== '*' && !allowedRegions.includes(row.region_code)) {
        reject({
          line,
          field: 'address.regionCode',
          code: 'FORBIDDEN',
          reason: `you may not enrol persons in region ${row.region_code}`,
        });
        return;
      }
      if (externalId) seen.add(externalId);
      rows.push(row);
      lineOf.set(row.id, line);
    });
    if (app.duplicateScreening) {
      // Each row is checked against the registry and the rows before it (see src/dedup).
      const refused = await app.duplicateScreening.screenRows(trx, caller, rows, {
        sourceId: report.runId,
      });
      for (const [id, reason] of refused)
        reject({ line: lineOf.get(id) ?? 0, code: 'POSSIBLE_DUPLICATE', reason });
      if (refused.size > 0) rows = rows.filter((r) => !refused.has(r.id));
    }
    const membershipOf = new Map<string, ImportMembership>();
    batch.rows.forEach((row, i) => {
      const m = batch.memberships[i];
      if (m) membershipOf.set(row.id, m);
    });
    const placed = await placeInHouseholds(trx, app, caller, rows, membershipOf);
    for (const [id, reason] of placed.refused)
      reject({ line: lineOf.get(id) ?? 0, field: 'household', code: 'CONFLICT', reason });
    if (placed.refused.size > 0) rows = rows.filter((r) => !placed.refused.has(r.id));
    await assignRegistryNumbers(app, trx, rows);
    await app.db.insertMany(trx, 'households', placed.households as Record<string, unknown>[]);
    await app.db.insertMany(trx, 'persons', rows as Record<string, unknown>[]);
    await app.db.insertMany(trx, 'household_members', placed.members as Record<string, unknown>[]);
    await appendAudit(trx, app, caller, {
      operation: 'person.import',
      permission: 'registry:import',
      subjectIds: rows.map((r) => r.id),
      details: { runId: report.runId, rows: rows.length, households: placed.households.length },
      indexSubjects: false,
    });
    report.accepted += rows.length;
  });
}

/** The worker's messages as an async sequence; the worker is ended when the sequence is. */
function importWorker(input: PrepareImportInput, now: () => string) {
  const worker = startWorker(new URL('./import-worker.ts', import.meta.url), input);
  const queue: ImportWorkerMessage[] = [];
  let wake: (() => void) | null = null;
  let crashed: Error | null = null;
  worker.on('message', (m: ImportWorkerMessage) => {
    queue.push(m);
    wake?.();
  });
  worker.on('error', (e) => {
    crashed = e;
    wake?.();
  });
  return {
    grant: () => worker.postMessage({ type: 'more', now: now() }),
    async next(): Promise<ImportWorkerMessage> {
      while (queue.length === 0) {
        if (crashed) throw crashed;
        await new Promise<void>((resolve) => (wake = resolve));
      }
      return queue.shift()!;
    },
    stop: () => worker.terminate(),
  };
}

function rethrow(message: Extract<ImportWorkerMessage, { type: 'failed' }>): never {
  const { code, message: text, field, details } = message.error;
  if (code) throw new DomainError(code as ErrorCode, text, field, details);
  throw new Error(text);
}

/** Imports persons from a CSV or JSON Lines source; returns the per-row report. */
export async function importPersons(
  app: AppContext,
  caller: Caller,
  source: ImportSource,
  options: { format: 'csv' | 'jsonl'; sourceName: string; onProgress?: ImportProgress },
): Promise<ImportReport> {
  const allowedRegions = regionsFor(caller.actor, 'registry:import');
  if (allowedRegions !== '*' && allowedRegions.length === 0)
    throw new DomainError('FORBIDDEN', 'This action needs the permission registry:import.');
  const definitions = [...(await loadDefinitions(app.db.kysely)).values()];
  const input: PrepareImportInput = {
    source,
    format: options.format,
    definitions,
    regions: Object.keys(app.config.regions),
    dataKey: new Uint8Array(app.config.dataKey),
    actorId: caller.actor.id,
    batchRows: importBatchRows,
  };
  const worker = importWorker(input, () => app.now().toISOString());
  try {
    // Pass 1, in the worker: throws, naming the place, before anything is written.
    const checked = await worker.next();
    if (checked.type === 'failed') rethrow(checked);
    if (checked.type !== 'checked')
      throw new Error(`invariant violated: import worker sent ${checked.type} first`);
    const report: ImportReport = {
      runId: app.newId(),
      total: checked.total,
      accepted: 0,
      skipped: 0,
      rejected: 0,
      notAttempted: 0,
      rejects: [],
    };
    await app.db.kysely
      .insertInto('import_runs')
      .values({
        id: report.runId,
        source_name: options.sourceName.slice(0, 200),
        started_at: app.now().toISOString(),
        finished_at: null,
        started_by: caller.actor.id,
        report: null,
      })
      .execute();
    await writeAll(app, caller, worker, report, allowedRegions, options.onProgress);
    await app.db.kysely
      .updateTable('import_runs')
      .set({
        finished_at: app.now().toISOString(),
        accepted: report.accepted,
        rejected: report.rejected,
        report: JSON.stringify({ ...report, rejects: report.rejects.slice(0, 100) }),
      })
      .where('id', '=', report.runId)
      .execute();
    return report;
  } finally {
    await worker.stop();
  }
}

/** Pass 2: writes each batch the worker prepares, keeping it at most two batches ahead. */
async function writeAll(
  app: AppContext,
  caller: Caller,
  worker: ReturnType<typeof importWorker>,
  report: ImportReport,
  allowedRegions: '*' | string[],
  onProgress?: ImportProgress,
): Promise<void> {
  worker.grant();
  worker.grant();
  let done = 0;
  try {
    for (;;) {
      const message = await worker.next();
      if (message.type === 'end') return;
      if (message.type === 'failed') rethrow(message);
      if (message.type !== 'batch')
        throw new Error(`invariant violated: import worker sent ${message.type}`);
      worker.grant();
      await writeBatch(app, caller, message.batch, report, allowedRegions);
      done = message.batch.done;
      onProgress?.(done, report.total);
    }
  } catch (e) {
    // Only a source that changed between passes, or a lost database, lands here; the batches
    // already written stay (each was whole), the rest is reported as not attempted.
    report.stoppedBy = e instanceof Error ? e.message : String(e);
    report.notAttempted = report.total - report.accepted - report.skipped - report.rejected;
  }
}
