import type { Command } from 'commander';
import { createReadStream, createWriteStream, existsSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { exportRegistry, numberedLines, restoreRegistry } from './archive';
import { importPersons } from './import-persons';
import { demoCsvHeader, demoCsvLine, generateDemoPeople, loadDemoRegistry } from './demo';
import { progressBar } from '../cli/progress';
import type { CliContext } from '../cli/cli-context';

function formatOf(file: string): 'csv' | 'jsonl' {
  return /\.jsonl?$|\.ndjson$/i.test(file) ? 'jsonl' : 'csv';
}

/** import, export, demo. */
export function registerRegistryCommands(program: Command, { withApp }: CliContext): void {
  const imp = program.command('import').description('Bulk import');
  imp
    .command('persons <file>')
    .description(
      'Import new persons from CSV or JSON Lines (constant memory, idempotent by external_id). Exits 0 only when every row was accepted or skipped as already registered; 1 when any row was rejected or not attempted',
    )
    .option('--report <file>', 'write the per-row report as JSON')
    .action(async (file: string, options: { report?: string }) => {
      await withApp('import', async (app, caller) => {
        let bar: ReturnType<typeof progressBar> | undefined;
        const startedAt = Date.now();
        process.stderr.write(`checking ${file}…\n`);
        const report = await importPersons(
          app,
          caller,
          { path: file },
          {
            format: formatOf(file),
            sourceName: file,
            onProgress: (done, total) => {
              bar ??= progressBar('importing', total, startedAt);
              bar.update(done);
            },
          },
        );
        bar?.stop();
        console.log(
          `accepted ${report.accepted}, skipped (already registered) ${report.skipped}, rejected ${report.rejected}, not attempted ${report.notAttempted} — of ${report.total} rows`,
        );
        for (const r of report.rejects.slice(0, 20)) console.log(`  line ${r.line}: ${r.reason}`);
        if (report.rejects.length > 20)
          console.log(`  … ${report.rejected - 20} more (see --report)`);
        if (report.stoppedBy) console.log(`stopped early: ${report.stoppedBy}`);
        if (options.report)
          writeFileSync(options.report, JSON.stringify(report, null, 2), { mode: 0o600 });
        if (report.stoppedBy || report.rejected > 0 || report.notAttempted > 0)
          process.exitCode = 1;
      });
    });
  imp
    .command('archive <file>')
    .description(
      'Restore a registry archive (from `tessera export`) into an empty database, exactly',
    )
    .action(async (file: string) => {
      await withApp('restore', async (app, caller) => {
        const counts = await restoreRegistry(app, caller, numberedLines(createReadStream(file)));
        console.log(
          `restored: ${Object.entries(counts)
            .map(([t, n]) => `${n} ${t}`)
            .join(', ')}`,
        );
      });
    });
  program
    .command('export <file>')
    .description(
      'Export the whole registry (persons, households, attributes, history) as JSON Lines, in the open tessera.registry format',
    )
    .option('--force', 'overwrite the file if it exists')
    .action(async (file: string, options: { force?: boolean }) => {
      if (!options.force && existsSync(file))
        throw new Error(`${file} exists; give --force to overwrite it`);
      await withApp('export', async (app, caller) => {
        // wx: never overwrite a file that appeared meanwhile, unless --force.
        const out = createWriteStream(file, { mode: 0o600, flags: options.force ? 'w' : 'wx' });
        await once(out, 'open');
        const counts = await exportRegistry(
          app,
          { ...caller, purpose: 'export' },
          async (line) => {
            if (!out.write(line)) await once(out, 'drain');
          },
          (table, rows) => process.stderr.write(`\r${table}: ${rows}   `),
        );
        out.end();
        await once(out, 'finish');
        process.stderr.write('\n');
        console.log(
          `exported to ${file}: ${Object.entries(counts)
            .map(([t, n]) => `${n} ${t}`)
            .join(', ')}`,
        );
      });
    });
  program
    .command('demo')
    .description('Generate a realistic, fictional registry of N people in households')
    .option('--people <n>', 'how many people', '3000')
    .option('--seed <n>', 'random seed (same seed, same people)', '42')
    .option(
      '--csv <file>',
      'write the people, with their household and relationship columns, as an import CSV instead of loading them',
    )
    .action(async (options: { people: string; seed: string; csv?: string }) => {
      const people = Number(options.people);
      const seed = Number(options.seed);
      if (!Number.isInteger(people) || people < 1 || people > 50_000_000)
        throw new Error('--people must be a whole number from 1 to 50,000,000');
      if (options.csv) {
        const out = createWriteStream(options.csv);
        out.write(demoCsvHeader + '\n');
        const bar = progressBar('generating', people);
        let n = 0;
        let households = 0;
        for (const family of generateDemoPeople(people, seed)) {
          if (!out.write(family.map(demoCsvLine).join('\n') + '\n')) await once(out, 'drain');
          n += family.length;
          households++;
          bar.update(n);
        }
        out.end();
        await once(out, 'finish');
        bar.stop();
        console.log(
          `wrote ${n} people in ${households} households to ${options.csv} (import it with tessera import persons)`,
        );
        return;
      }
      await withApp('demo', async (app, caller) => {
        const bar = progressBar('loading demo registry', people);
        const result = await loadDemoRegistry(app, caller, {
          people,
          seed,
          onProgress: (d) => bar.update(d),
        });
        bar.stop();
        console.log(`loaded ${result.persons} people in ${result.households} households`);
      });
    });
}
