// The web app's build: the staff console (/) and the card check (/verify) as one Vite build
// into dist/web, with content-hashed assets (cached for a year), each also precompressed with
// gzip and Brotli, and a service worker that keeps the card check working offline and the
// console's shell (/ and its assets) cached, so it opens without waiting on the network. The
// server serves only what this writes (src/http/routes/web.ts); nothing is bundled at run time.
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
export const outDir = fileURLToPath(new URL('../dist/web/', import.meta.url));

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/**
 * After the bundle is written: the service worker, with the files to keep (the console's
 * page /, the card check's page /verify, and every asset the build wrote) and a version that changes with them; then a
 * .gz and a .br beside every text file, so the server sends compressed bytes without work.
 */
function offlineAndCompressed(): Plugin {
  return {
    name: 'tessera-offline-and-compressed',
    apply: 'build',
    closeBundle() {
      const assets = filesUnder(join(outDir, 'assets')).map(
        (f) => '/' + f.slice(outDir.length).split('\\').join('/'),
      );
      const version = assets.map((a) => a.replace(/^.*-/, '')).join('.');
      const template = readFileSync(join(root, 'sw-template.js'), 'utf8');
      writeFileSync(
        join(outDir, 'sw.js'),
        template
          .replace('__VERSION__', JSON.stringify(version))
          .replace('__PRECACHE__', JSON.stringify(['/', '/verify', ...assets])),
      );
      for (const file of filesUnder(outDir)) {
        if (!/\.(js|css|html|svg|json|webmanifest)$/.test(file)) continue;
        const body = readFileSync(file);
        writeFileSync(`${file}.gz`, gzipSync(body, { level: 9 }));
        writeFileSync(
          `${file}.br`,
          brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
        );
      }
    },
  };
}

export default defineConfig({
  root,
  base: '/',
  publicDir: false,
  logLevel: 'warn',
  plugins: [offlineAndCompressed()],
  // Preact's JSX runtime: the console is written in JSX without React (see web/console/app.tsx).
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir,
    emptyOutDir: true,
    target: 'es2022',
    manifest: true,
    modulePreload: { polyfill: false },
    rolldownOptions: {
      input: { console: join(root, 'index.html'), verify: join(root, 'verify.html') },
    },
  },
});
