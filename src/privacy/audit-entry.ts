// One reading of an audit_log row as an audit entry, shared by the sealer, the verifier and
// the auditor's query, so that the entry a hash covers is the entry an auditor is shown.
//
// The JSON columns are parsed with their schemas when read back (appendAudit writes a JSON
// array of person ids and a JSON object of details). A row that does not hold them is named
// where it is read, instead of hashing garbage or failing somewhere later.
import { z } from 'zod';
import type { PendingAuditEntry } from './audit-chain';
import type { AuditLogTable } from './tables';

const subjectIdsColumn = z.array(z.string());
// Checked, not rebuilt: the entry must hash exactly as stored, and a copy made by a zod
// object or record schema would silently drop a "__proto__" key, for one.
const detailsColumn = z.custom<Record<string, unknown>>(
  (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
  'expected a JSON object',
);

/** A row read back: the entry it holds, or what is wrong with it (column and problem). */
export type AuditRowReading =
  { ok: true; entry: PendingAuditEntry } | { ok: false; problem: string };

/** A stored JSON column read back: its value, or what is wrong with it. */
export type ColumnReading<T> = { ok: true; value: T } | { ok: false; problem: string };

function readColumn<T>(text: string, column: string, schema: z.ZodType<T>): ColumnReading<T> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, problem: `${column} is not JSON` };
  }
  const result = schema.safeParse(value);
  if (result.success) return { ok: true, value: result.data };
  const issue = result.error.issues[0]!;
  const path = issue.path.map((p) => `[${String(p)}]`).join('');
  return { ok: false, problem: `${column}${path}: ${issue.message}` };
}

/** Reads a stored `details` column: a JSON object, or what is wrong with it. */
export function readAuditDetails(text: string): ColumnReading<Record<string, unknown>> {
  return readColumn(text, 'details', detailsColumn);
}

/** Reads a stored audit_log row as the entry appendAudit wrote; never throws on a bad row. */
export function readAuditRow(row: AuditLogTable): AuditRowReading {
  const subjectIds = readColumn(row.subject_ids, 'subject_ids', subjectIdsColumn);
  if (!subjectIds.ok) return subjectIds;
  const details = readAuditDetails(row.details);
  if (!details.ok) return details;
  if (row.chain_format !== null && Number(row.chain_format) !== 2) {
    return { ok: false, problem: `chain_format ${row.chain_format} is not a known format` };
  }
  return {
    ok: true,
    entry: {
      ...(row.chain_format === null ? {} : { format: 2 as const }),
      id: row.id,
      at: row.at,
      actorId: row.actor_id,
      actorRole: row.actor_role,
      operation: row.operation,
      purpose: row.purpose,
      subjectIds: subjectIds.value,
      details: details.value,
      origin: row.origin,
    },
  };
}

/** How a row is named in errors: its id and its place in the chain. */
export function describeAuditRow(row: Pick<AuditLogTable, 'id' | 'chain_index'>): string {
  const place = row.chain_index === null ? 'not chained yet' : `#${row.chain_index}`;
  return `audit entry ${row.id} (${place})`;
}

/**
 * Reads a stored audit_log row as its entry. A row that does not hold what appendAudit
 * writes is a damaged log, not bad input: the error names the row and stops the operation.
 */
export function auditEntryFromRow(row: AuditLogTable): PendingAuditEntry {
  const reading = readAuditRow(row);
  if (reading.ok) return reading.entry;
  throw new Error(
    `invariant violated: ${describeAuditRow(row)} cannot be read: ${reading.problem}`,
  );
}
