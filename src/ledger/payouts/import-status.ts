// Importing a provider's status report or statement: the file is read and checked whole
// first (a malformed one is refused, naming the line, with nothing written), then applied in
// one transaction, with the report stored by its fingerprint. The same file imported again
// returns the stored answer and changes nothing.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { isUniqueViolation } from '../../db';
import type { AppContext, Caller } from '../../shared/context';
import { DomainError } from '../../shared/errors';
import { readStoredJson } from '../../shared/stored-json';
import { requireNational } from './batches';
import {
  applyStatusLines,
  differenceProblems,
  type StatusLine,
  type StatusOutcome,
} from './status-apply';
import { readStatusFile } from './status-files';
import { recordStatementLines } from '../reconciliation-lines';

/** What an import did (or, for a file seen before, what it did the first time). */
export interface StatusImport extends StatusOutcome {
  reportId: string;
  kind: 'pain.002' | 'camt.054' | 'g2p';
  messageId: string;
  /** True when this file was imported before: nothing was applied by this call. */
  repeated: boolean;
}

const storedReport: z.ZodType<StatusOutcome> = z.object({
  lines: z.number(),
  settled: z.number(),
  failed: z.number(),
  unchanged: z.number(),
  pending: z.number(),
  differences: z.number(),
  shown: z.array(
    z.object({
      at: z.string(),
      endToEndId: z.string(),
      problem: z.enum(differenceProblems),
      detail: z.string().optional(),
    }),
  ),
  failedReasons: z.record(z.string(), z.number()),
});

/** The stored answer of a report already applied, by its fingerprint. */
export async function storedImport(
  app: AppContext,
  fingerprint: string,
): Promise<StatusImport | null> {
  const row = await app.db.kysely
    .selectFrom('payout_status_reports')
    .selectAll()
    .where('fingerprint', '=', fingerprint)
    .executeTakeFirst();
  if (!row) return null;
  const report = readStoredJson(storedReport, row.report, `payout_status_reports ${row.id}`);
  return {
    ...report,
    reportId: row.id,
    kind: row.kind,
    messageId: row.message_id,
    repeated: true,
  };
}

/** Imports a pain.002 or camt.054 file. */
export async function importStatusReport(
  app: AppContext,
  caller: Caller,
  bytes: Uint8Array,
): Promise<StatusImport> {
  requireNational(caller, 'payout:import');
  if (bytes.length === 0) throw new DomainError('VALIDATION_FAILED', 'The file is empty.', 'file');
  const fingerprint = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  const before = await storedImport(app, fingerprint);
  if (before) return before;
  const file = readStatusFile(bytes);
  const reportId = app.newId();
  try {
    return await app.db.transaction(async (trx) => {
      let lines: StatusLine[] = file.lines;
      if (file.groupRejected) {
        const items = await trx
          .selectFrom('payout_items')
          .select(['end_to_end_id'])
          .where('export_id', '=', file.groupRejected)
          .where('status', '=', 'exported')
          .execute();
        lines = items.map((i, k) => ({
          at: `group ${k + 1}`,
          endToEndId: i.end_to_end_id,
          outcome: 'failed',
          reason: 'group_rejected',
          amount: null,
          currency: null,
        }));
      }
      const outcome = await applyStatusLines(
        trx,
        app,
        caller,
        reportId,
        lines,
        null,
        'payout:import',
      );
      await recordStatementLines(trx, app, reportId, file.kind, lines);
      await trx
        .insertInto('payout_status_reports')
        .values({
          id: reportId,
          fingerprint,
          kind: file.kind,
          message_id: file.messageId,
          report: JSON.stringify(outcome),
          imported_at: app.now().toISOString(),
          imported_by: caller.actor.id,
        })
        .execute();
      return { ...outcome, reportId, kind: file.kind, messageId: file.messageId, repeated: false };
    });
  } catch (error) {
    // The same file imported at the same moment by someone else: theirs applied it.
    if (isUniqueViolation(error)) {
      const stored = await storedImport(app, fingerprint);
      if (stored) return stored;
    }
    throw error;
  }
}
