// A print-sheet worker: renders the files it is handed (render-card-sheet.ts) and hands back
// their bytes. The main thread keeps the database work — reading the cards, auditing each
// file's read — and the writing of files, so a worker only ever holds what it draws.
import { parentPort } from 'node:worker_threads';
import { renderCardSheetPdf } from './render-card-pdf';
import type { CardArtwork } from './render-card-svg';

export interface SheetTask {
  id: number;
  cards: CardArtwork[];
  includeBacks: boolean;
}

export type SheetResult = { id: number; pdf: Uint8Array } | { id: number; error: string };

parentPort?.on('message', (task: SheetTask) => {
  renderCardSheetPdf(task.cards, { includeBacks: task.includeBacks, vector: true }).then(
    (pdf) => parentPort?.postMessage({ id: task.id, pdf } satisfies SheetResult),
    (error: unknown) =>
      parentPort?.postMessage({
        id: task.id,
        error: error instanceof Error ? error.message : String(error),
      } satisfies SheetResult),
  );
});
