// Bulk import of new persons from CSV or JSON Lines, in constant memory.
//
// Two passes over the source. The first checks the whole file's structure — CSV syntax, JSON
// syntax, and every column or attribute name against the closed schema — and writes nothing:
// a broken quote on line 40,000 or a `voted_2024` column refuses the whole file before any row
// is stored. The second validates each row and writes in batches; a bad row is rejected with
// its line and reason and writes nothing, the others go in. Idempotent by external id: rows
// whose external id is already registered are skipped, so a rerun after a crash completes it.
import type { Insertable } from 'kysely';
import type { Queryable } from '../db';
import { regionsFor } from '../auth/actor';
import { appendAudit } from '../privacy/append-audit';
import type { AppContext, Caller } from '../shared/context';
import { readCsvBatches } from '../shared/csv';
import { readLineBatches } from '../shared/lines';
import { DomainError } from '../shared/errors';
import { importBatchRows, importLineCharsMax, importReportRejectsMax } from '../shared/limits';
import { assertNameAllowed, loadDefinitions, type AttributeDefinition } from './attributes';
import { buildPersonRow } from './enrol-person';
import { personInput, type PersonInput } from './person-input';
import { generateRegistryNumber } from './registry-number';
import type { PersonsTable } from './tables';

/** Columns of the person CSV layout; any other column names a declared attribute. */
export const personCsvColumns = [
  'external_id',
  'given_names',
  'surname1',
  'surname2',
  'birth_date',
  'sex',
  'birth_place',
  'region_code',
  'locality',
  'address_line',
  'phone',
] as const;
const requiredColumns = ['given_names', 'birth_date', 'region_code'];

/** Where the rows come from: a function that opens the source afresh for each pass. */
export type ImportSource = () => AsyncIterable<string | Buffer>;

/** A rejected row. */
export interface ImportReject {
  line: number;
  field?: string;
  code: string;
  reason: string;
}

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

interface RawRow {
  line: number;
  value: unknown;
}

/** Turns CSV records into raw person objects, after checking the header; a batch per chunk. */
async function* csvRows(
  source: ImportSource,
  definitions: Map<string, AttributeDefinition>,
  checkOnly: boolean,
): AsyncGenerator<RawRow[]> {
  let header: string[] | null = null;
  let layout: CsvLayout = { at: {}, attributes: [] };
  for await (const records of readCsvBatches(source(), importLineCharsMax)) {
    const rows: RawRow[] = [];
    for (const record of records) {
      if (!header) {
        header = record.fields.map((f) => f.trim());
        checkColumns(header, definitions);
        layout = csvLayout(header);
        continue;
      }
      if (record.fields.length !== header.length) {
        const message = `line ${record.line}: ${record.fields.length} fields, but the header has ${header.length}`;
        rows.push({
          line: record.line,
          value: new DomainError('VALIDATION_FAILED', message, `line ${record.line}`),
        });
        continue;
      }
      rows.push({ line: record.line, value: checkOnly ? null : csvToInput(layout, record.fields) });
    }
    if (rows.length > 0) yield rows;
  }
  if (!header) {
    throw new DomainError(
      'MALFORMED_CSV',
      'line 1: the file is empty; it needs a header line',
      'line 1',
    );
  }
}

function checkColumns(header: string[], definitions: Map<string, AttributeDefinition>): void {
  const seen = new Set<string>();
  for (const column of header) {
    if (seen.has(column))
      throw new DomainError(
        'MALFORMED_CSV',
        `line 1: column "${column}" appears twice`,
        `column ${column}`,
      );
    seen.add(column);
    if ((personCsvColumns as readonly string[]).includes(column)) continue;
    assertNameAllowed(column, `column ${column}`);
    if (!definitions.has(column)) {
      throw new DomainError(
        'UNDECLARED_ATTRIBUTE',
        `Column "${column}" is neither a person field nor a declared attribute. Declare the attribute first, or remove the column.`,
        `column ${column}`,
      );
    }
  }
  for (const required of requiredColumns) {
    if (!seen.has(required))
      throw new DomainError(
        'MALFORMED_CSV',
        `line 1: the header has no "${required}" column`,
        `column ${required}`,
      );
  }
}

/** Where each column sits, worked out once per file rather than once per row. */
interface CsvLayout {
  at: Partial<Record<(typeof personCsvColumns)[number], number>>;
  attributes: [name: string, index: number][];
}

