// `tessera ledger payouts list | show | create | approve | export | retry | import`: payout
// batches from the server's shell. Approval is refused here: the CLI acts as the system, and a
// batch is approved by a second person, signed in (the console or the API).
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { CliContext } from '../../cli/cli-context';
import { readCsvBatches } from '../../shared/csv';
import { DomainError } from '../../shared/errors';
import { amountText } from '../amount';
import {
  createPayoutBatch,
  getPayoutBatch,
  listPayoutBatches,
  payoutBatchInput,
  type PayoutItemRequest,
} from './batches';
import { exportPayoutBatch } from './export';
import { importStatusReport } from './import-status';
import { retryPayoutBatch } from './retry';

/** Where the commands write (replaced in tests). */
export interface PayoutCliIo {
  out: (line: string) => void;
}

async function readItems(path: string): Promise<PayoutItemRequest[]> {
  const items: PayoutItemRequest[] = [];
  for await (const batch of readCsvBatches(createReadStream(path))) {
    for (const { line, fields } of batch) {
      if (line === 1) {
        if (fields[0] !== 'person_id' || fields[1] !== 'amount')
          throw new DomainError(
            'MALFORMED_CSV',
            'line 1: the items file starts with the header "person_id,amount".',
            'line 1',
          );
        continue;
      }
      const amount = amountText.safeParse(fields[1] ?? '');
      if (!amount.success || !fields[0])
        throw new DomainError(
          'MALFORMED_CSV',
          `line ${line}: a person id and an amount in minor units, such as 150000.`,
          `line ${line}`,
        );
      items.push({ personId: fields[0], amount: amount.data });
    }
  }
  return items;
}

/** Registers the payout commands under `tessera ledger`. */
export function registerPayoutCommands(
  ledger: Command,
  { withApp }: CliContext,
  io: PayoutCliIo,
): void {
  const payouts = ledger
    .command('payouts')
    .description('Payout batches to banks and mobile money (pain.001, pain.002, camt.054)');
  payouts
    .command('list')
    .description('The newest payout batches')
    .action(async () => {
      const batches = await withApp('payouts.list', (app, caller) =>
        listPayoutBatches(app, caller),
      );
      for (const b of batches)
        io.out(`${b.id}  ${b.status}  ${b.itemCount} items  ${b.total} ${b.currency}  ${b.label}`);
    });
  payouts
    .command('show <id>')
    .description('A batch with its life, totals by status and exports, as JSON')
    .action(async (id: string) => {
      const batch = await withApp('payouts.show', (app, caller) => getPayoutBatch(app, caller, id));
      io.out(JSON.stringify(batch, null, 2));
    });
  payouts
    .command('create')
    .description('Prepare a batch from a CSV of person_id,amount (minor units)')
    .requiredOption('--id <id>', 'the batch id')
    .requiredOption('--origin <origin>', 'what is paid: each person is paid once per origin')
    .requiredOption('--label <label>', 'what the people see on their statement')
    .requiredOption('--fund <account>', 'the programme fund account')
    .requiredOption('--date <date>', 'requested execution date, YYYY-MM-DD')
    .requiredOption('--items <file>', 'CSV with the header person_id,amount')
    .option('--currency <code>', 'currency', 'VES')
    .action(
      async (o: {
        id: string;
        origin: string;
        label: string;
        fund: string;
        date: string;
        items: string;
        currency: string;
      }) => {
        const items = await readItems(o.items);
        const parsed = payoutBatchInput.safeParse({
          id: o.id,
          origin: o.origin,
          label: o.label,
          fundAccountId: o.fund,
          currency: o.currency,
          executionDate: o.date,
        });
        if (!parsed.success) {
          const issue = parsed.error.issues[0]!;
          throw new DomainError('VALIDATION_FAILED', `${String(issue.path[0])}: ${issue.message}`);
        }
        const batch = await withApp('payouts.create', (app, caller) =>
          createPayoutBatch(app, caller, { ...parsed.data, items }),
        );
        io.out(
          `created ${batch.id}: ${batch.itemCount} to pay, ${batch.total} ${batch.currency}; a second person approves it`,
        );
      },
    );
  payouts
    .command('approve <id>')
    .description('Refused here: a second person approves, signed in')
    .action(() => {
      throw new DomainError(
        'FORBIDDEN',
        'A payout batch is approved by a second person signed in (POST /api/v1/payouts/:id/approve), never from the server shell.',
      );
    });
  payouts
    .command('export <id>')
    .description('Reserve an approved batch’s money and send it to its providers')
    .action(async (id: string) => {
      const r = await withApp('payouts.export', (app, caller) =>
        exportPayoutBatch(app, caller, id),
      );
      io.out(`reserved ${r.reserved}, failed ${r.failed}, skipped ${r.skipped}`);
      for (const e of r.exports)
        io.out(`${e.id}  ${e.providerId}  ${e.items} items  ${e.delivery}`);
    });
  payouts
    .command('retry <id>')
    .description('Send again what providers returned')
    .action(async (id: string) => {
      const r = await withApp('payouts.retry', (app, caller) => retryPayoutBatch(app, caller, id));
      io.out(
        `retried ${r.retried} (${r.destinationChanged} left: destination changed), reserved ${r.reserved}`,
      );
    });
  payouts
    .command('import <file>')
    .description('Apply a pain.002 status report or camt.054 notification')
    .action(async (file: string) => {
      const bytes = await readFile(file);
      const r = await withApp('payouts.import', (app, caller) =>
        importStatusReport(app, caller, bytes),
      );
      io.out(
        `${r.kind} ${r.messageId}${r.repeated ? ' (imported before: nothing changed)' : ''}: settled ${r.settled}, failed ${r.failed}, unchanged ${r.unchanged}, pending ${r.pending}, differences ${r.differences}`,
      );
      for (const d of r.shown)
        io.out(`  ${d.at}  ${d.endToEndId}  ${d.problem}${d.detail ? ` ${d.detail}` : ''}`);
    });
}
