import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * The session thread's entry file, next to this one with this file's own extension:
 * `.js` when running from dist/, `.ts` when running from source under tsx.
 */
export function sessionThreadUrl(): URL {
  return new URL(`./session-thread${extname(fileURLToPath(import.meta.url))}`, import.meta.url);
}

/**
 * Starts a worker_thread on `url`. Node 20 does not carry tsx's loader hooks into worker
 * threads, so a TypeScript entry is started through a small bootstrap that registers tsx in
 * the thread first; compiled JavaScript starts directly.
 */
export function startThread(url: URL, options: WorkerOptions): Worker {
  if (!/\.[mc]?ts$/.test(url.pathname)) return new Worker(url, options);
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(url.href)}); });`;
  return new Worker(bootstrap, { ...options, eval: true });
}