function csvLayout(header: string[]): CsvLayout {
  const layout: CsvLayout = { at: {}, attributes: [] };
  header.forEach((column, i) => {
    if ((personCsvColumns as readonly string[]).includes(column)) {
      layout.at[column as (typeof personCsvColumns)[number]] = i;
    } else layout.attributes.push([column, i]);
  });
  return layout;
}

const optionalColumns = [
  ['external_id', 'externalId'],
  ['surname1', 'surname1'],
  ['surname2', 'surname2'],
  ['birth_place', 'birthPlace'],
  ['phone', 'phone'],
] as const;

function csvToInput(layout: CsvLayout, fields: string[]): Record<string, unknown> {
  const get = (name: (typeof personCsvColumns)[number]): string | undefined => {
    const i = layout.at[name];
    const v = i === undefined ? '' : fields[i]!.trim();
    return v === '' ? undefined : v;
  };
  const address: Record<string, unknown> = { regionCode: get('region_code') ?? '' };
  const input: Record<string, unknown> = {
    givenNames: get('given_names') ?? '',
    birthDate: get('birth_date') ?? '',
    address,
  };
  for (const [column, key] of optionalColumns) {
    const v = get(column);
    if (v !== undefined) input[key] = v;
  }
  const sex = get('sex');
  if (sex !== undefined) input.sex = sex.toUpperCase();
  const locality = get('locality');
  const line = get('address_line');
  if (locality !== undefined) address.locality = locality;
  if (line !== undefined) address.line = line;
  if (layout.attributes.length > 0) {
    const attributes: Record<string, unknown> = {};
    for (const [name, i] of layout.attributes) {
      const v = fields[i]!.trim();
      if (v !== '') attributes[name] = v;
    }
    if (Object.keys(attributes).length > 0) input.attributes = attributes;
  }
  return input;
}

/** Parses JSON Lines, refusing bad JSON and prohibited names anywhere; a batch per chunk. */
async function* jsonlRows(source: ImportSource): AsyncGenerator<RawRow[]> {
  for await (const lines of readLineBatches(source(), importLineCharsMax)) {
    const rows: RawRow[] = [];
    for (const { line, text } of lines) {
      if (text.trim() === '') continue;
      rows.push({ line, value: parseJsonLine(line, text) });
    }
    if (rows.length > 0) yield rows;
  }
}

function parseJsonLine(line: number, text: string): object {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    const message = `line ${line}: not valid JSON (${(e as Error).message})`;
    throw new DomainError('MALFORMED_JSON', message, `line ${line}`, { line });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const message = `line ${line}: each line must be one JSON object`;
    throw new DomainError('MALFORMED_JSON', message, `line ${line}`, { line });
  }
  const attributes = (value as { attributes?: unknown }).attributes;
  if (attributes && typeof attributes === 'object') {
    for (const name of Object.keys(attributes))
      assertNameAllowed(name, `line ${line}: attributes.${name}`);
  }
  for (const name of Object.keys(value)) assertNameAllowed(name, `line ${line}: ${name}`);
  return value;
}

function rowsOf(
  format: 'csv' | 'jsonl',
  source: ImportSource,
  definitions: Map<string, AttributeDefinition>,
  checkOnly = false,
): AsyncGenerator<RawRow[]> {
  return format === 'csv' ? csvRows(source, definitions, checkOnly) : jsonlRows(source);
}

/** Validates one raw row into person input, or a rejection. */
function validateRow(row: RawRow): { input: PersonInput } | { reject: ImportReject } {
  if (row.value instanceof DomainError)
    return { reject: { line: row.line, code: row.value.code, reason: row.value.message } };
  const result = personInput.safeParse(row.value);
  if (result.success) return { input: result.data };
  const issue = result.error.issues[0]!;
  const field =
    issue.code === 'unrecognized_keys' ? (issue.keys[0] ?? '') : issue.path.map(String).join('.');
  return {
    reject: {
      line: row.line,
      field,
      code: issue.code === 'unrecognized_keys' ? 'UNKNOWN_FIELD' : 'VALIDATION_FAILED',
      reason: `${field}: ${issue.code === 'unrecognized_keys' ? 'unknown field' : issue.message}`,
    },
  };
}

