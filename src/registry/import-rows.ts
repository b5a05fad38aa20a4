// Reading an import file into person rows: CSV or JSON Lines, checked whole first (syntax and
// every column or attribute name against the closed schema), then validated row by row and
// built into rows ready to insert. Runs in a worker thread (see import-worker.ts), so that
// parsing and validation overlap with the database writes on the main thread.
import { createReadStream } from 'node:fs';
import { z } from 'zod';
import type { Insertable } from 'kysely';
import { readCsvBatches } from '../shared/csv';
import { DomainError } from '../shared/errors';
import { readLineBatches } from '../shared/lines';
import { importLineCharsMax } from '../shared/limits';
import { assertNameAllowed, type AttributeDefinition } from './attributes';
import { buildPersonRow } from './enrol-person';
import { relationships } from './relationships';
import { personInput, type PersonInput } from './person-input';
import type { AppContext } from '../shared/context';
import { newUuid } from '../shared/ids';
import type { PersonsTable } from './tables';

/** Where the rows come from: a file, or bytes already in memory (an HTTP upload, a test). */
export type ImportSource = { path: string } | { text: string } | { bytes: Uint8Array };

const sourceChunkBytes = 1 << 20;

/** Opens the source afresh for one pass, in chunks of at most 1 MiB. */
export async function* openSource(source: ImportSource): AsyncGenerator<string | Buffer> {
  if ('path' in source) {
    yield* createReadStream(source.path, {
      highWaterMark: sourceChunkBytes,
    }) as AsyncIterable<Buffer>;
    return;
  }
  const data =
    'text' in source
      ? source.text
      : Buffer.from(source.bytes.buffer, source.bytes.byteOffset, source.bytes.byteLength);
  for (let i = 0; i < data.length; i += sourceChunkBytes) yield data.slice(i, i + sourceChunkBytes);
}

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
  'household',
  'relationship',
] as const;
const requiredColumns = ['given_names', 'birth_date', 'region_code'];

/** A rejected row. */
export interface ImportReject {
  line: number;
  field?: string;
  code: string;
  reason: string;
}

/** A row as read, before validation: its line and its value (or why it cannot be read). */
export interface RawRow {
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
  for await (const records of readCsvBatches(openSource(source), importLineCharsMax)) {
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
  const household = get('household');
  const relationship = get('relationship');
  if (household !== undefined) input.household = household;
  if (relationship !== undefined) input.relationship = relationship;
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
  for await (const lines of readLineBatches(openSource(source), importLineCharsMax)) {
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

/** The rows of the source, a batch per chunk read. */
export function rowsOf(
  format: 'csv' | 'jsonl',
  source: ImportSource,
  definitions: Map<string, AttributeDefinition>,
  checkOnly = false,
): AsyncGenerator<RawRow[]> {
  return format === 'csv' ? csvRows(source, definitions, checkOnly) : jsonlRows(source);
}

/**
 * Membership of an imported person in a household, named by the file's own household
 * reference (the same in every row of one household, and across files and reruns).
 */
export interface ImportMembership {
  household: string;
  relationship: (typeof relationships)[number];
}

const membershipInput = z
  .object({
    household: z
      .string()
      .regex(
        /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/,
        'a household reference: letters, digits, . _ : -; at most 64 characters',
      )
      .optional(),
    relationship: z.enum(relationships).optional(),
  })
  .refine((m) => (m.household === undefined) === (m.relationship === undefined), {
    message: 'household and relationship go together: give both or neither',
    path: ['relationship'],
  });

/** Validates one raw row into person input and household membership, or a rejection. */
export function validateRow(
  row: RawRow,
): { input: PersonInput; membership: ImportMembership | null } | { reject: ImportReject } {
  if (row.value instanceof DomainError)
    return { reject: { line: row.line, code: row.value.code, reason: row.value.message } };
  const { household, relationship, ...person } = row.value as Record<string, unknown>;
  const joined = membershipInput.safeParse({ household, relationship });
  const result = personInput.safeParse(person);
  const error = !result.success ? result.error : !joined.success ? joined.error : null;
  if (error) {
    const issue = error.issues[0]!;
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
  const m = joined.data!;
  const membership =
    m.household !== undefined && m.relationship !== undefined
      ? { household: m.household, relationship: m.relationship }
      : null;
  return { input: result.data!, membership };
}

/** What building rows needs, sent to the worker: everything a row depends on. */
export interface PrepareImportInput {
  source: ImportSource;
  format: 'csv' | 'jsonl';
  definitions: AttributeDefinition[];
  /** Region codes this deployment serves. */
  regions: string[];
  dataKey: Uint8Array;
  actorId: string;
  batchRows: number;
}

/** Built rows ready for the database (registry numbers still to assign), and the refused. */
export interface PreparedBatch {
  rows: Insertable<PersonsTable>[];
  /** The source line of each row, in the same order. */
  lines: number[];
  /** Each row's household membership, in the same order (null: none given). */
  memberships: (ImportMembership | null)[];
  rejects: ImportReject[];
  /** Rows read so far, refused ones included. */
  done: number;
}

/** Pass 1: the whole source's structure, without building anything; returns the row count. */
export async function countImportRows(input: PrepareImportInput): Promise<number> {
  let total = 0;
  const definitions = new Map(input.definitions.map((d) => [d.name, d]));
  for await (const rows of rowsOf(input.format, input.source, definitions, true))
    total += rows.length;
  return total;
}

/**
 * Pass 2: validates each row and builds it as an enrolment would, in batches of
 * `batchRows`. `nowIso` gives the time stamped on the next batch's rows.
 */
export async function* prepareImportBatches(
  input: PrepareImportInput,
  nowIso: () => string,
): AsyncGenerator<PreparedBatch> {
  const definitions = new Map(input.definitions.map((d) => [d.name, d]));
  const regions = new Set(input.regions);
  const dataKey = Buffer.from(input.dataKey);
  const context = {
    now: () => new Date(nowIso()),
    newId: newUuid,
    config: { dataKey },
  } as unknown as AppContext;
  let batch: PreparedBatch = { rows: [], lines: [], memberships: [], rejects: [], done: 0 };
  let done = 0;
  for await (const raws of rowsOf(input.format, input.source, definitions)) {
    for (const raw of raws) {
      done++;
      const checked = validateRow(raw);
      if ('reject' in checked) {
        batch.rejects.push(checked.reject);
        continue;
      }
      const region = checked.input.address.regionCode;
      if (!regions.has(region)) {
        batch.rejects.push({
          line: raw.line,
          field: 'address.regionCode',
          code: 'VALIDATION_FAILED',
          reason: `unknown region ${region}`,
        });
        continue;
      }
      try {
        batch.rows.push(buildPersonRow(context, checked.input, definitions, input.actorId, ''));
        batch.lines.push(raw.line);
        batch.memberships.push(checked.membership);
      } catch (e) {
        if (!(e instanceof DomainError)) throw e;
        batch.rejects.push({
          line: raw.line,
          ...(e.field ? { field: e.field } : {}),
          code: e.code,
          reason: e.message,
        });
      }
    }
    if (batch.rows.length + batch.rejects.length >= input.batchRows) {
      batch.done = done;
      yield batch;
      batch = { rows: [], lines: [], memberships: [], rejects: [], done: 0 };
    }
  }
  batch.done = done;
  yield batch;
}
