// `tessera programs …` and `tessera cycles …`: the operator's commands. Generation of a
// country's cycle runs here, with a progress bar; approval does not — it is a second person's
// decision, taken signed in, in the console or through the API.
import type { Command } from 'commander';
import type { CliContext } from '../cli/cli-context';
import { progressBar } from '../cli/progress';
import { createPeopleCardJob, runCardJob } from '../credentials';
import { parseInput } from '../shared/validate';
import { closeCycle, createCycle, cycleInput, freezeCycle, listCycles } from './cycles';
import { exclusionReport } from './exclusion-report';
import { generateEntitlements } from './generate-entitlements';
import { presentProgramme } from './present';
import { getProgramme, listProgrammes } from './programmes';
import { reduceExpiredDetail } from './retention';

/** Where the commands write (replaced in tests). */
export interface ProgramsCliIo {
  out: (line: string) => void;
}

const processIo: ProgramsCliIo = { out: (line) => console.log(line) };

/** Registers the `programs` and `cycles` commands. */
export function registerProgramsCommands(
  program: Command,
  { withApp }: CliContext,
  io: ProgramsCliIo = processIo,
): void {
  const programs = program.command('programs').description('Benefit programmes');
  programs
    .command('list')
    .description('List programmes: code, kind, target, version, status')
    .action(async () => {
      const list = await withApp('programs.list', (app, caller) => listProgrammes(app, caller));
      for (const p of list)
        io.out(
          `${p.id}  ${p.code}  ${p.kind}  ${p.target}  v${p.currentVersion}  ${p.status}  ${p.current.name.en}`,
        );
    });
  programs
    .command('show <id>')
    .description('Print a programme with all its versions, as JSON')
    .action(async (id: string) => {
      const p = await withApp('programs.show', (app, caller) => getProgramme(app, caller, id));
      io.out(JSON.stringify(presentProgramme(p), null, 2));
    });

  const cycles = program.command('cycles').description('Programme cycles');
  cycles
    .command('list')
    .option('--programme <id>', 'only this programme’s cycles')
    .description('List cycles, newest first')
    .action(async (options: { programme?: string }) => {
      const list = await withApp('cycles.list', (app, caller) =>
        listCycles(app, caller, options.programme),
      );
      for (const c of list)
        io.out(
          `${c.id}  ${c.label}  ${c.status}  eligible ${c.eligibleCount ?? '-'}  entitlements ${c.entitlementCount ?? '-'}`,
        );
    });
  cycles
    .command('open <programmeId> <label> <opensOn> <closesOn>')
    .description('Open a draft cycle (dates as YYYY-MM-DD)')
    .action(async (programmeId: string, label: string, opensOn: string, closesOn: string) => {
      const c = await withApp('cycles.open', (app, caller) =>
        createCycle(app, caller, parseInput(cycleInput, { programmeId, label, opensOn, closesOn })),
      );
      io.out(`opened ${c.id} (${c.label})`);
    });
  cycles
    .command('freeze <id>')
    .description('Compute and store a draft cycle’s eligible set')
    .action(async (id: string) => {
      const c = await withApp('cycles.freeze', (app, caller) => freezeCycle(app, caller, id));
      io.out(`frozen ${c.id}: ${c.eligibleCount} eligible`);
    });
  cycles
    .command('generate <id>')
    .description('Generate a frozen cycle’s entitlements (run again to finish after a failure)')
    .action(async (id: string) => {
      const started = Date.now();
      let bar: ReturnType<typeof progressBar> | undefined;
      const c = await withApp('cycles.generate', (app, caller) =>
        generateEntitlements(app, caller, id, {
          onProgress: ({ done, total }) => {
            bar ??= progressBar('entitlements', total, started);
            bar.update(done);
          },
        }),
      );
      bar?.stop();
      const seconds = (Date.now() - started) / 1000;
      io.out(
        `generated ${c.entitlementCount} entitlements in ${seconds.toFixed(1)} s; a second administrator approves the cycle`,
      );
    });
  cycles
    .command('close <id>')
    .description('Close an approved cycle and store its exclusion report')
    .action(async (id: string) => {
      const r = await withApp('cycles.close', (app, caller) => closeCycle(app, caller, id));
      io.out(`closed ${r.cycle.id}: ${r.expired} expired; exclusion report ${r.report.id}`);
    });
  cycles
    .command('cards <id>')
    .description(
      'Issue cards to the cycle’s beneficiaries who hold none (a bulk card job; a card is never a condition of the benefit)',
    )
    .action(async (id: string) => {
      await withApp('cycles.cards', async (app, caller) => {
        const rows = await app.db.kysely
          .selectFrom('entitlements')
          .select('person_id')
          .distinct()
          .where('cycle_id', '=', id)
          .execute();
        const job = await createPeopleCardJob(
          app,
          caller,
          rows.map((r) => r.person_id),
        );
        io.out(`card job ${job.id}: ${job.total} beneficiaries of cycle ${id}`);
        const bar = progressBar('cards', job.total);
        const done = await runCardJob(app, caller, job.id, {
          onBatch: (now) => bar.update(now.done),
        });
        bar.stop();
        io.out(
          `issued ${done.issued}; skipped ${done.skipped.holds_card} holding a card, ${done.skipped.in_review} awaiting review, ${done.skipped.inactive} not active`,
        );
      });
    });
  cycles
    .command('exclusion <id>')
    .description('Print a cycle’s exclusion report (suppressed), as JSON')
    .action(async (id: string) => {
      const r = await withApp('cycles.exclusion', (app, caller) =>
        exclusionReport(app, caller, id),
      );
      io.out(JSON.stringify(r, null, 2));
    });
  cycles
    .command('reduce')
    .description('Reduce redemption detail of cycles past their retention period to totals')
    .action(async () => {
      const done = await withApp('cycles.reduce', (app, caller) =>
        reduceExpiredDetail(app, caller),
      );
      io.out(
        done.length === 0
          ? 'nothing to reduce'
          : `reduced ${done.length} cycles: ${done.join(', ')}`,
      );
    });
}
