// `tessera dedup run`: the registry-wide duplicate scan from a shell, with a progress bar and
// a summary; `tessera dedup status`: what the queue holds.
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { CliContext } from '../cli/cli-context';
import { progressBar } from '../cli/progress';
import { runDedupBatch, type DedupRunReport } from './batch-run';
import { keyRegistry, type KeyRegistryReport } from './stored-keys';
import { trainOnRegistry, type TrainRegistryReport } from './train-registry';

/** The summary an operator reads. */
export function describeRun(r: DedupRunReport): string {
  const state = r.finished ? 'finished' : 'stopped (run again to resume)';
  return [
    `dedup run ${r.runId} ${state}${r.resumed ? ', resumed' : ''}`,
    `  key rows scanned: ${r.keyRowsDone} of ${r.keyRowsTotal} (about ${r.recordsDone} of ${r.recordsTotal} records); pairs compared this session: ${r.comparedCount}`,
    `  blocks split this session: ${r.blocksSplit}; parts left out: ${r.blocksDropped} (${r.keyRowsLeftOut} key rows)`,
    `  pairs found: ${r.pairsFound}, new in the review queue: ${r.pairsNew}${r.finished ? ` (same person ${r.samePerson}, possible duplicate ${r.possibleDuplicate})` : ''}`,
  ].join('\n');
}

/** What `tessera dedup keys` did, for an operator. */
export function describeKeying(r: KeyRegistryReport): string {
  return r.finished
    ? `blocking keys up to date: ${r.done} persons read, ${r.keyed} keyed (the rest had keys already)`
    : `blocking keys stopped after ${r.done} of ${r.total} persons (${r.keyed} keyed); run again to resume`;
}

/** What a training run found, for an operator: the levels that moved most. */
export function describeTraining(r: TrainRegistryReport, shown = 15): string {
  return [
    `model trained on ${r.personsSampled} of ${r.personsTotal} persons (EM, unlabelled)`,
    `  prior of a blocked pair: shipped ${r.shippedPrior}, trained ${r.trainedPrior}`,
    `  largest differences from the shipped model (bits, shipped -> trained):`,
    ...r.differences
      .slice(0, shown)
      .map(
        (d) =>
          `    ${d.comparison} / ${d.level}: ${d.shipped} -> ${d.trained} (${d.difference >= 0 ? '+' : ''}${d.difference})`,
      ),
  ].join('\n');
}

/** Registers `tessera dedup run`, `keys`, `train` and `status`. */
export function registerDedupCommands(program: Command, { withApp }: CliContext): void {
  const dedup = program
    .command('dedup')
    .description('Duplicate detection: scan the registry, see the review queue');
  dedup
    .command('run')
    .description(
      'Scan the whole registry for likely duplicates and fill the review queue (resumes an unfinished run)',
    )
    .option('--restart', 'abandon an unfinished run and start afresh')
    .option('--summary <file>', 'write the run summary as JSON')
    .action(async (options: { restart?: boolean; summary?: string }) => {
      await withApp('dedup', async (app, caller) => {
        let bar: ReturnType<typeof progressBar> | undefined;
        const report = await runDedupBatch(app, caller, {
          restart: options.restart ?? false,
          // The first report is where the run starts (a resumed run's rows done before).
          onProgress: (done, total) => {
            if (bar === undefined) bar = progressBar('dedup', total, Date.now(), done);
            else bar.update(done);
          },
        });
        bar?.stop();
        console.log(describeRun(report));
        if (options.summary)
          writeFileSync(options.summary, JSON.stringify(report, null, 2), { mode: 0o600 });
      });
    });
  dedup
    .command('keys')
    .description(
      'Write the blocking keys of every person not keyed yet (after the demo, an archive import or an upgrade), in batches; resumes where it stopped',
    )
    .action(async () => {
      await withApp('dedup-keys', async (app) => {
        let bar: ReturnType<typeof progressBar> | undefined;
        const report = await keyRegistry(app.db, app.dedup?.documentAttribute ?? null, {
          onProgress: (done, total) => {
            bar ??= progressBar('keys', total);
            bar.update(done);
          },
        });
        bar?.stop();
        console.log(describeKeying(report));
      });
    });
  dedup
    .command('train')
    .description(
      'Estimate the match model from a sample of this registry, without labels, and show how it differs from the shipped one',
    )
    .option('--sample <n>', 'persons sampled at most', String(200_000))
    .option('--seed <n>', 'seed of the sample and the random pairs', '1')
    .option('--out <file>', 'write the trained model as JSON (it holds no personal data)')
    .action(async (options: { sample: string; seed: string; out?: string }) => {
      await withApp('dedup-train', async (app, caller) => {
        const report = await trainOnRegistry(app, caller, {
          sampleMax: Number(options.sample),
          seed: Number(options.seed),
        });
        console.log(describeTraining(report));
        if (options.out) writeFileSync(options.out, JSON.stringify(report.model, null, 2) + '\n');
      });
    });
  dedup
    .command('status')
    .description('Count the pairs in the review queue by status, and show the latest run')
    .action(async () => {
      await withApp('dedup-status', async (app) => {
        const counts = await app.db.kysely
          .selectFrom('dedup_pairs')
          .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
          .groupBy('status')
          .execute();
        console.log(
          counts.length === 0
            ? 'review queue: empty'
            : `review queue: ${counts.map((c) => `${c.status} ${Number(c.n)}`).join(', ')}`,
        );
        const run = await app.db.kysely
          .selectFrom('dedup_runs')
          .selectAll()
          .orderBy('started_at', 'desc')
          .executeTakeFirst();
        if (run)
          console.log(
            `latest run ${run.id}: ${run.status}, ${Number(run.records_done)} of ${Number(run.records_total)} records, ${Number(run.pairs_new)} new pairs`,
          );
      });
    });
}
