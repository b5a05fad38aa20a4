// `tessera ledger settlement compute | approve | show | day`, `tessera ledger reconcile
// <cycle>` and `tessera ledger disputes list`: from the server's shell. Approving a settlement
// and resolving a dispute are refused here: the CLI acts as the system, and both are decided by
// a second person, signed in (the console or the API).
import type { Command } from 'commander';
import type { CliContext } from '../cli/cli-context';
import { DomainError } from '../shared/errors';
import { parseInput } from '../shared/validate';
import { listDisputes } from './disputes';
import { reconcilePayouts } from './reconciliation';
import { computeSettlement, getSettlement, settlementDay, settlementInput } from './settlement';
import { dayText } from '../shared/local-day';

/** Where the commands write (replaced in tests). */
export interface SettlementCliIo {
  out: (line: string) => void;
}

/** Registers the settlement, reconciliation and dispute commands under `tessera ledger`. */
export function registerSettlementCommands(
  ledger: Command,
  { withApp }: CliContext,
  io: SettlementCliIo,
): void {
  const settlement = ledger
    .command('settlement')
    .description(
      'Points’ settlements per local day: compute, show (approval is a second person’s)',
    );
  settlement
    .command('compute')
    .description('Compute a point’s settlement of a day (again, until it is approved)')
    .requiredOption('--point <id>', 'the point of service')
    .requiredOption('--day <day>', 'the point’s local day, YYYY-MM-DD')
    .action(async (o: { point: string; day: string }) => {
      const input = parseInput(settlementInput, { pointId: o.point, day: o.day });
      const s = await withApp('ledger.settlement.compute', (app, caller) =>
        computeSettlement(app, caller, input),
      );
      io.out(
        `${s.id}  ${s.status}${s.repeated ? ' (approved before: nothing changed)' : ''}  ${s.day}  ${s.pointCode ?? s.pointId}`,
      );
      for (const l of s.lines)
        io.out(
          `  ${l.programmeId}  ${l.redemptions} redemptions  ${l.quantity} units  cash ${l.cash}  wallet ${l.wallet}  owed ${l.reimbursement} ${l.currency}`,
        );
    });
  settlement
    .command('approve <id>')
    .description('Refused here: a second person approves, signed in')
    .action(() => {
      throw new DomainError(
        'FORBIDDEN',
        'A settlement is approved by a second person signed in (POST /api/v1/settlements/:id/approve), never from the server shell.',
      );
    });
  settlement
    .command('show <id>')
    .description('A settlement with its lines and totals, as JSON')
    .action(async (id: string) => {
      const s = await withApp('ledger.settlement.show', (app, caller) =>
        getSettlement(app, caller, id),
      );
      io.out(JSON.stringify(s, null, 2));
    });
  settlement
    .command('day <day>')
    .description('The points that handed something over on a local day, and their settlements')
    .action(async (day: string) => {
      const d = parseInput(dayText, day, 'day');
      const rows = await withApp('ledger.settlement.day', (app, caller) =>
        settlementDay(app, caller, d),
      );
      for (const r of rows)
        io.out(`${r.pointCode}  ${r.redemptions} redemptions  ${r.status}  ${r.settlementId}`);
    });
  ledger
    .command('reconcile <cycle>')
    .description(
      'Reconcile a cycle’s payouts (or any origin, such as pension:2026-12) against the providers’ statements',
    )
    .action(async (cycle: string) => {
      const r = await withApp('ledger.reconcile', (app, caller) =>
        reconcilePayouts(app, caller, { origin: cycle }),
      );
      const l = r.ledger;
      io.out(
        `${r.origin}: issued ${l.issued.count} (${l.issued.amount}), paid ${l.paid.count} (${l.paid.amount}), failed ${l.failed.count}, returned ${l.returned.count}, outstanding ${l.outstanding.count} (${l.outstanding.amount}) ${r.currency ?? ''}`,
      );
      io.out(
        `statements: paid ${r.statement.paid.count} (${r.statement.paid.amount}), failed ${r.statement.failed.count}, returned ${r.statement.returned.count}; ${r.balanced ? 'balanced' : `${r.differenceCount} differences`}`,
      );
      for (const d of r.differences)
        io.out(
          `  ${d.kind}  ${d.endToEndId}  batch ${d.batchId ?? '-'}  item ${d.itemId ?? '-'}  transfer ${d.transferId ?? '-'}  report ${d.reportId ?? '-'} ${d.statementAt ?? ''}  ledger ${d.ledgerStatus ?? '-'} ${d.ledgerAmount ?? ''}  statement ${d.statementStatus ?? '-'} ${d.statementAmount ?? ''}`,
        );
      if (!r.balanced) process.exitCode = 1;
    });
  const disputes = ledger
    .command('disputes')
    .description('Disputes on settlement lines (resolved by a second person, signed in)');
  disputes
    .command('list')
    .description('Disputes, newest first')
    .option('--status <status>', 'open, under_review, upheld or rejected')
    .action(async (o: { status?: string }) => {
      const status = o.status as 'open' | 'under_review' | 'upheld' | 'rejected' | undefined;
      if (status && !['open', 'under_review', 'upheld', 'rejected'].includes(status))
        throw new DomainError(
          'VALIDATION_FAILED',
          'status: open, under_review, upheld or rejected',
        );
      const rows = await withApp('ledger.disputes.list', (app, caller) =>
        listDisputes(app, caller, status ? { status } : {}),
      );
      for (const d of rows)
        io.out(
          `${d.id}  ${d.status}  ${d.direction} ${d.claimed}  ${d.settlementId}  ${d.programmeId}  ${d.reason}`,
        );
    });
  disputes
    .command('resolve <id>')
    .description('Refused here: a second person resolves, signed in')
    .action(() => {
      throw new DomainError(
        'FORBIDDEN',
        'A dispute is resolved by a second person signed in (POST /api/v1/disputes/:id/decision), never from the server shell.',
      );
    });
}
