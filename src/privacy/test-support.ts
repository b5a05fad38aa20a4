// For tests: the `tessera audit` commands run in-process, their output and exit code captured.
import { Command } from 'commander';
import { cliContext } from '../app';
import { registerAuditCommands } from './cli-audit';

/** Runs `tessera <args>` with the audit commands; returns what it printed and its exit code. */
export async function runAuditCommand(
  ...args: string[]
): Promise<{ out: string; err: string; code: number }> {
  const result = { out: '', err: '', code: 0 };
  const program = new Command('tessera').exitOverride();
  registerAuditCommands(program, cliContext, {
    out: (line) => (result.out += `${line}\n`),
    err: (line) => (result.err += `${line}\n`),
    setExitCode: (code) => (result.code = code),
  });
  await program.parseAsync(['node', 'tessera', ...args]);
  return result;
}
