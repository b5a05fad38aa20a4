// `tessera cards issue | resume | jobs | sheets`: bulk card issuance from a shell, for a
// national campaign: a region or a list of registry numbers, with a progress bar; a job
// stopped anywhere is resumed by its id, and its print sheets are rendered (again) from it.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { CliContext } from '../cli/cli-context';
import { progressBar } from '../cli/progress';
import type { AppContext, Caller } from '../shared/context';
import { DomainError } from '../shared/errors';
import {
  cardJobBatchDefault,
  createListCardJob,
  createRegionCardJob,
  getCardJob,
  listCardJobs,
  runCardJob,
  type CardJob,
} from './bulk-issue';
import { renderCardJobSheets } from './card-job-sheets';

/** The line an operator reads when a job stops or ends. */
export function describeCardJob(job: CardJob): string {
  const what = job.kind === 'region' ? `region ${job.regionCode}` : 'list';
  const s = job.skipped;
  return [
    `card job ${job.id} (${what}): ${job.status === 'done' ? 'done' : 'running — resume with `tessera cards resume ' + job.id + '`'}`,
    `  looked at ${job.done} of ${job.total}; issued ${job.issued}; skipped ${s.holds_card} holding a card, ${s.in_review} awaiting duplicate review, ${s.inactive} not active`,
  ].join('\n');
}

function batchOption(text: string | undefined): number {
  if (text === undefined) return cardJobBatchDefault;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 10_000) {
    throw new DomainError('VALIDATION_FAILED', '--batch: a whole number from 1 to 10000', 'batch');
  }
  return n;
}

async function runWithBar(
  app: AppContext,
  caller: Caller,
  job: CardJob,
  batch: number,
  sheets: string | undefined,
): Promise<void> {
  // A resumed job: what earlier sessions did is shown in the count, not in the rate.
  const bar = progressBar('cards', job.total, Date.now(), job.done);
  const done = await runCardJob(app, caller, job.id, {
    batchSize: batch,
    onBatch: (now) => bar.update(now.done),
  });
  bar.stop();
  console.log(describeCardJob(done));
  if (sheets) await renderWithBar(app, caller, done.id, sheets);
}

function workersOption(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 64) {
    throw new DomainError('VALIDATION_FAILED', '--workers: a whole number from 0 to 64', 'workers');
  }
  return n;
}

async function renderWithBar(
  app: AppContext,
  caller: Caller,
  jobId: string,
  outDir: string,
  workers?: number,
): Promise<void> {
  let bar: ReturnType<typeof progressBar> | undefined;
  const report = await renderCardJobSheets(app, { ...caller, purpose: 'card_issuance' }, jobId, {
    outDir,
    ...(workers === undefined ? {} : { workers }),
    onProgress: (done, total) => {
      bar ??= progressBar('sheets', total);
      bar.update(done);
    },
  });
  bar?.stop();
  console.log(
    `sheets in ${outDir}: ${report.written} written (${report.cards} cards), ${report.skippedExisting} already there`,
  );
}

/** Registers the `cards` commands. */
export function registerCardCommands(program: Command, { withApp }: CliContext): void {
  const cards = program.command('cards').description('Bulk card issuance and print sheets');
  cards
    .command('issue')
    .description('Issue cards to every active person of a region, or to a list of registry numbers')
    .option('--region <code>', 'every active person of this region (ISO 3166-2, e.g. VE-A)')
    .option('--list <file>', 'a file of registry numbers, one per line')
    .option('--batch <n>', `people per transaction (default ${cardJobBatchDefault})`)
    .option('--sheets <dir>', 'then render the print sheets into this folder')
    .action(async (o: { region?: string; list?: string; batch?: string; sheets?: string }) => {
      if (!o.region === !o.list) {
        throw new DomainError('VALIDATION_FAILED', 'give --region or --list, one of them');
      }
      const batch = batchOption(o.batch);
      const lines = o.list ? readFileSync(o.list, 'utf8').split(/\r?\n/) : [];
      await withApp('cards', async (app, caller) => {
        const job = o.region
          ? await createRegionCardJob(app, caller, o.region)
          : await createListCardJob(app, caller, lines);
        console.log(`card job ${job.id}: ${job.total} people`);
        await runWithBar(app, caller, job, batch, o.sheets);
      });
    });
  cards
    .command('resume <job>')
    .description('Resume a card job where its last batch committed')
    .option('--batch <n>', `people per transaction (default ${cardJobBatchDefault})`)
    .option('--sheets <dir>', 'then render the print sheets into this folder')
    .action(async (id: string, o: { batch?: string; sheets?: string }) => {
      const batch = batchOption(o.batch);
      await withApp('cards', async (app, caller) => {
        const job = await getCardJob(app, caller, id);
        await runWithBar(app, caller, job, batch, o.sheets);
      });
    });
  cards
    .command('jobs')
    .description('The latest card jobs and how far each got')
    .action(async () => {
      await withApp('cards', async (app, caller) => {
        const jobs = await listCardJobs(app, caller);
        if (jobs.length === 0) console.log('no card jobs');
        for (const job of jobs) console.log(describeCardJob(job));
      });
    });
  cards
    .command('sheets <job>')
    .description('Render (or finish rendering) a job’s print sheets: A4 PDFs, eight cards a page')
    .requiredOption('--out <dir>', 'folder to write the PDFs to')
    .option('--workers <n>', 'worker threads drawing the sheets (default one a core, at most 4)')
    .action(async (id: string, o: { out: string; workers?: string }) => {
      const workers = workersOption(o.workers);
      await withApp('cards', (app, caller) => renderWithBar(app, caller, id, o.out, workers));
    });
}
