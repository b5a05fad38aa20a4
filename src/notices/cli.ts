// `tessera notices drain|stats|segments`: send what is due now, read the statistics, and count
// a text's SMS parts, from a shell. Each runs as the system actor `cli:<what>`.
import type { Command } from 'commander';
import type { CliContext } from '../cli/cli-context';
import { countSegments } from './segments';
import { drainOutbox } from './sender';
import { noticeStats } from './stats';

/** Where the commands write (replaced in tests). */
export interface NoticesCliIo {
  out: (line: string) => void;
}

const processIo: NoticesCliIo = { out: (line) => console.log(line) };

/** Registers the `notices` commands. */
export function registerNoticesCommands(
  program: Command,
  { withApp }: CliContext,
  io: NoticesCliIo = processIo,
): void {
  const notices = program.command('notices').description('SMS notices: the outbox and its sender');
  notices
    .command('drain')
    .option('--limit <n>', 'the most messages to send', '100')
    .description('Send the messages that are due now through the configured gateway')
    .action(async (options: { limit: string }) => {
      const r = await withApp('notices.drain', async (app) => {
        try {
          return await drainOutbox(app, { limit: Number(options.limit) || 100 });
        } finally {
          await app.notices?.gateway?.close();
        }
      });
      io.out(
        `claimed ${r.claimed}: sent ${r.sent}, to retry ${r.retried}, dead ${r.dead}, skipped (opted out) ${r.skipped}`,
      );
    });
  notices
    .command('stats')
    .option('--from <day>', 'from this day (YYYY-MM-DD)')
    .option('--to <day>', 'up to this day (YYYY-MM-DD)')
    .description('Sent, delivered and failed by template (small cells suppressed)')
    .action(async (options: { from?: string; to?: string }) => {
      const stats = await withApp('notices.stats', (app, caller) =>
        noticeStats(app, caller, {
          ...(options.from ? { from: options.from } : {}),
          ...(options.to ? { to: options.to } : {}),
        }),
      );
      io.out('template\tsent\tdelivered\tfailed');
      const totals = (m: 'sent' | 'delivered' | 'failed', template: string | null) => {
        const cell = stats.measures[m].cells.find(
          (c) => c.labels[0] === template && c.labels[1] === null,
        );
        return cell?.value === null || cell === undefined ? 'suppressed' : String(cell.value);
      };
      for (const template of stats.measures.sent.dimensions[0]!.labels)
        io.out(
          `${template}\t${totals('sent', template)}\t${totals('delivered', template)}\t${totals('failed', template)}`,
        );
      io.out(
        `total\t${totals('sent', null)}\t${totals('delivered', null)}\t${totals('failed', null)}`,
      );
    });
  notices
    .command('segments')
    .argument('<text>', 'the text as the phone would receive it')
    .description('Count a text’s SMS parts: encoding, parts, characters per part')
    .action((text: string) => {
      const s = countSegments(text);
      io.out(`encoding: ${s.encoding === 'gsm7' ? 'GSM-7' : 'UCS-2'}`);
      if (s.nonGsm.length) io.out(`not in GSM 03.38: ${s.nonGsm.join(' ')}`);
      io.out(
        `characters: ${s.characters}; ${s.encoding === 'gsm7' ? 'septets' : 'UTF-16 units'}: ${s.units}`,
      );
      io.out(`parts: ${s.parts} (at most ${s.unitsPerPart} per part)`);
      s.unitsInParts.forEach((n, i) => io.out(`part ${i + 1}: ${n}`));
    });
}
