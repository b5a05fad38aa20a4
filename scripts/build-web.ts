// Builds the web app into dist/web (`npm run build`), or, with --if-stale, only when the build
// is missing or older than its sources: `npm start` and `npm test` run it that way first, so
// a fresh clone needs nothing else. Staleness is a hash of every file the bundle is made from
// (web/, the browser-safe code under src/credentials and src/shared, the lock file), kept
// beside the build; a build stamps it last, so an interrupted build is stale.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const outDir = join(root, 'dist/web');
const stampFile = join(outDir, '.source-hash');
const sources = [
  'web',
  'src/credentials',
  'src/shared',
  // Leaf files of other domains the console imports.
  'src/dedup/field-agreements.ts',
  'src/registry/relationships.ts',
  'src/programs/exclusion-measures.ts',
  'src/programs/rules/problems.ts',
  'src/ledger/wallet-documents.ts',
  'package-lock.json',
];

function filesOf(path: string): string[] {
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .sort()
    .flatMap((name) => filesOf(join(path, name)));
}

/** The hash of everything the web build is made from. */
export function sourceHash(): string {
  const hash = createHash('sha256');
  for (const file of sources.flatMap((s) => filesOf(join(root, s)))) {
    hash.update(relative(root, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

/** True when dist/web holds a complete build of the current sources. */
export function webBuildIsCurrent(): boolean {
  return existsSync(stampFile) && readFileSync(stampFile, 'utf8').trim() === sourceHash();
}

/** Builds the web app (with Vite, a development dependency) and stamps it. */
export async function buildWeb(): Promise<void> {
  const { build } = await import('vite');
  const started = Date.now();
  await build({ configFile: join(root, 'web/vite.config.ts') });
  writeFileSync(stampFile, sourceHash() + '\n');
  process.stderr.write(`web app built into dist/web in ${Date.now() - started} ms\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const ifStale = process.argv.includes('--if-stale');
  if (ifStale && webBuildIsCurrent()) process.exit(0);
  await buildWeb();
}
