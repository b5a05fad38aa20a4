// `tessera audit verify`, `seal` and `anchor`: the operator's tamper check, a way to seal now
// (the server seals in the background), and a copy of the signed head to keep outside the
// database. Verification writes nothing, so it can run against a read-only copy.
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { InvalidArgumentError, type Command } from 'commander';
import type { CliContext } from '../cli/cli-context';
import { DomainError } from '../shared/errors';
import {
  anchorFileBytesMax,
  anchorFileText,
  headTrustProblem,
  parseAuditHead,
  readAuditHead,
  type AuditHead,
} from './audit-head';
import { auditKeySettings } from './audit-key-settings';
import { sealPendingAudit } from './audit-sealer';
import { pinnedSealKeysFromEnv } from './pinned-seal-keys';
import { rotateSealKey } from './rotate-seal-key';
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

/** Reads an anchor file, naming it when it cannot be read or is not a head. */
export function readAnchorFile(file: string): AuditHead {
  if (!existsSync(file))
    throw new DomainError('NOT_FOUND', `the anchor file ${file} does not exist`);
  if (statSync(file).size > anchorFileBytesMax) {
    throw new DomainError('VALIDATION_FAILED', `${file} is not an audit head: it is too large`);
  }
  return parseAuditHead(readFileSync(file, 'utf8'), file);
}

async function fetchHead(url: string): Promise<AuditHead> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(fetchHeadMsMax) });
  } catch (e) {
    throw new DomainError(
      'BAD_REQUEST',
      `cannot fetch ${url}: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  if (!response.ok) throw new DomainError('BAD_REQUEST', `${url} answered ${response.status}`);
  return parseAuditHead(await response.text(), url);
}

/** How long `tessera audit anchor --url` waits for the server. */
export const fetchHeadMsMax = 30_000;

// An anchor only moves forward: a head behind the anchor already kept means the log lost
// entries, which `verify --anchor` must be allowed to report rather than be overwritten.
function writeAnchor(file: string, head: AuditHead, force: boolean): void {
  if (existsSync(file)) {
    if (!force) {
      throw new DomainError(
        'ALREADY_EXISTS',
        `${file} exists: pass --force to replace the anchor it holds`,
      );
    }
    const kept = readAnchorFile(file);
    if (kept.chainIndex > head.chainIndex) {
      throw new DomainError(
        'CONFLICT',
        `the head #${head.chainIndex} is behind the anchor kept in ${file} (#${kept.chainIndex}): the log lost entries; run tessera audit verify --anchor ${file}`,
      );
    }
  }
  writeFileSync(file, anchorFileText(head), { flag: force ? 'w' : 'wx' });
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

/** Registers `tessera audit verify`, `seal`, `rotate-seal-key` and `anchor`. */
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
    .option('--anchor <file>', 'an anchor file (tessera audit anchor): the log must still reach it')
    .option('--json', 'print the verdict as JSON')
    .action(async (options: { from?: number; to?: number; anchor?: string; json?: boolean }) => {
      const anchor = options.anchor === undefined ? undefined : readAnchorFile(options.anchor);
      const verdict = await withApp('audit-verify', (app) =>
        verifyAuditLog(app, {
          ...(options.from !== undefined ? { fromIndex: options.from } : {}),
          ...(options.to !== undefined ? { toIndex: options.to } : {}),
          ...(anchor ? { anchor } : {}),
        }),
      );
      let text = describeVerification(verdict);
      if (verdict.ok && anchor) {
        text += `\n  the log reaches the head anchored in ${options.anchor} (#${anchor.chainIndex}, sealed at ${anchor.sealedAt})`;
      }
      io.out(options.json ? JSON.stringify(verdict, null, 2) : text);
      io.setExitCode(verdict.ok ? 0 : 1);
    });
  audit
    .command('rotate-seal-key')
    .description(
      'Replace the audit seal key: the old key signs the new one into the pinned-keys file, and stays pinned for the seals it made',
    )
    .action(async () => {
      const result = await withApp('audit-rotate-seal-key', (app, caller) =>
        rotateSealKey(app, caller),
      );
      const { previousKeyId, newKeyId } = result.rotation;
      io.out(
        [
          `rotated the audit seal key: ${previousKeyId} -> ${newKeyId}`,
          `  ${newKeyId} is pinned in ${result.pinnedFile}, after a statement signed by ${previousKeyId}`,
          `  its private key is in ${result.keyFile}; a running server seals with it from its next batch`,
          `  give every witness the new block of ${result.pinnedFile}`,
        ].join('\n'),
      );
    });
  audit
    .command('anchor')
    .description(
      'Write the signed chain head to a file outside the database, for a witness to keep; verify --anchor checks the log still reaches it',
    )
    .requiredOption('--out <file>', 'where to write the anchor')
    .option(
      '--url <url>',
      'take the head from a server (GET …/api/v1/audit/head) instead of the database',
    )
    .option('--force', 'replace an existing anchor file (never with an earlier head)')
    .action(async (options: { out: string; url?: string; force?: boolean }) => {
      const head = options.url
        ? await fetchHead(options.url)
        : await withApp('audit-anchor', async (app) => {
            const found = await readAuditHead(app.db.kysely);
            if (!found)
              throw new DomainError('NOT_FOUND', 'nothing in the audit log is sealed yet');
            const problem = headTrustProblem(found, auditKeySettings(app).pinnedKeys());
            if (problem) throw new DomainError('VALIDATION_FAILED', problem);
            return found;
          });
      if (options.url) {
        const problem = headTrustProblem(head, pinnedSealKeysFromEnv());
        if (problem) throw new DomainError('VALIDATION_FAILED', problem);
      }
      writeAnchor(options.out, head, options.force === true);
      io.out(
        `anchored the audit log at #${head.chainIndex} (${head.headHash}, sealed at ${head.sealedAt} by ${head.keyId}) in ${options.out}`,
      );
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
