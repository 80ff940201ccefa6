import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { connect, setScenarioStart } from './context.js';

/**
 * A VU: loads the compiled script (its init code runs here, once per VU, as in k6), reports the
 * script's options, then runs one iteration of the scenario's function per message.
 */
interface VuData {
  readonly scriptUrl: string;
  readonly env: Record<string, string>;
  readonly vu: number;
  readonly port: MessagePort;
  readonly signal: SharedArrayBuffer;
}

/** An iteration to run: the exported function, __ITER for it, and when the scenario started. */
interface Iterate { readonly exec: string; readonly iteration: number; readonly scenarioStart: number }

/** Runs this thread as one VU of the stand-in. */
async function runVu(data: VuData, parent: MessagePort): Promise<void> {
  const scriptDir = dirname(fileURLToPath(data.scriptUrl));
  const k6Globals = globalThis as unknown as Record<string, unknown>;
  k6Globals.__ENV = { ...data.env };
  k6Globals.__VU = data.vu;
  k6Globals.__ITER = 0;
  // k6's open(): a file read at init, relative to the script's folder.
  k6Globals.open = (path: string): string => readFileSync(resolve(scriptDir, path), 'utf8');
  connect(data.port, data.signal);

  const script = (await import(data.scriptUrl)) as Record<string, unknown>;
  parent.postMessage({ kind: 'ready', options: JSON.parse(JSON.stringify(script.options ?? {})) as unknown });

  parent.on('message', (message: Iterate) => {
    k6Globals.__ITER = message.iteration;
    setScenarioStart(message.scenarioStart);
    let error: string | undefined;
    try {
      const run = script[message.exec];
      if (typeof run !== 'function') throw new Error(`the script exports no function '${message.exec}'`);
      (run as () => void)();
    } catch (err) {
      // k6 logs an exception, ends that iteration and goes on.
      error = err instanceof Error ? err.stack ?? err.message : String(err);
    }
    parent.postMessage({ kind: 'done', error });
  });
}

// `node --test dist/test/` loads every file under test/, this one too, on its main thread: a VU
// only runs inside the worker thread the stand-in starts.
if (parentPort !== null) await runVu(workerData as VuData, parentPort);
