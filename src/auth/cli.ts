import type { Command } from 'commander';
import { insertGrant, insertStaff } from './accounts';
import { buildPermissionMatrix, permissionMatrixMarkdown, roles } from '../shared/access';
import type { CliContext } from '../cli/cli-context';

/** `tessera admin create` and `tessera permissions`. */
export function registerAdminCommands(
  program: Command,
  { withApp, permissions }: CliContext,
): void {
  const admin = program.command('admin').description('Administrator accounts');
  admin
    .command('create')
    .description(
      'Create an administrator with a one-time password (printed once); they enrol a second factor at first sign-in',
    )
    .requiredOption('--username <name>', 'sign-in name, lower case')
    .option('--display-name <name>', 'name shown to colleagues', 'Administrator')
    .action(async (options: { username: string; displayName: string }) => {
      await withApp('admin-create', async (app, caller) => {
        const { account, oneTimePassword } = await app.db.transaction(async (trx) => {
          const made = await insertStaff(trx, app, caller, {
            username: options.username,
            displayName: options.displayName,
          });
          await insertGrant(trx, app, caller, made.account.id, 'admin', '*');
          return made;
        });
        console.log(`administrator ${account.username} created (id ${account.id})`);
        console.log(`one-time password: ${oneTimePassword}`);
        console.log(
          'At first sign-in they enrol an authenticator app (TOTP) and choose a new password.',
        );
      });
    });
  program
    .command('permissions')
    .description('Print the role → permission matrix')
    .option('--markdown', 'as a Markdown table (for the README)')
    .action((options: { markdown?: boolean }) => {
      if (options.markdown) {
        console.log(permissionMatrixMarkdown(permissions));
        return;
      }
      const matrix = buildPermissionMatrix([permissions]);
      for (const role of roles) console.log(`${role}: ${matrix[role].join(', ')}`);
      console.log(`\n${Object.keys(permissions).length} permissions; every route requires one.`);
    });
}
