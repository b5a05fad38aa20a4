// Runs the test suite: every storage test on SQLite and on a real PostgreSQL.
//
//   npm test                  every test file under src/ and test/
//   npm test -- NAME [NAME…]  the files whose path contains each NAME (each must match one)
//   npm test -- PATH          a test file given by its path, even outside the usual folders
//
// PostgreSQL comes from TESSERA_TEST_DATABASE_URL when it is set (an admin URL of a server
// you started); otherwise this script starts a throwaway server from the machine's PostgreSQL
// binaries on a free loopback port, and stops it afterwards. TESSERA_TEST_ENGINES=sqlite
// skips PostgreSQL. Node's own summary lines stay last, because CI reads them.
//
// The exit code is non-zero when any test fails or is cancelled, when a file crashes, when a
// NAME matches no file, or when the summary cannot be read: a run that cannot be shown to
// have passed has failed.
import { spawn } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import { startLocalPostgres, type LocalPg } from '../test/support/local-pg';
import { ensureServerBuild } from './build-server';

const root = new URL('..', import.meta.url).pathname;
const summaryPattern = /^ℹ (tests|suites|pass|fail|cancelled|skipped|todo|duration_ms) (\d+)/;

function findTests(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'fixtures' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) findTests(path, out);
    else if (name.endsWith('.test.ts')) out.push(relative(root, path));
  }
  return out.sort();
}

/** The files to run, or the filters that matched nothing. */
function selectFiles(all: string[], filters: string[]): { files: string[]; unmatched: string[] } {
  if (filters.length === 0) return { files: all, unmatched: [] };
  const paths = filters.filter((x) => x.endsWith('.ts') && existsSync(join(root, x)));
  const names = filters.filter((x) => !paths.includes(x));
  const unmatched = names.filter((x) => !all.some((f) => f.includes(x)));
  const named = all.filter((f) => names.some((x) => f.includes(x)));
  return {
    files: [...new Set([...paths.map((p) => relative(root, join(root, p))), ...named])],
    unmatched,
  };
}

/** Runs node's test runner on the files; resolves with its exit code and summary counts. */
function runNodeTests(
  files: string[],
  env: NodeJS.ProcessEnv,
  summaryFile: string,
): Promise<{ code: number; counts: Map<string, number>; held: string[] }> {
  const args = [
    join(root, 'node_modules/tsx/dist/cli.mjs'),
    '--test',
    `--test-concurrency=${env.TESSERA_TEST_CONCURRENCY ?? 3}`,
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
  const counts = new Map<string, number>();
  createInterface({ input: child.stdout }).on('line', (line) => {
    // Hold node's closing summary so that the per-engine counts print just before it.
    const m = summaryPattern.exec(line);
    if (m?.[1] && m[2]) {
      held.push(line);
      counts.set(m[1], Number(m[2]));
    } else console.log(line);
  });
  return new Promise((resolve) =>
    child.on('close', (c, signal) => resolve({ code: c ?? (signal ? 1 : 0), counts, held })),
  );
}

async function main(): Promise<number> {
  const all = ['src', 'test'].flatMap((d) => findTests(join(root, d)));
  const { files, unmatched } = selectFiles(all, process.argv.slice(2));
  if (unmatched.length > 0) {
    console.error(`no test file matches: ${unmatched.join(', ')}`);
    return 2;
  }
  const env = { ...process.env };
  // The CLI and server processes that tests start run from a build of the sources, made now.
  env.TESSERA_TEST_PROGRAM = await ensureServerBuild();
  // Run as a test of its own (test/test-runner.test.ts), node would skip the files otherwise.
  delete env.NODE_TEST_CONTEXT;
  let pg: LocalPg | undefined;
  if (!env.TESSERA_TEST_DATABASE_URL && env.TESSERA_TEST_ENGINES !== 'sqlite') {
    process.stdout.write('Starting PostgreSQL for the test suite… ');
    pg = await startLocalPostgres();
    env.TESSERA_TEST_DATABASE_URL = pg.url;
    console.log(`ready at ${pg.url.replace(/:[^:@/]*@/, ':***@')}`);
  }
  const work = mkdtempSync(join(tmpdir(), 'tessera-tests-'));
  const summaryFile = join(work, 'engines.txt');
  // Every temporary folder the tests and what they start make (keys, data folders, browser
  // profiles) goes in here, and goes with it: a run left hundreds in /tmp otherwise. Open to
  // the PostgreSQL servers that tests start as another user, sticky like /tmp.
  chmodSync(work, 0o755);
  env.TMPDIR = join(work, 'tmp');
  mkdirSync(env.TMPDIR, { mode: 0o1777 });
  chmodSync(env.TMPDIR, 0o1777);
  try {
    const { code, counts, held } = await runNodeTests(files, env, summaryFile);
    try {
      process.stdout.write(readFileSync(summaryFile, 'utf8'));
    } catch {
      console.log('(no per-engine summary was written)');
    }
    for (const line of held) console.log(line);
    const failed = (counts.get('fail') ?? 0) + (counts.get('cancelled') ?? 0);
    if (code !== 0) return code;
    if (!counts.has('pass') || failed > 0) {
      console.error(
        counts.has('pass')
          ? `${failed} test(s) failed or were cancelled`
          : 'no test summary was read',
      );
      return 1;
    }
    return 0;
  } finally {
    pg?.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

// Exit explicitly: a library's exit hook must never decide the code of a test run.
process.exit(await main().catch((e: unknown) => (console.error(e), 1)));
