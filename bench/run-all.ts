// Runs every benchmark in turn (each prints its own figures and ratios).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const scripts = [
  'import.ts',
  'verify.ts',
  'issue.ts',
  'cards-stored.ts',
  'dedup.ts',
  'dedup-stored.ts',
  'ledger.ts',
  'cycle.ts',
  'search.ts',
  'backup.ts',
  'web-budget.ts',
];
let failed = 0;
for (const script of scripts) {
  const path = new URL(script, import.meta.url).pathname;
  if (!existsSync(path)) continue;
  console.log(`\n=== bench/${script} ===`);
  const result = spawnSync(process.execPath, ['--import', 'tsx', path, ...process.argv.slice(2)], {
    stdio: 'inherit',
  });
  if (result.status !== 0) failed++;
}
process.exitCode = failed > 0 ? 1 : 0;
