// The `tessera` command: everything an operator does from a shell. The program knows no
// domain: src/main.ts hands it each domain's command registration and the serve command's
// dependencies, both built from the module list.
import { Command, CommanderError } from 'commander';
import { DomainError } from '../shared/errors';
import { registerBackupCommands, type BackupDependencies } from './backup-command';
import type { CliContext } from './cli-context';
import { registerServeCommand, type ServeDependencies } from './serve-command';

/** What the program is built from. */
export interface ProgramParts {
  cli: CliContext;
  serve: ServeDependencies;
  backup: BackupDependencies;
  /** Each domain's command registration, in module order. */
  commands: readonly ((program: Command, cli: CliContext) => void)[];
}

/** Builds the `tessera` program. */
export function buildProgram(parts: ProgramParts): Command {
  const program = new Command('tessera')
    .description(
      'Tessera: registry, verifiable QR cards, and benefit delivery that cannot be turned into political control.',
    )
    .showHelpAfterError()
    .exitOverride();
  registerServeCommand(program, parts.serve);
  registerBackupCommands(program, parts.backup);
  for (const register of parts.commands) register(program, parts.cli);
  return program;
}

/** Runs the program on argv; sets the exit code: 0 done, 1 refused or failed, 2 usage. */
export async function runProgram(program: Command, argv: string[]): Promise<void> {
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      process.exitCode = e.exitCode === 0 ? 0 : 2;
    } else if (e instanceof DomainError) {
      const where = e.field && !e.message.includes(e.field) ? ` at ${e.field}` : '';
      console.error(`error ${e.code}${where}: ${e.message}`);
      process.exitCode = 1;
    } else {
      console.error(`error: ${e instanceof Error ? e.message : String(e)}`);
      process.exitCode = 1;
    }
  }
}
