// The worker thread of a bulk import: reads and checks the file, then validates and builds
// rows, at most two batches ahead of the main thread that writes them (flat memory).
// Protocol — to the worker: { type: 'more', now } grants one batch stamped with `now`.
// From the worker: checked (the row count), batch, end, or failed (a DomainError's parts).
import { parentPort, workerData } from 'node:worker_threads';
import { DomainError } from '../shared/errors';
import { countImportRows, prepareImportBatches, type PrepareImportInput } from './import-rows';

/** A message from the worker. */
export type ImportWorkerMessage =
  | { type: 'checked'; total: number }
  | { type: 'batch'; batch: import('./import-rows').PreparedBatch }
  | { type: 'end' }
  | {
      type: 'failed';
      error: { code?: string; message: string; field?: string; details?: Record<string, unknown> };
    };

const port = parentPort;
if (!port) throw new Error('import-worker runs in a worker thread');

const credits: string[] = [];
let wake: (() => void) | null = null;
port.on('message', (message: { type: 'more'; now: string }) => {
  credits.push(message.now);
  wake?.();
});

async function nextCredit(): Promise<string> {
  while (credits.length === 0) await new Promise<void>((resolve) => (wake = resolve));
  wake = null;
  return credits.shift()!;
}

async function run(input: PrepareImportInput): Promise<void> {
  port!.postMessage({
    type: 'checked',
    total: await countImportRows(input),
  } satisfies ImportWorkerMessage);
  let now = await nextCredit();
  for await (const batch of prepareImportBatches(input, () => now)) {
    port!.postMessage({ type: 'batch', batch } satisfies ImportWorkerMessage);
    now = await nextCredit();
  }
  port!.postMessage({ type: 'end' } satisfies ImportWorkerMessage);
}

run(workerData as PrepareImportInput).catch((e: unknown) => {
  const error =
    e instanceof DomainError
      ? {
          code: e.code,
          message: e.message,
          ...(e.field ? { field: e.field } : {}),
          ...(e.details ? { details: e.details } : {}),
        }
      : { message: e instanceof Error ? e.message : String(e) };
  port.postMessage({ type: 'failed', error } satisfies ImportWorkerMessage);
});
