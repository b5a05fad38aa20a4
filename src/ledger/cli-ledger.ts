// `tessera ledger accounts | balance ID`: the operator's look at the books; `tessera ledger
// payouts …` (payouts/cli-payouts.ts) for payout batches.
import type { Command } from 'commander';
import type { CliContext } from '../cli/cli-context';
import { getAccount } from './get-account';
import { ledgerTotals } from './ledger-totals';
import { presentAccount } from './present';
import { registerPayoutCommands } from './payouts/cli-payouts';
import { registerSettlementCommands } from './settlement-cli';
import { accountFromRow } from './store';

/** Where the commands write (replaced in tests). */
export interface LedgerCliIo {
  out: (line: string) => void;
}

const processIo: LedgerCliIo = { out: (line) => console.log(line) };

/** Registers the `ledger` commands. */
export function registerLedgerCommands(
  program: Command,
  cli: CliContext,
  io: LedgerCliIo = processIo,
): void {
  const { withApp } = cli;
  const ledger = program.command('ledger').description('Ledger accounts and balances');
  ledger
    .command('accounts')
    .description('List accounts with their posted balances, and each ledger’s totals')
    .action(async () => {
      const lines = await withApp('ledger.accounts', async (app) => {
        const rows = await app.db.kysely
          .selectFrom('ledger_accounts')
          .selectAll()
          .orderBy('id')
          .execute();
        const out = rows.map((row) => {
          const a = accountFromRow(row);
          return `${a.id}  ${a.ledger}  ${a.code}  debits ${a.debitsPosted}  credits ${a.creditsPosted}`;
        });
        for (const t of await ledgerTotals(app.db.kysely)) {
          out.push(
            `${t.ledger} total  debits ${t.debitsPosted}  credits ${t.creditsPosted}  ${t.isBalanced ? 'balanced' : 'NOT BALANCED'}`,
          );
        }
        return out;
      });
      for (const line of lines) io.out(line);
    });
  ledger
    .command('balance <id>')
    .description('Print one account with its balances, as JSON')
    .action(async (accountId: string) => {
      const account = await withApp('ledger.balance', (app, caller) =>
        getAccount(app, caller, accountId),
      );
      io.out(JSON.stringify(presentAccount(account), null, 2));
    });
  registerPayoutCommands(ledger, cli, io);
  registerSettlementCommands(ledger, cli, io);
}
