import { Worker } from 'node:worker_threads';

/**
 * Starts a worker thread on a TypeScript or JavaScript module. Under tsx (no build step) a
 * worker does not inherit the loader, so it registers tsx itself before importing the module.
 */
export function startWorker(url: URL, workerData: unknown): Worker {
  if (!url.pathname.endsWith('.ts')) return new Worker(url, { workerData });
  const api = import.meta.resolve('tsx/esm/api');
  const bootstrap =
    `import(${JSON.stringify(api)})` +
    `.then((m) => { m.register(); return import(${JSON.stringify(url.href)}); })`;
  return new Worker(bootstrap, { eval: true, workerData });
}
