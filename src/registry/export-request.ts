// Row-level export over HTTP (principle 5): a request that a different staff member must
// approve; once approved, its requester may download the archive once, within the
// approval's lifetime. Request, decision and download are each audited.
import { z } from 'zod';
import { humanOf, requirePermission } from '../shared/access';
import { requestApproval, type Approval } from '../privacy';
import { approvalExecutor, type AppContext, type Caller } from '../shared/context';
import { DomainError } from '../shared/errors';
import { exportRegistry } from './archive';
import { readStoredJson, storedObject } from '../shared/stored-json';

/** An export request. */
export const exportRequestInput = z
  .object({ reason: z.string().trim().min(10, 'say who needs the rows and why').max(500) })
  .strict();
/** An export request, validated. */
export type ExportRequestInput = z.output<typeof exportRequestInput>;

/** Files the four-eyes request for a full row-level export. */
export async function requestExport(
  app: AppContext,
  caller: Caller,
  { reason }: ExportRequestInput,
): Promise<Approval> {
  requirePermission(caller.actor, 'registry:export');
  return requestApproval(app, caller, {
    operation: 'registry.export',
    payload: { scope: 'registry' },
    reason,
  });
}

/**
 * Streams the approved export to its requester, once. The download is claimed atomically
 * before the first byte is written, so two concurrent downloads cannot both succeed.
 */
export async function downloadExport(
  app: AppContext,
  caller: Caller,
  approvalId: string,
  write: (line: string) => Promise<void> | void,
): Promise<void> {
  requirePermission(caller.actor, 'registry:export');
  const row = await app.db.kysely
    .selectFrom('approvals')
    .selectAll()
    .where('id', '=', approvalId)
    .executeTakeFirst();
  if (!row || row.operation !== 'registry.export' || row.requested_by !== humanOf(caller.actor))
    throw new DomainError('NOT_FOUND', 'No export request of yours with that id.', 'id');
  if (row.status !== 'approved')
    throw new DomainError(
      'INVALID_STATE',
      `The export request is ${row.status}; it must be approved by someone else first.`,
    );
  if (row.expires_at <= app.now().toISOString())
    throw new DomainError('INVALID_STATE', 'The approval has expired; file a new request.');
  const result = row.result
    ? readStoredJson(storedObject, row.result, `approvals ${approvalId} result`)
    : {};
  if (result.downloadedAt)
    throw new DomainError(
      'INVALID_STATE',
      'This export was already downloaded; file a new request for another copy.',
    );
  const claimed = await app.db.kysely
    .updateTable('approvals')
    .set({ result: JSON.stringify({ ...result, downloadedAt: app.now().toISOString() }) })
    .where('id', '=', approvalId)
    .where('result', row.result === null ? 'is' : '=', row.result as never)
    .executeTakeFirst();
  if (Number(claimed.numUpdatedRows) !== 1)
    throw new DomainError('CONFLICT', 'This export is being downloaded already.');
  await exportRegistry(app, { ...caller, purpose: 'export' }, write);
}

/** Registers what an approved export request does: it only unlocks the download. */
export function registerExportApprovals(app: AppContext): void {
  app.approvalExecutors['registry.export'] = approvalExecutor(
    z.object({ scope: z.literal('registry') }),
    async () => ({ readyForDownload: true }),
  );
}
