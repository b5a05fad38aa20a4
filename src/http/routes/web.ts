// The staff console: three static files, served from web/ with a strict CSP (no inline script).
import { readFileSync } from 'node:fs';
import { defineRoute } from '../route';

const webDir = new URL('../../../web/', import.meta.url);
const files = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/app.css': { file: 'app.css', type: 'text/css; charset=utf-8' },
} as const;

/** Routes that serve the web console. */
export const webRoutes = Object.entries(files).map(([url, { file, type }]) => {
  const body = readFileSync(new URL(file, webDir));
  return defineRoute({
    method: 'GET',
    url,
    access: 'public',
    summary: `Staff console: ${file}`,
    tags: ['web'],
    handler: async ({ reply }) =>
      reply.header('content-type', type).header('cache-control', 'no-cache').send(body),
  });
});
