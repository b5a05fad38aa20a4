// Builds the server and CLI (src/main.ts and everything it imports) into one JavaScript file,
// dist/server/tessera.mjs, or, with --if-stale, only when that file is missing or older than
// its sources. Under tsx every module the program loads — ours and every file of every
// package — passes through tsx's loader thread: `tessera --help` took about 4 s of CPU, 1.2 s
// of it kysely's 280 files alone; from the built file it takes 1.7 s. The test suite
// runs the CLI and the server from this build (scripts/run-tests.ts builds it first), and so
// may `npm start`; `npx tsx src/main.ts` still runs the sources directly.
//
// Packages stay outside the file (node resolves them from node_modules as usual). Code that
// finds a file next to its own source — a worker, the breached-password list, the web build —
// does so with `new URL(…, import.meta.url)`: in the built file each source file's
// `import.meta.url` is replaced by that source file's own URL, so every such path still points
// where it did (a worker on a .ts file is still started through tsx, see shared/worker.ts).
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const outDir = join(root, 'dist/server');
/** The built program. */
export const serverBundle = join(outDir, 'tessera.mjs');
const stampFile = join(outDir, '.source-hash');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return sourceFiles(path);
      return name.endsWith('.test.ts') ? [] : [path];
    });
}

/** The hash of everything the build is made from: src/ (not its tests) and the lock file. */
function sourceHash(): string {
  const hash = createHash('sha256');
  for (const file of [...sourceFiles(join(root, 'src')), join(root, 'package-lock.json')]) {
    hash.update(relative(root, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

/** True when dist/server holds a build of the current sources. */
export function serverBuildIsCurrent(): boolean {
  return (
    existsSync(serverBundle) &&
    existsSync(stampFile) &&
    readFileSync(stampFile, 'utf8').trim() === sourceHash()
  );
}

/** Builds dist/server/tessera.mjs (with esbuild, which tsx itself runs on) and stamps it. */
export async function buildServer(): Promise<void> {
  const { build } = await import('esbuild');
  const started = Date.now();
  mkdirSync(outDir, { recursive: true });
  // Unstamped until it is whole: a build cut short is stale, never taken for current.
  rmSync(stampFile, { force: true });
  const hash = sourceHash();
  await build({
    entryPoints: [join(root, 'src/main.ts')],
    outfile: serverBundle,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: 'linked',
    logLevel: 'warning',
    banner: { js: '// Built by scripts/build-server.ts from src/: do not edit.' },
    plugins: [
      {
        name: 'own-import-meta-url',
        setup(b) {
          b.onLoad({ filter: /\/src\/.*\.ts$/ }, (args) => {
            const text = readFileSync(args.path, 'utf8');
            const own = JSON.stringify(pathToFileURL(args.path).href);
            return { contents: text.replaceAll('import.meta.url', own), loader: 'ts' };
          });
        },
      },
    ],
  });
  writeFileSync(stampFile, hash + '\n');
  process.stderr.write(`server built into dist/server in ${Date.now() - started} ms\n`);
}

/** Builds the server unless the build is current; returns the built file. */
export async function ensureServerBuild(): Promise<string> {
  if (!serverBuildIsCurrent()) await buildServer();
  return serverBundle;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (process.argv.includes('--if-stale')) await ensureServerBuild();
  else await buildServer();
}
