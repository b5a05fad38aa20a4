// The `tessera` command: everything an operator does from a shell.
import { Command, CommanderError } from 'commander';
import { registerKeyCommands } from '../credentials/cli-keys';
import { registerVerifyCommand } from '../credentials/cli-verify';
import { registerDedupCommands } from '../dedup/cli-dedup';
import { registerAuditCommands } from '../privacy/cli-audit';
import { DomainError } from '../shared/errors';
import { registerAdminCommands } from './admin-commands';
import { registerRegistryCommands } from './registry-commands';
import { registerServeCommand } from './serve-command';

const program = new Command('tessera')
  .description(
    'Tessera: registry, verifiable QR cards, and benefit delivery that cannot be turned into political control.',
  )
  .showHelpAfterError()
  .exitOverride();

registerServeCommand(program);
registerAdminCommands(program);
registerRegistryCommands(program);
registerKeyCommands(program);
registerVerifyCommand(program);
registerAuditCommands(program);
registerDedupCommands(program);

try {
  await program.parseAsync(process.argv);
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
