// The worker threads of the registry-wide scan (batch-run.ts). The main thread reads the key
// table, decides which matches to put forward and writes them; the workers read each page's
// persons, prepare and compare them — most of a scan's time — so that a scan uses every core.
// The blocks found too big stay on the main thread alone (at 10 million people, 6 million
// entries and 175 MiB of heap): a worker sends each match back with the smaller keys its pair
// shares, and the main thread looks those up (putForward in scan-scoring.ts).
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../shared/worker';
import type { BlockPart } from './block-scan';
import type { MatchOptions } from './match';
import type { PersonMatchRow } from './person-record';
import type { PageScore } from './scan-scoring';
import type { ScanWorkerInput, ScanWorkerMessage, ScanWorkerReply } from './scan-worker';

interface Pending {
  resolve: (score: PageScore) => void;
  reject: (error: Error) => void;
}

interface Slot {
  readonly worker: Worker;
  readonly pending: Map<number, Pending>;
  readonly exited: Promise<void>;
}

/** Options a worker can receive: no functions, the model as plain JSON. */
export function sendableMatchOptions(options: MatchOptions): MatchOptions {
  const model =
    options.model === undefined
      ? {}
      : { model: 'weights' in options.model ? options.model.model : options.model };
  return {
    ...model,
    ...(options.thresholds === undefined ? {} : { thresholds: options.thresholds }),
    ...(options.includeDistinct === undefined ? {} : { includeDistinct: options.includeDistinct }),
    ...(options.explain === undefined ? {} : { explain: options.explain }),
  };
}

export class ScanPool {
  private readonly slots: Slot[];
  private nextJob = 0;
  private failure: Error | undefined;
  private closed: Promise<void> | undefined;

  private readonly ownConnection: boolean;

  private constructor(threads: number, input: ScanWorkerInput) {
    this.ownConnection = input.databaseUrl !== undefined;
    const url = new URL(
      import.meta.url.endsWith('.ts') ? './scan-worker.ts' : './scan-worker.js',
      import.meta.url,
    );
    this.slots = Array.from({ length: threads }, () => {
      const worker = startWorker(url, input);
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      const slot: Slot = { worker, pending: new Map(), exited };
      slot.worker.on('message', (reply: ScanWorkerReply) => this.settle(slot, reply));
      slot.worker.on('error', (error) => this.fail(error));
      slot.worker.on('exit', (code) => {
        if (slot.pending.size > 0)
          this.fail(new Error(`dedup scan worker stopped (exit code ${code})`));
      });
      return slot;
    });
  }

  /**
   * Starts `threads` workers. Given the database's URL, each reads the persons of its pages
   * on its own connection; an in-memory SQLite database cannot be opened twice, so there the
   * main thread sends the rows.
   */
  static start(
    threads: number,
    options: MatchOptions,
    documentAttribute: string | null,
    databaseUrl?: string,
  ): ScanPool {
    const ownConnection = databaseUrl !== undefined && !databaseUrl.endsWith(':memory:');
    return new ScanPool(threads, {
      options: sendableMatchOptions(options),
      documentAttribute,
      ...(ownConnection ? { databaseUrl } : {}),
    });
  }

  /** Whether the workers read the persons themselves (else score() must be given the rows). */
  get readsRows(): boolean {
    return this.ownConnection;
  }

  /** Scores a page on the least busy worker. */
  score(parts: readonly BlockPart[], rows?: readonly PersonMatchRow[]): Promise<PageScore> {
    if (this.failure) return Promise.reject(this.failure);
    const slot = this.slots.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
    const job = this.nextJob++;
    return new Promise<PageScore>((resolve, reject) => {
      slot.pending.set(job, { resolve, reject });
      const message: ScanWorkerMessage = { type: 'score', job, parts, ...(rows ? { rows } : {}) };
      slot.worker.postMessage(message);
    });
  }

  /** Lets each worker close its connection and stop (stopped by force after 10 s); once. */
  close(): Promise<void> {
    this.closed ??= Promise.all(
      this.slots.map((slot) => {
        const force = setTimeout(() => void slot.worker.terminate(), 10_000);
        const message: ScanWorkerMessage = { type: 'close' };
        slot.worker.postMessage(message);
        return slot.exited.then(() => clearTimeout(force));
      }),
    ).then(() => {});
    return this.closed;
  }

  private settle(slot: Slot, reply: ScanWorkerReply): void {
    const pending = slot.pending.get(reply.job);
    if (pending === undefined) return;
    slot.pending.delete(reply.job);
    if ('error' in reply) pending.reject(new Error(`dedup scan worker: ${reply.error}`));
    else pending.resolve({ candidates: reply.candidates, compared: reply.compared });
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const slot of this.slots) {
      for (const pending of slot.pending.values()) pending.reject(error);
      slot.pending.clear();
    }
  }
}
