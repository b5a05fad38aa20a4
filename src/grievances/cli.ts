// `tessera grievances list|show`: the queue and one grievance from a shell, as the system actor
// `cli:<what>` with the purpose grievance, audited like the API.
import type { Command } from 'commander';
import type { CliContext } from '../cli/cli-context';
import { parseInput } from '../shared/validate';
import { getGrievance, listGrievances, queueQuery } from './grievances';

/** Where the commands write (replaced in tests). */
export interface GrievancesCliIo {
  out: (line: string) => void;
}

const processIo: GrievancesCliIo = { out: (line) => console.log(line) };

/** Registers the `grievances` commands. */
export function registerGrievancesCommands(
  program: Command,
  { withApp }: CliContext,
  io: GrievancesCliIo = processIo,
): void {
  const grievances = program.command('grievances').description('Grievances and appeals');
  grievances
    .command('list')
    .option('--status <status>', 'received, in_review, resolved, appealed, closed or open')
    .option('--region <code>', 'only this region')
    .option('--overdue', 'only those past their target date')
    .description('List the queue: reference, status, category, region, due date (overdue marked)')
    .action(async (options: { status?: string; region?: string; overdue?: boolean }) => {
      const query = parseInput(queueQuery, {
        ...(options.status ? { status: options.status } : {}),
        ...(options.region ? { region: options.region } : {}),
        ...(options.overdue ? { overdue: 'true' } : {}),
        limit: 200,
      });
      const page = await withApp('grievances.list', (app, caller) =>
        listGrievances(app, { ...caller, purpose: 'grievance' }, query),
      );
      if (page.items.length === 0) io.out('no grievances');
      for (const g of page.items)
        io.out(
          `${g.reference}  ${g.status}  ${g.category}  ${g.regionCode}  due ${g.dueAt.slice(0, 10)}${g.overdue ? '  OVERDUE' : ''}`,
        );
    });
  grievances
    .command('show <reference>')
    .description('Print one grievance (by reference or id) with its history, as JSON')
    .action(async (reference: string) => {
      const g = await withApp('grievances.show', (app, caller) =>
        getGrievance(app, { ...caller, purpose: 'grievance' }, reference),
      );
      io.out(JSON.stringify(g, null, 2));
    });
}
