// `tessera audit verify` and `tessera audit seal`: the operator's tamper check and a way to
// seal now (the server seals in the background). Verification writes nothing, so it can run
// against a read-only copy of the database.
import { InvalidArgumentError, type Command } from 'commander';
import type { CliContext } from '../cli/cli-context';
import { sealPendingAudit } from './audit-sealer';
import { verifyAuditLog, type AuditVerification } from './verify-audit';

/** Where the commands write, and how they report failure (replaced in tests). */
export interface AuditCliIo {
  out: (line: string) => void;
  err: (line: string) => void;
  setExitCode: (code: number) => void;
}

const processIo: AuditCliIo = {
  out: (line) => console.log(line),
  err: (line) => console.error(line),
  setExitCode: (code) => {
    process.exitCode = code;
  },
};

function chainIndexArgument(value: string): number {
  if (!/^\d{1,15}$/.test(value))
    throw new InvalidArgumentError('a chain index is a whole number, 0 or more');
  return Number(value);
}

/** The one-paragraph verdict an operator reads. */
export function describeVerification(v: AuditVerification): string {
  if (!v.ok) {
    const entry = v.entryId ? `entry ${v.entryId}` : 'no entry (it is missing)';
    return `audit log TAMPERED: ${v.problem} at chain index ${v.chainIndex}, ${entry}\n  ${v.message}`;
  }
  const range =
    v.range && (v.range.from > 0 || v.entriesChecked > 0)
      ? ` (chain indices ${v.range.from}–${v.range.to})`
      : '';
  const lines = [
    `audit log verified: ${v.entriesChecked} entries, ${v.sealsChecked} seals${range}`,
  ];
  if (v.lastIndex !== null && v.lastSealedIndex !== v.lastIndex) {
    lines.push(`  entries after #${v.lastSealedIndex ?? -1} are chained but not covered by a seal`);
  }
  if (v.unsealedEntries > 0)
    lines.push(
      `  ${v.unsealedEntries} newer entries are not chained yet (run: tessera audit seal)`,
    );
  return lines.join('\n');
}

/** Registers `tessera audit verify` and `tessera audit seal`. */
export function registerAuditCommands(
  program: Command,
  { withApp }: CliContext,
  io: AuditCliIo = processIo,
): void {
  const audit = program.command('audit').description('Check and seal the tamper-evident audit log');
  audit
    .command('verify')
    .description('Verify the audit chain and its seals; exit 0 when intact, 1 when tampered')
    .option('--from <index>', 'first chain index to verify', chainIndexArgument)
    .option('--to <index>', 'last chain index to verify', chainIndexArgument)
    .option('--json', 'print the verdict as JSON')
    .action(async (options: { from?: number; to?: number; json?: boolean }) => {
      const verdict = await withApp('audit-verify', (app) =>
        verifyAuditLog(app, {
          ...(options.from !== undefined ? { fromIndex: options.from } : {}),
          ...(options.to !== undefined ? { toIndex: options.to } : {}),
        }),
      );
      io.out(options.json ? JSON.stringify(verdict, null, 2) : describeVerification(verdict));
      io.setExitCode(verdict.ok ? 0 : 1);
    });
  audit
    .command('seal')
    .description('Chain and seal every audit entry appended since the last seal')
    .action(async () => {
      const result = await withApp('audit-seal', (app) => sealPendingAudit(app));
      if (result.kind === 'sealed') {
        io.out(
          `sealed ${result.entries} entries in ${result.batches} batches; chain head #${result.lastIndex} ${result.headHash}`,
        );
      } else if (result.kind === 'busy') {
        io.err('another sealer is running; try again shortly');
        io.setExitCode(1);
      } else {
        io.out('nothing to seal');
      }
    });
}
