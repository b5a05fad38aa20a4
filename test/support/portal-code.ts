// The one place tests read a cardholder's latest one-time code (portal sign-in, grievance
// replies), the way the person does: from the text message. The test app is given the file
// gateway on a throwaway file of its own, the outbox is drained through it (the sender job's
// own code), and the code is read from the newest line for that person and template — so a
// code that was queued but never sent, or sent to someone else, is not found.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { drainOutbox, fileGateway, readFileGateway, useNoticeService } from '../../src/notices';
import type { AppContext } from '../../src/shared/context';

const files = new WeakMap<AppContext, string>();
const dirs: string[] = [];
process.on('exit', () => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** The file this app's file gateway writes to, made (with the gateway) on first use. */
export function smsFileOf(app: AppContext): string {
  let file = files.get(app);
  if (!file) {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-sms-'));
    dirs.push(dir);
    file = join(dir, 'notices', 'sms.jsonl');
    useNoticeService(
      app,
      { gateway: 'file', smsFile: file, ratePerSecond: 1000 },
      fileGateway(file),
    );
    files.set(app, file);
  }
  return file;
}

/** The 6-digit code in the newest message of `template` sent to the person, or null. */
export async function readLatestCode(
  app: AppContext,
  personId: string,
  template: string,
): Promise<string | null> {
  const file = smsFileOf(app);
  // Bounded: each drain sends up to 1,000 due messages; a test queues far fewer.
  for (let i = 0; i < 10; i++) if ((await drainOutbox(app, { limit: 1000 })).claimed === 0) break;
  const line = readFileGateway(file)
    .filter((l) => l.personId === personId && l.template === template)
    .at(-1);
  if (!line) return null;
  return /\b(\d{6})\b/.exec(line.text)?.[1] ?? null;
}
