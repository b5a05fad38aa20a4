// A small pool of worker threads rendering print-sheet files side by side: the sheets of a
// national campaign are CPU work (QR encoding, content streams, compression) that one thread
// does at a few thousand cards a second, so a machine's other cores are put to it too.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { CardArtwork } from './render-card-svg';
import type { SheetResult, SheetTask } from './sheet-worker-main';

/** Workers used unless told: one a core, at most four. */
export function sheetWorkersDefault(): number {
  return Math.min(4, Math.max(1, availableParallelism()));
}

/** A pool of `size` sheet workers; `close` ends them. */
export class SheetWorkers {
  private readonly idle: Worker[] = [];
  private readonly waiting: (() => void)[] = [];
  private readonly pending = new Map<
    number,
    { resolve: (pdf: Uint8Array) => void; reject: (e: Error) => void; worker: Worker }
  >();
  private next = 1;
  private readonly all: Worker[] = [];
  private broken: Error | undefined;

  constructor(size: number) {
    for (let i = 0; i < size; i++) {
      const worker = new Worker(new URL('./sheet-worker.mjs', import.meta.url));
      worker.on('message', (result: SheetResult) => this.settle(worker, result));
      worker.on('error', (error) => this.fail(worker, error));
      this.all.push(worker);
      this.idle.push(worker);
    }
  }

  /** Renders one file's sheets on the next free worker. */
  async render(cards: CardArtwork[], includeBacks: boolean): Promise<Uint8Array> {
    while (this.idle.length === 0 && !this.broken) {
      await new Promise<void>((r) => this.waiting.push(r));
    }
    if (this.broken) throw this.broken;
    const worker = this.idle.pop()!;
    const id = this.next++;
    return new Promise<Uint8Array>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, worker });
      worker.postMessage({ id, cards, includeBacks } satisfies SheetTask);
    });
  }

  private release(worker: Worker): void {
    this.idle.push(worker);
    this.waiting.shift()?.();
  }

  private settle(worker: Worker, result: SheetResult): void {
    const job = this.pending.get(result.id);
    if (!job) return;
    this.pending.delete(result.id);
    this.release(worker);
    if ('error' in result) job.reject(new Error(`print sheet worker: ${result.error}`));
    else job.resolve(result.pdf);
  }

  private fail(worker: Worker, error: Error): void {
    // A worker that died takes the pool with it: the run stops, and is resumed later.
    this.broken = new Error(`print sheet worker stopped: ${error.message}`);
    for (const wake of this.waiting.splice(0)) wake();
    for (const [id, job] of this.pending) {
      if (job.worker !== worker) continue;
      this.pending.delete(id);
      job.reject(error);
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.all.map((w) => w.terminate()));
  }
}
