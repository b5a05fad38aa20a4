// The whole registry in an open format (principle 8): JSON Lines, one record per line, every
// table's rows (persons, households, history, duplicate reviews, cards) with their column names, ordered by key so that two exports of the same data
// are byte-identical. Health attributes leave sealed-at-rest and travel in clear inside the
// file (so that another system, with another key, can read them): the file is written with
// mode 600 and a row-level export over HTTP needs two approvers.
import { z } from 'zod';
import type { Queryable } from '../db';
import { appendAudit } from '../privacy';
import type { AppContext, Caller } from '../shared/context';
import { DomainError } from '../shared/errors';
import { readLineBatches, type NumberedLine } from '../shared/lines';
import { seal, unseal } from '../shared/sealed';

/** The archive format's name and version, on its first line. */
export const archiveFormat = { format: 'tessera.registry', version: 1 } as const;

/** Tables in the archive, in restore order, with the key that orders them. */
const archiveTables = [
  { table: 'attribute_definitions', key: ['name'] },
  { table: 'households', key: ['id'] },
  { table: 'persons', key: ['id'] },
  { table: 'person_versions', key: ['person_id', 'version'] },
  { table: 'household_members', key: ['id'] },
  { table: 'life_events', key: ['id'] },
  // Duplicate review history: decisions that two records are different people must survive a
  // migration, or the new system would propose the same pairs again; merges stay undoable.
  { table: 'dedup_pairs', key: ['id'] },
  { table: 'dedup_decisions', key: ['id'] },
  { table: 'person_merges', key: ['id'] },
  // Cards and the public and KEK-sealed issuer keys that signed them: issued cards keep
  // verifying after a migration (copy the KEK file too; see the README).
  { table: 'issuer_keys', key: ['kid'] },
  { table: 'cards', key: ['serial'] },
] as const;
type ArchiveTable = (typeof archiveTables)[number]['table'];

const pageRows = 2000;
/** Longest archive line: one row (a card's face SVG is the largest). */
const archiveLineCharsMax = 1024 * 1024;

/** A JSON object, as health attributes and version snapshots are. */
const jsonObject = z.record(z.string(), z.unknown(), { error: 'must be a JSON object' });

// Stored JSON read back for export. It was written by the registry, so JSON that is not an
// object is a damaged row: the error names it and the export stops.
function readStoredObject(text: unknown, where: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = typeof text === 'string' ? JSON.parse(text) : undefined;
  } catch {
    value = undefined;
  }
  const parsed = jsonObject.safeParse(value);
  if (!parsed.success) throw new Error(`invariant violated: ${where} is not a JSON object`);
  return parsed.data;
}

function openHealth(
  app: AppContext,
  row: Record<string, unknown>,
  where: string,
): Record<string, unknown> {
  const sealed = row.health_attributes;
  return {
    ...row,
    health_attributes:
      typeof sealed === 'string'
        ? readStoredObject(unseal(app.config.dataKey, sealed), `${where}: health_attributes`)
        : null,
  };
}

function sealHealth(app: AppContext, row: Record<string, unknown>): Record<string, unknown> {
  const open = row.health_attributes;
  return {
    ...row,
    health_attributes:
      open === null || open === undefined ? null : seal(app.config.dataKey, JSON.stringify(open)),
  };
}

/** Reads a table page by page in key order. */
async function* pages(
  db: Queryable,
  table: ArchiveTable,
  key: readonly string[],
): AsyncGenerator<Record<string, unknown>[]> {
  let offset = 0;
  for (;;) {
    // Offset paging keeps this generic over compound keys; the archive is an operator job.
    let q = db.selectFrom(table).selectAll() as never as {
      orderBy(c: string): typeof q;
      limit(n: number): typeof q;
      offset(n: number): typeof q;
      execute(): Promise<Record<string, unknown>[]>;
    };
    for (const k of key) q = q.orderBy(k);
    const rows = await q.limit(pageRows).offset(offset).execute();
    if (rows.length === 0) return;
    yield rows;
    offset += rows.length;
    if (rows.length < pageRows) return;
  }
}

