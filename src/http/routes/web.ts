// The web pages: the staff console and the offline card check. Static files from web/, and
// the card verifier bundled for the browser once at start — the same code the server and
// `tessera verify` run. Served with a strict CSP (no inline script).
import { buildSync } from 'esbuild';
import { readFileSync } from 'node:fs';
import { defineRoute } from '../route';

const webDir = new URL('../../../web/', import.meta.url);
const js = 'text/javascript; charset=utf-8';
const files = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/app.js': { file: 'app.js', type: js },
  '/app.css': { file: 'app.css', type: 'text/css; charset=utf-8' },
  '/verify': { file: 'verify.html', type: 'text/html; charset=utf-8' },
  '/verify.js': { file: 'verify.js', type: js },
} as const;

/** The verifier and jsQR as one browser ES module. */
function bundleVerifier(): Buffer {
  const result = buildSync({
    entryPoints: [new URL('verifier-entry.ts', webDir).pathname],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    write: false,
    logLevel: 'silent',
  });
  return Buffer.from(result.outputFiles[0]!.contents);
}

function page(url: string, type: string, body: () => Buffer) {
  return defineRoute({
    method: 'GET',
    url,
    access: 'public',
    summary: `Web: ${url}`,
    tags: ['web'],
    handler: async ({ reply }) =>
      reply.header('content-type', type).header('cache-control', 'no-cache').send(body()),
  });
}

let verifierBundle: Buffer | undefined;

/** Routes that serve the web pages. */
export const webRoutes = [
  ...Object.entries(files).map(([url, { file, type }]) => {
    const body = readFileSync(new URL(file, webDir));
    return page(url, type, () => body);
  }),
  page('/verifier.js', js, () => (verifierBundle ??= bundleVerifier())),
];