/** Gives each row a registry number no one holds, checking the batch against the table at once. */
async function assignRegistryNumbers(
  app: AppContext,
  trx: Queryable,
  rows: Insertable<PersonsTable>[],
): Promise<void> {
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

interface Batch {
  rows: { line: number; input: PersonInput }[];
}

async function writeBatch(
  app: AppContext,
  caller: Caller,
  batch: Batch,
  definitions: Map<string, AttributeDefinition>,
  report: ImportReport,
  allowedRegions: '*' | string[],
): Promise<void> {
  const reject = (r: ImportReject) => {
    report.rejected++;
    if (report.rejects.length < importReportRejectsMax) report.rejects.push(r);
  };
  await app.db.transaction(async (trx) => {
    const externalIds = batch.rows
      .map((r) => r.input.externalId)
      .filter((x): x is string => Boolean(x));
    const existing = await app.db.existingValues(trx, 'persons', 'external_id', externalIds);
    const seen = new Set<string>();
    let rows: Insertable<PersonsTable>[] = [];
    const lineOf = new Map<string, number>();
    for (const { line, input } of batch.rows) {
      if (input.externalId && existing.has(input.externalId)) {
        report.skipped++;
        continue;
      }
      if (input.externalId && seen.has(input.externalId)) {
        reject({
          line,
          field: 'externalId',
          code: 'ALREADY_EXISTS',
          reason: `external id ${input.externalId} appears earlier in the file`,
        });
        continue;
      }
      if (!(input.address.regionCode in app.config.regions)) {
        reject({
          line,
          field: 'address.regionCode',
          code: 'VALIDATION_FAILED',
          reason: `unknown region ${input.address.regionCode}`,
        });
        continue;
      }
      if (allowedRegions !== '*' && !allowedRegions.includes(input.address.regionCode)) {
        reject({
          line,
          field: 'address.regionCode',
          code: 'FORBIDDEN',
          reason: `you may not enrol persons in region ${input.address.regionCode}`,
        });
        continue;
      }
      try {
        const row = buildPersonRow(
          app,
          input,
          definitions,
          caller.actor.id,
          generateRegistryNumber(),
        );
        rows.push(row);
        lineOf.set(row.id, line);
        if (input.externalId) seen.add(input.externalId);
      } catch (e) {
        if (!(e instanceof DomainError)) throw e;
        reject({ line, ...(e.field ? { field: e.field } : {}), code: e.code, reason: e.message });
      }
    }
    if (app.dedup) {
      // Each row is checked against the registry and the rows before it (see src/dedup).
      const refused = await app.dedup.screenRows(trx, caller, rows, { sourceId: report.runId });
      for (const [id, reason] of refused)
        reject({ line: lineOf.get(id) ?? 0, code: 'POSSIBLE_DUPLICATE', reason });
      if (refused.size > 0) rows = rows.filter((r) => !refused.has(r.id));
    }
    await assignRegistryNumbers(app, trx, rows);
    await app.db.insertMany(trx, 'persons', rows as Record<string, unknown>[]);
    await appendAudit(trx, app, caller, {
      operation: 'person.import',
      permission: 'registry:import',
      subjectIds: rows.map((r) => r.id),
      details: { runId: report.runId, rows: rows.length },
      indexSubjects: false,
    });
    report.accepted += rows.length;
  });
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
  const definitions = await loadDefinitions(app.db.kysely);
  // Pass 1: structure only. Throws, naming the place, before anything is written.
  let total = 0;
  for await (const rows of rowsOf(options.format, source, definitions, true)) total += rows.length;
  const report: ImportReport = {
    runId: app.newId(),
    total,
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
  // Pass 2: validate each row and write in batches.
  let done = 0;
  let batch: Batch = { rows: [] };
  try {
    for await (const raws of rowsOf(options.format, source, definitions)) {
      for (const raw of raws) {
        const checked = validateRow(raw);
        if ('reject' in checked) {
          report.rejected++;
          if (report.rejects.length < importReportRejectsMax) report.rejects.push(checked.reject);
        } else batch.rows.push({ line: raw.line, input: checked.input });
        done++;
      }
      if (batch.rows.length >= importBatchRows) {
        await writeBatch(app, caller, batch, definitions, report, allowedRegions);
        batch = { rows: [] };
        options.onProgress?.(done, total);
      }
    }
    await writeBatch(app, caller, batch, definitions, report, allowedRegions);
    options.onProgress?.(done, total);
  } catch (e) {
    // Only a source that changed between passes, or a lost database, lands here; the batches
    // already written stay (each was whole), the rest is reported as not attempted.
    report.stoppedBy = e instanceof Error ? e.message : String(e);
    report.notAttempted = total - report.accepted - report.skipped - report.rejected;
  }
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
}