/** How an exported row is named in errors: its table and key. */
function describeRow(
  table: ArchiveTable,
  key: readonly string[],
  row: Record<string, unknown>,
): string {
  return `${table} row ${key.map((k) => String(row[k])).join('/')}`;
}

function normalise(row: Record<string, unknown>): Record<string, unknown> {
  // Integers come back as numbers on both engines; keep key order stable.
  return Object.fromEntries(
    Object.keys(row)
      .sort()
      .map((k) => [k, row[k]]),
  );
}

/** Writes the whole registry as JSON Lines through `write`; returns counts per table. */
export async function exportRegistry(
  app: AppContext,
  caller: Caller,
  write: (line: string) => Promise<void> | void,
  onProgress?: (table: string, rows: number) => void,
): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  await write(JSON.stringify({ ...archiveFormat, exportedAt: app.now().toISOString() }) + '\n');
  for (const { table, key } of archiveTables) {
    counts[table] = 0;
    for await (const rows of pages(app.db.kysely, table, key)) {
      let text = '';
      for (const raw of rows) {
        let row = raw;
        const where = describeRow(table, key, raw);
        if (table === 'persons') row = openHealth(app, row, where);
        if (table === 'person_versions') {
          const snapshot = readStoredObject(row.snapshot, `${where}: snapshot`);
          row = { ...row, snapshot: normalise(openHealth(app, snapshot, `${where}: snapshot`)) };
        }
        text += JSON.stringify({ type: table, row: normalise(row) }) + '\n';
      }
      await write(text);
      counts[table] += rows.length;
      onProgress?.(table, counts[table]);
    }
  }
  await write(JSON.stringify({ type: 'end', counts }) + '\n');
  await app.db.transaction((trx) =>
    appendAudit(trx, app, caller, {
      operation: 'registry.export',
      permission: 'registry:export',
      details: { counts },
    }),
  );
  return counts;
}

// What an archive line may hold, parsed before anything is written. Every column is text or
// an integer on both engines (db/columns.ts); health attributes travel opened, as a JSON
// object, and a version's snapshot is a whole persons row.
const archiveHeader = z.object({
  format: z.literal(archiveFormat.format),
  version: z.literal(archiveFormat.version),
});
const archiveRecord = z.object({ type: z.string() });
const archiveEnd = z.object({
  counts: z.record(z.string(), z.int().nonnegative()),
});
const archiveData = z.object({ row: z.record(z.string(), z.unknown()) });
const columnValue = z.union([z.string(), z.int(), z.null()], {
  error: 'must be text, a whole number or null',
});
const keyValue = z.union([z.string(), z.int()], { error: 'must be text or a whole number' });
const healthValue = z
  .record(z.string(), z.unknown(), { error: 'must be a JSON object or null' })
  .nullable()
  .optional();
const personRow = z.object({ health_attributes: healthValue }).catchall(columnValue);

/** The schema of a row of `spec.table`: its key present, its columns typed. */
function archiveRow(spec: (typeof archiveTables)[number]): z.ZodType<Record<string, unknown>> {
  const key = Object.fromEntries(spec.key.map((k) => [k, keyValue]));
  if (spec.table === 'persons') return personRow.extend(key);
  // The snapshot is parsed on its own, as a persons row, where it is sealed again.
  const special = spec.table === 'person_versions' ? { snapshot: z.unknown() } : {};
  return z.object({ ...special, ...key }).catchall(columnValue);
}
const archiveRows = new Map(archiveTables.map((spec) => [spec.table, archiveRow(spec)]));

/** Parses one archive line's value; the first problem becomes an error naming the line. */
function parseLine<T>(schema: z.ZodType<T>, value: unknown, line: number, what: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const path = issue.path.map(String).join('.');
  throw new DomainError(
    'VALIDATION_FAILED',
    `line ${line}: ${what}${path ? ` ${path}` : ''}: ${issue.message}`,
    `line ${line}`,
  );
}

