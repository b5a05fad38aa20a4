import type { Command } from 'commander';
import { z } from 'zod';
import { applyDisable, insertGrant, insertStaff, staffInput } from './accounts';
import {
  buildPermissionMatrix,
  permissionMatrixMarkdown,
  roles,
  type Role,
} from '../shared/access';
import type { CliContext } from '../cli/cli-context';
import type { Queryable } from '../db';
import { DomainError } from '../shared/errors';
import { reason as reasonSchema } from '../shared/schemas';
import { parseInput } from '../shared/validate';

const roleOption = z.enum(roles, { error: `one of ${roles.join(', ')}` });
const regionsOption = z
  .string()
  .transform((text) => text.split(',').map((r) => r.trim()))
  .pipe(
    z.union([
      z.tuple([z.literal('*')]).transform(() => '*' as const),
      z.array(z.string().regex(/^[A-Z]{2}-[A-Z0-9]{1,3}$/, 'region codes such as VE-A')).min(1),
    ]),
  );

async function staffIdOf(db: Queryable, username: string): Promise<string> {
  const row = await db
    .selectFrom('staff')
    .select(['id', 'status'])
    .where('username', '=', username)
    .executeTakeFirst();
  if (!row) throw new DomainError('NOT_FOUND', `No staff account ${username}.`, '--username');
  if (row.status !== 'active')
    throw new DomainError('INVALID_STATE', `The account ${username} is disabled.`, '--username');
  return row.id;
}

/** `tessera admin create`, `tessera staff create|grant|disable` and `tessera permissions`. */
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
  // The installation's operator, on the server itself, with its database: the first accounts of
  // a new office without the API. Each action is audited as the system actor `cli:staff-…`.
  const staffCmd = program
    .command('staff')
    .description(
      'Staff accounts from the server (audited as the operator; the API needs four-eyes)',
    );
  staffCmd
    .command('create')
    .description(
      'Create a staff account with a one-time password (printed once), with roles if given',
    )
    .requiredOption('--username <name>', 'sign-in name, lower case')
    .requiredOption('--display-name <name>', 'name shown to colleagues')
    .option('--role <role>', `a role to grant at once: ${roles.join(', ')}`)
    .option('--regions <codes>', 'regions of that role, comma-separated, or * for national')
    .action(
      async (options: {
        username: string;
        displayName: string;
        role?: string;
        regions?: string;
      }) => {
        const input = parseInput(staffInput, {
          username: options.username,
          displayName: options.displayName,
        });
        const grant = options.role === undefined ? undefined : parseGrant(options);
        await withApp('staff-create', async (app, caller) => {
          if (grant) requireKnownRegions(app.config.regions, grant.regions);
          const { account, oneTimePassword } = await app.db.transaction(async (trx) => {
            const made = await insertStaff(trx, app, caller, input);
            if (grant)
              await insertGrant(trx, app, caller, made.account.id, grant.role, grant.regions);
            return made;
          });
          console.log(`staff account ${account.username} created (id ${account.id})`);
          if (grant) console.log(`role ${grant.role} in ${describeRegions(grant.regions)}`);
          console.log(`one-time password: ${oneTimePassword}`);
          console.log(
            'At first sign-in they enrol an authenticator app (TOTP) and choose a new password.',
          );
        });
      },
    );
  staffCmd
    .command('grant')
    .description('Grant a role in some regions (or * for national) to an active account')
    .requiredOption('--username <name>', 'whose account')
    .requiredOption('--role <role>', roles.join(', '))
    .requiredOption('--regions <codes>', 'comma-separated region codes, or *')
    .action(async (options: { username: string; role: string; regions: string }) => {
      const grant = parseGrant(options);
      await withApp('staff-grant', async (app, caller) => {
        requireKnownRegions(app.config.regions, grant.regions);
        await app.db.transaction(async (trx) => {
          const id = await staffIdOf(trx, options.username);
          await insertGrant(trx, app, caller, id, grant.role, grant.regions);
        });
        console.log(
          `granted ${grant.role} in ${describeRegions(grant.regions)} to ${options.username}`,
        );
      });
    });
  staffCmd
    .command('disable')
    .description('Disable an account and end its sessions')
    .requiredOption('--username <name>', 'whose account')
    .requiredOption('--reason <text>', 'why, for the audit log')
    .action(async (options: { username: string; reason: string }) => {
      const why = parseInput(reasonSchema, options.reason, '--reason');
      await withApp('staff-disable', async (app, caller) => {
        await app.db.transaction(async (trx) => {
          const id = await staffIdOf(trx, options.username);
          await applyDisable(trx, app, caller, id, why);
        });
        console.log(`disabled ${options.username}; their sessions have ended`);
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

function parseGrant(options: { role?: string; regions?: string }): {
  role: Role;
  regions: string[] | '*';
} {
  const role = parseInput(roleOption, options.role, '--role');
  if (options.regions === undefined)
    throw new DomainError('VALIDATION_FAILED', '--regions: give region codes or *', '--regions');
  const regions = parseInput(regionsOption, options.regions, '--regions');
  return { role, regions };
}

/** Refuses region codes this deployment does not serve. */
function requireKnownRegions(known: Readonly<Record<string, string>>, regions: string[] | '*') {
  if (regions === '*') return;
  const unknown = regions.filter((r) => !(r in known));
  if (unknown.length > 0)
    throw new DomainError(
      'VALIDATION_FAILED',
      `--regions: ${unknown.join(', ')} is not a region of this deployment`,
      '--regions',
    );
}

function describeRegions(regions: readonly string[] | '*'): string {
  return regions === '*' ? 'every region' : regions.join(', ');
}
