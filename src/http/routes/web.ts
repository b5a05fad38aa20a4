// The web app, as `npm run build` wrote it into dist/web (web/vite.config.ts): the staff
// console at /, the card check at /verify, the point-of-service app at /pos (with its
// manifest, /pos.webmanifest), the cardholder portal at /me, the service worker that keeps the card check and /pos offline,
// and content-hashed assets under /assets/, cached for a year. Each file is sent as
// the build precompressed it (Brotli or gzip, as the browser accepts), with the strict
// Content-Security-Policy the server sets on every response (no inline script). Nothing is
// bundled at run time. Without a build the pages say how to make one.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { DomainError } from '../../shared/errors';
import { defineRoute } from '../route';

const webDir = fileURLToPath(new URL('../../../dist/web/', import.meta.url));

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.wasm': 'application/wasm',
};

/** One built file, with its precompressed forms. */
interface BuiltFile {
  type: string;
  body: Buffer;
  br?: Buffer;
  gzip?: Buffer;
}

function load(path: string): BuiltFile | undefined {
  if (!existsSync(path)) return undefined;
  const read = (suffix: string) =>
    existsSync(path + suffix) ? readFileSync(path + suffix) : undefined;
  const br = read('.br');
  const gzip = read('.gz');
  return {
    type: types[extname(path)] ?? 'application/octet-stream',
    body: readFileSync(path),
    ...(br ? { br } : {}),
    ...(gzip ? { gzip } : {}),
  };
}

function notBuilt(page: string): BuiltFile {
  const body = Buffer.from(
    `<!doctype html><html lang="en"><meta charset="utf-8"><title>Tessera</title>` +
      `<p>The web app is not built (${page}). Run <code>npm run build</code>, or start with ` +
      `<code>npm start</code>, which builds it when it is missing.</p>` +
      `<p lang="es">La aplicación web no está construida. Ejecute <code>npm run build</code>.</p></html>`,
  );
  return { type: types['.html']!, body };
}

/** The built files, read once; the assets by their hashed name. */
function readBuild() {
  const assetsDir = join(webDir, 'assets');
  const assets = new Map<string, BuiltFile>();
  if (existsSync(assetsDir)) {
    for (const name of readdirSync(assetsDir)) {
      if (name.endsWith('.br') || name.endsWith('.gz')) continue;
      const file = load(join(assetsDir, name));
      if (file) assets.set(name, file);
    }
  }
  return {
    console: load(join(webDir, 'index.html')) ?? notBuilt('index.html'),
    verify: load(join(webDir, 'verify.html')) ?? notBuilt('verify.html'),
    pos: load(join(webDir, 'pos.html')) ?? notBuilt('pos.html'),
    me: load(join(webDir, 'me.html')) ?? notBuilt('me.html'),
    posManifest: load(join(webDir, 'pos.webmanifest')),
    serviceWorker: load(join(webDir, 'sw.js')),
    assets,
  };
}

let build: ReturnType<typeof readBuild> | undefined;
const built = () => (build ??= readBuild());

function send(request: FastifyRequest, reply: FastifyReply, file: BuiltFile, cache: string) {
  const accepts = String(request.headers['accept-encoding'] ?? '');
  reply
    .header('content-type', file.type)
    .header('cache-control', cache)
    .header('vary', 'accept-encoding');
  if (file.br && /\bbr\b/.test(accepts))
    return reply.header('content-encoding', 'br').send(file.br);
  if (file.gzip && /\bgzip\b/.test(accepts))
    return reply.header('content-encoding', 'gzip').send(file.gzip);
  return reply.send(file.body);
}

// Pages and the service worker are revalidated on every load, so a new release reaches a
// connected device at once; assets carry their content hash and never change.
const revalidate = 'no-cache';
const immutable = 'public, max-age=31536000, immutable';

/**
 * The policy the server sets, letting the page compile WebAssembly too ('wasm-unsafe-eval'
 * allows WebAssembly only, never eval of script): /pos reads QR codes with ZXing's wasm.
 */
function allowingWasm(policy: unknown): string | undefined {
  if (typeof policy !== 'string') return undefined;
  return policy.replace(/(^|;)\s*script-src ([^;]*)/, (_all, lead: string, sources: string) =>
    sources.includes("'wasm-unsafe-eval'")
      ? `${lead}script-src ${sources}`
      : `${lead}script-src ${sources} 'wasm-unsafe-eval'`,
  );
}

function page(
  url: string,
  pick: (b: ReturnType<typeof readBuild>) => BuiltFile | undefined,
  options: { wasm?: boolean } = {},
) {
  return defineRoute({
    method: 'GET',
    url,
    access: 'public',
    summary: `Web: ${url}`,
    tags: ['web'],
    handler: async ({ request, reply }) => {
      const file = pick(built());
      if (!file) throw new DomainError('NOT_FOUND', 'Not found.');
      if (options.wasm) {
        const policy = allowingWasm(reply.getHeader('content-security-policy'));
        if (policy) reply.header('content-security-policy', policy);
      }
      return send(request, reply, file, revalidate);
    },
  });
}

/** Routes that serve the built web app. */
export const webRoutes = [
  page('/', (b) => b.console),
  page('/verify', (b) => b.verify),
  page('/pos', (b) => b.pos, { wasm: true }),
  page('/me', (b) => b.me),
  page('/pos.webmanifest', (b) => b.posManifest),
  page('/sw.js', (b) => b.serviceWorker),
  defineRoute({
    method: 'GET',
    url: '/assets/:name',
    access: 'public',
    summary: 'Web: a content-hashed asset of the built app',
    tags: ['web'],
    params: z.object({ name: z.string().regex(/^[\w.-]{1,100}$/) }),
    handler: async ({ request, reply, params }) => {
      const file = built().assets.get(params.name);
      if (!file) throw new DomainError('NOT_FOUND', 'Not found.');
      return send(request, reply, file, immutable);
    },
  }),
];