/**
 * Restores an archive into an empty registry, exactly: same ids, registry numbers, versions and
 * times. One transaction: a bad line anywhere leaves nothing behind. Checks the trailer counts.
 */
export async function restoreRegistry(
  app: AppContext,
  caller: Caller,
  lines: AsyncIterable<{ line: number; text: string }>,
): Promise<Record<string, number>> {
  const existing = await app.db.kysely.selectFrom('persons').select('id').limit(1).execute();
  if (existing.length > 0)
    throw new DomainError(
      'CONFLICT',
      'The registry is not empty: an archive restores only into an empty database.',
    );
  return app.db.transaction(async (trx) => {
    const counts: Record<string, number> = {};
    let header = false;
    let trailer: Record<string, number> | null = null;
    const buffers = new Map<ArchiveTable, Record<string, unknown>[]>();
    const flush = async (table: ArchiveTable) => {
      const rows = buffers.get(table);
      if (rows && rows.length > 0) await app.db.insertMany(trx, table, rows);
      buffers.set(table, []);
    };
    for await (const { line, text } of lines) {
      if (text.trim() === '') continue;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        throw new DomainError('MALFORMED_JSON', `line ${line}: not valid JSON`, `line ${line}`);
      }
      if (!header) {
        if (!archiveHeader.safeParse(value).success)
          throw new DomainError(
            'VALIDATION_FAILED',
            `line ${line}: not a ${archiveFormat.format} v${archiveFormat.version} archive`,
            `line ${line}`,
          );
        header = true;
        continue;
      }
      if (trailer)
        throw new DomainError(
          'VALIDATION_FAILED',
          `line ${line}: data after the end record`,
          `line ${line}`,
        );
      const { type } = parseLine(archiveRecord, value, line, 'record');
      if (type === 'end') {
        trailer = parseLine(archiveEnd, value, line, 'end record').counts;
        continue;
      }
      const spec = archiveTables.find((t) => t.table === type);
      if (!spec)
        throw new DomainError(
          'VALIDATION_FAILED',
          `line ${line}: unknown record type ${type}`,
          `line ${line}`,
        );
      const { row: raw } = parseLine(archiveData, value, line, `${spec.table} record`);
      let row = parseLine(archiveRows.get(spec.table)!, raw, line, `${spec.table} row`);
      if (spec.table === 'persons') row = sealHealth(app, row);
      if (spec.table === 'person_versions') {
        const snapshot = parseLine(personRow, row.snapshot, line, 'person_versions snapshot');
        row = { ...row, snapshot: JSON.stringify(sealHealth(app, snapshot)) };
      }
      const buffer = buffers.get(spec.table) ?? [];
      buffer.push(row);
      buffers.set(spec.table, buffer);
      counts[spec.table] = (counts[spec.table] ?? 0) + 1;
      if (buffer.length >= pageRows) await flush(spec.table);
    }
    for (const { table } of archiveTables) await flush(table);
    if (!header)
      throw new DomainError('VALIDATION_FAILED', 'line 1: the archive is empty', 'line 1');
    if (!trailer)
      throw new DomainError(
        'VALIDATION_FAILED',
        'the archive has no end record: it is truncated',
        'end',
      );
    for (const { table } of archiveTables) {
      if ((trailer[table] ?? 0) !== (counts[table] ?? 0))
        throw new DomainError(
          'VALIDATION_FAILED',
          `the archive says ${trailer[table] ?? 0} ${table} rows but holds ${counts[table] ?? 0}`,
          table,
        );
    }
    await appendAudit(trx, app, caller, {
      operation: 'registry.restore',
      permission: 'registry:import',
      details: { counts },
    });
    return counts;
  });
}

/** Splits a byte stream into numbered lines (an archive line holds one row: 1 MiB at most). */
export async function* numberedLines(
  chunks: AsyncIterable<string | Buffer>,
): AsyncGenerator<NumberedLine> {
  for await (const batch of readLineBatches(chunks, archiveLineCharsMax)) yield* batch;
}
