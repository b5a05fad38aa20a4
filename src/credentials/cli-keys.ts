// `tessera keys create | list | rotate | publish`: the operator's view of issuer keys. No
// command prints private material; rotation files a four-eyes request that a second staff
// member approves in the web app or the API.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { CliContext } from '../cli/cli-context';
import type { Approval } from '../privacy';
import { createIssuerKey } from './create-issuer-key';
import { listIssuerKeys } from './list-issuer-keys';
import { currentRevocationList } from './publish-revocation-list';
import { currentTrustList } from './publish-trust-list';
import { parseInput } from '../shared/validate';
import { keyRotationInput, requestKeyRotation } from './rotate-issuer-key';
import type { IssuerKeyInfo } from './store';

/** Where the commands write (replaced in tests). */
export interface KeysCliIo {
  out: (line: string) => void;
}

const processIo: KeysCliIo = { out: (line) => console.log(line) };

/** One line per key, for `tessera keys list`. */
export function describeKey(key: IssuerKeyInfo): string {
  const until =
    key.status === 'retired' ? `  retired ${key.retiredAt}, trusted until ${key.notAfter}` : '';
  return `${key.kid}  ${key.alg}  ${key.status.padEnd(7)}  created ${key.createdAt}${until}`;
}

function describeRequest(approval: Approval): string {
  return `rotation requested: approval ${approval.id}, pending until ${approval.expiresAt}; a second approver must decide it`;
}

/** Registers the `keys` commands. */
export function registerKeyCommands(
  program: Command,
  { withApp }: CliContext,
  io: KeysCliIo = processIo,
): void {
  const keys = program.command('keys').description('Issuer signing keys for cards and lists');
  keys
    .command('create')
    .description('Create the first issuer key (or one when none is active)')
    .action(async () => {
      const key = await withApp('keys.create', (app, caller) => createIssuerKey(app, caller));
      io.out(`created ${describeKey(key)}`);
    });
  keys
    .command('list')
    .description('List issuer keys (public halves and life cycle only)')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      const all = await withApp('keys.list', (app, caller) => listIssuerKeys(app, caller));
      if (options.json) io.out(JSON.stringify(all, null, 2));
      else for (const key of all) io.out(describeKey(key));
    });
  keys
    .command('rotate')
    .description('Ask to rotate the issuer key (four-eyes: someone else approves)')
    .requiredOption('--reason <text>', 'why the key is rotated')
    .action(async (options: { reason: string }) => {
      // The command line is an edge: its text is parsed like an HTTP body.
      const input = parseInput(keyRotationInput, { reason: options.reason });
      const approval = await withApp('keys.rotate', (app, caller) =>
        requestKeyRotation(app, caller, input),
      );
      io.out(describeRequest(approval));
    });
  keys
    .command('publish')
    .description('Write trust.json and revocations.json for offline verifiers')
    .requiredOption('--out <dir>', 'folder to write to')
    .action(async (options: { out: string }) => {
      const [trust, revocations] = await withApp('keys.publish', async (app) => [
        await currentTrustList(app),
        await currentRevocationList(app),
      ]);
      writeFileSync(join(options.out, 'trust.json'), JSON.stringify(trust) + '\n');
      writeFileSync(join(options.out, 'revocations.json'), JSON.stringify(revocations) + '\n');
      io.out(
        `wrote ${join(options.out, 'trust.json')} and ${join(options.out, 'revocations.json')}`,
      );
    });
}
