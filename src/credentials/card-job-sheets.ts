// The print sheets of a bulk issuance job: its cards, in serial order, as A4 PDFs of eight
// cards a page (with their backs, for duplex), a file of `cardsPerFile` cards at a time. A file
// is written under a temporary name and renamed when whole, so a run stopped anywhere resumes
// by skipping the files already there; the files a run holds are fixed by the job's serials,
// so a resumed run writes the same files. Cards revoked since the job are left off the sheets.
//
// The main thread reads each file's cards and audits the read; the drawing runs on a pool of
// worker threads (sheet-workers.ts), several files at a time, each written as it is done.
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { appendAudit } from '../privacy';
import { requirePurpose } from '../registry';
import type { AppContext, Caller } from '../shared/context';
import { DomainError } from '../shared/errors';
import { readStoredJson } from '../shared/stored-json';
import { cardJobSerials, getCardJob } from './bulk-issue';
import { renderCardSheetPdf } from './render-card-pdf';
import type { CardArtwork } from './render-card-svg';
import { credentialSettings } from './settings';
import { faceSchema } from './render-stored-card';
import { SheetWorkers, sheetWorkersDefault } from './sheet-workers';

/** Cards per sheet file: ten A4 pages of eight. */
export const cardsPerFileDefault = 80;

/** What a sheets run did. */
export interface SheetsReport {
  files: number;
  written: number;
  skippedExisting: number;
  cards: number;
}

/** Renders (or finishes rendering) a job's print sheets into `outDir`. */
export async function renderCardJobSheets(
  app: AppContext,
  caller: Caller,
  jobId: string,
  options: {
    outDir: string;
    cardsPerFile?: number;
    includeBacks?: boolean;
    /** Stop after this many files (the rest are rendered by a later run). */
    filesMax?: number;
    /** Worker threads drawing the files (0: draw on this thread); one a core unless told. */
    workers?: number;
    onProgress?: (cardsDone: number, cardsTotal: number) => void;
  },
): Promise<SheetsReport> {
  requirePurpose(caller);
  const job = await getCardJob(app, caller, jobId);
  const perFile = options.cardsPerFile ?? cardsPerFileDefault;
  if (!Number.isInteger(perFile) || perFile < 1 || perFile > 800) {
    throw new DomainError('VALIDATION_FAILED', 'cardsPerFile: 1 to 800', 'cardsPerFile');
  }
  const workers = options.workers ?? sheetWorkersDefault();
  if (!Number.isInteger(workers) || workers < 0 || workers > 64) {
    throw new DomainError('VALIDATION_FAILED', 'workers: 0 to 64', 'workers');
  }
  mkdirSync(options.outDir, { recursive: true });
  const report: SheetsReport = { files: 0, written: 0, skippedExisting: 0, cards: 0 };
  const includeBacks = options.includeBacks ?? true;
  const pool = workers > 0 ? new SheetWorkers(workers) : null;
  const inFlight = new Set<Promise<void>>();
  const failures: unknown[] = [];
  let cardsDone = 0;
  const progress = (serials: number): void => {
    cardsDone += serials;
    options.onProgress?.(Math.min(job.issued, cardsDone), job.issued);
  };
  try {
    let after = 0;
    for (let index = 1; index <= (options.filesMax ?? Infinity); index++) {
      const serials = await cardJobSerials(app, caller, jobId, { after, limit: perFile });
      if (serials.length === 0) break;
      after = serials.at(-1)!;
      report.files++;
      const name = `cards-${job.id}-${String(index).padStart(5, '0')}.pdf`;
      const path = join(options.outDir, name);
      if (existsSync(path)) {
        report.skippedExisting++;
        progress(serials.length);
        continue;
      }
      const artwork = await loadArtwork(app, caller, job.id, serials, name);
      if (artwork.length === 0) {
        progress(serials.length);
        continue;
      }
      const task = (async () => {
        const pdf = pool
          ? await pool.render(artwork, includeBacks)
          : await renderCardSheetPdf(artwork, { includeBacks, vector: true });
        writeFileSync(`${path}.part`, pdf, { mode: 0o600 });
        renameSync(`${path}.part`, path);
        report.written++;
        report.cards += artwork.length;
        progress(serials.length);
      })().catch((error: unknown) => void failures.push(error));
      inFlight.add(task);
      void task.finally(() => inFlight.delete(task));
      // One file a worker in flight (and the next one being read meanwhile).
      while (inFlight.size >= Math.max(1, workers)) await Promise.race(inFlight);
      if (failures.length > 0) break;
    }
    await Promise.all(inFlight);
  } finally {
    await pool?.close();
  }
  if (failures.length > 0) throw failures[0];
  return report;
}

/** The active cards among `serials`, read and audited in one transaction. */
async function loadArtwork(
  app: AppContext,
  caller: Caller,
  jobId: string,
  serials: number[],
  file: string,
): Promise<CardArtwork[]> {
  return app.db.transaction(async (trx) => {
    const rows = await trx
      .selectFrom('cards')
      .selectAll()
      .where('serial', 'in', serials)
      .where('status', '=', 'active')
      .orderBy('serial')
      .execute();
    if (rows.length === 0) return [];
    await appendAudit(trx, app, caller, {
      operation: 'card.print_job',
      permission: 'card:issue',
      subjectIds: rows.map((r) => r.person_id),
      details: { job: jobId, file, serials: `${rows[0]!.serial}-${rows.at(-1)!.serial}` },
    });
    const texts = credentialSettings(app).artwork;
    return rows.map((row) => ({
      face: readStoredJson(faceSchema, row.face, `cards ${row.serial} face`),
      qrText: row.qr_text,
      serial: Number(row.serial),
      expiresAt: new Date(row.expires_at),
      ...texts,
    }));
  });
}
