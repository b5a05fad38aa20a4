// The web app's build: the staff console (/), the card check (/verify), the
// point-of-service app (/pos, with its manifest and icons) and the cardholder portal (/me) as one Vite build into dist/web,
// with content-hashed assets (cached for a year), each also precompressed with gzip and
// Brotli, and a service worker that keeps the card check and the point-of-service app working
// offline and the console's shell (/ and its assets) cached, so it opens without waiting on
// the network. The server serves only what this writes (src/http/routes/web.ts); nothing is
// bundled at run time.
import { createHash } from 'node:crypto';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Resvg } from '@resvg/resvg-js';
import { defineConfig, type Plugin } from 'vite';
import { posManifest, type BuiltIcon } from './pos/manifest.js';

const root = fileURLToPath(new URL('.', import.meta.url));
export const outDir = fileURLToPath(new URL('../dist/web/', import.meta.url));

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/**
 * The point-of-service app's icons, rendered from its SVG at the sizes an installable app
 * needs, named by content hash into assets/ (served and cached like every asset); and its
 * manifest naming them, at /pos.webmanifest.
 */
function writePosManifest(): void {
  const svg = readFileSync(join(root, 'pos/icon.svg'), 'utf8');
  const icons: BuiltIcon[] = [192, 512].map((size) => {
    const png = new Resvg(svg, { fitTo: { mode: 'width', value: size } }).render().asPng();
    const hash = createHash('sha256').update(png).digest('hex').slice(0, 8);
    const name = `pos-icon-${size}-${hash}.png`;
    writeFileSync(join(outDir, 'assets', name), png);
    return { src: `/assets/${name}`, sizes: `${size}x${size}`, type: 'image/png' };
  });
  writeFileSync(join(outDir, 'pos.webmanifest'), JSON.stringify(posManifest(icons), null, 2));
}

/**
 * After the bundle is written: the point-of-service manifest and icons; the service worker,
 * with the files to keep (the console's page /, the card check's page /verify, the
 * point-of-service app's /pos and its manifest, and every asset the build wrote, the ZXing
 * wasm included) and a version that changes with them; then a .gz and a .br beside every
 * text file, so the server sends compressed bytes without work.
 */
function offlineAndCompressed(): Plugin {
  return {
    name: 'tessera-offline-and-compressed',
    apply: 'build',
    closeBundle() {
      writePosManifest();
      const assets = filesUnder(join(outDir, 'assets')).map(
        (f) => '/' + f.slice(outDir.length).split('\\').join('/'),
      );
      const version = assets.map((a) => a.replace(/^.*-/, '')).join('.');
      const template = readFileSync(join(root, 'sw-template.js'), 'utf8');
      writeFileSync(
        join(outDir, 'sw.js'),
        template
          .replace('__VERSION__', JSON.stringify(version))
          .replace(
            '__PRECACHE__',
            JSON.stringify(['/', '/verify', '/pos', '/pos.webmanifest', ...assets]),
          ),
      );
      for (const file of filesUnder(outDir)) {
        if (!/\.(js|css|html|svg|json|webmanifest|wasm)$/.test(file)) continue;
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
      input: {
        console: join(root, 'index.html'),
        verify: join(root, 'verify.html'),
        pos: join(root, 'pos.html'),
        me: join(root, 'me.html'),
      },
    },
  },
});
