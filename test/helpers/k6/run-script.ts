import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { request, type Dispatcher } from 'undici';
import { compiledK6Scripts } from './compile.js';
import { arrivals, type ArrivalScenario } from './schedule.js';
import { evaluateThresholds, select, type Sample, type ThresholdResult, type ThresholdSpec } from './thresholds.js';
import type { VuRequest, VuResponse, VuSample } from './vu/context.js';

/**
 * A small stand-in for `k6 run`, for the scripts in loadtest/k6 where the k6 binary cannot run:
 * their scenarios (arrival-rate executors) with VUs as worker threads, k6's built-in HTTP
 * metrics, their custom metrics and checks, and their thresholds evaluated at the end. Not
 * modelled: abortOnFail, gracefulStop, setup/teardown, other executors.
 */

export interface K6Run {
  readonly thresholds: readonly ThresholdResult[];
  /** Thresholds that failed, as `key expression (value)`. */
  readonly failed: readonly string[];
  readonly samples: readonly Sample[];
  /** Exceptions iterations threw (k6 logs them and goes on). */
  readonly errors: readonly string[];
  /** Sum of the values of the samples `key` selects (`http_reqs{traffic:admin}`). */
  count(key: string): number;
}

export interface K6RunOptions {
  /** __ENV of the script (k6 run -e NAME=value). */
  readonly env: Readonly<Record<string, string>>;
  /** Called with the scenarios' start (ms since the epoch), as k6/execution reports it. */
  readonly onStart?: (startMs: number) => void;
  /** Called once every iteration has been handed to a VU or dropped; the run then waits for the VUs. */
  readonly onScheduled?: () => void;
}

interface Vu {
  readonly worker: Worker;
  readonly port: MessagePort;
  readonly signal: Int32Array;
  busy: boolean;
  iterations: number;
  /** Settles when the current iteration's 'done' arrives. */
  finished?: () => void;
}

/** Go's canonical header names, as k6 hands them to scripts: X-Switchyard-Version. */
function canonical(name: string): string {
  return name.split('-').map((w) => w.charAt(0).toUpperCase() + w.slice(1).toLowerCase()).join('-');
}

/** The request a VU is blocked on, sent with undici and recorded as k6's http_* metrics. */
async function serve(vu: Vu, req: VuRequest, scenario: string, record: (s: Sample) => void): Promise<void> {
  const started = performance.now();
  let answer: VuResponse;
  try {
    const res = await request(req.url, {
      method: req.method as Dispatcher.HttpMethod, headers: req.headers, body: req.body, headersTimeout: req.timeoutMs, bodyTimeout: req.timeoutMs,
    });
    const body = await res.body.text();
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(res.headers)) headers[canonical(name)] = Array.isArray(value) ? value.join(', ') : value ?? '';
    answer = { status: res.statusCode, body, headers, durationMs: performance.now() - started, error: '' };
  } catch (err) {
    answer = { status: 0, body: '', headers: {}, durationMs: performance.now() - started, error: err instanceof Error ? err.message : String(err) };
  }
  // k6's system tags on HTTP metrics, then the request's own tags (name defaults to the URL).
  const expected = answer.status >= 200 && answer.status < 400;
  const tags = { scenario, method: req.method, url: req.url, name: req.url, status: String(answer.status), expected_response: String(expected), ...req.tags };
  record({ metric: 'http_reqs', kind: 'counter', value: 1, tags });
  record({ metric: 'http_req_duration', kind: 'trend', value: answer.durationMs, tags });
  record({ metric: 'http_req_failed', kind: 'rate', value: expected ? 0 : 1, tags });
  vu.port.postMessage(answer);
  Atomics.store(vu.signal, 0, 1);
  Atomics.notify(vu.signal, 0);
}

/** Starts a VU thread; resolves with it and the options its init code exported. */
function startVu(scriptUrl: string, id: number, env: Readonly<Record<string, string>>, scenario: string, record: (s: Sample) => void, errors: string[]): Promise<{ vu: Vu; options: Record<string, unknown> }> {
  const { port1, port2 } = new MessageChannel();
  const shared = new SharedArrayBuffer(4);
  const worker = new Worker(new URL('./vu/thread.js', import.meta.url), {
    workerData: { scriptUrl, env, vu: id, port: port2, signal: shared },
    transferList: [port2],
  });
  const vu: Vu = { worker, port: port1, signal: new Int32Array(shared), busy: false, iterations: 0 };
  port1.on('message', (req: VuRequest) => void serve(vu, req, scenario, record));
  return new Promise((resolve, reject) => {
    worker.once('error', (err) => {
      // Before 'ready' the script's init failed; after, the VU is gone: its iteration ends, and it takes no more.
      reject(err);
      errors.push(err.stack ?? err.message);
      vu.busy = true;
      vu.finished?.();
    });
    worker.on('message', (message: { kind: string; sample?: VuSample; options?: Record<string, unknown>; error?: string }) => {
      if (message.kind === 'ready') resolve({ vu, options: message.options ?? {} });
      else if (message.kind === 'sample') record({ ...message.sample!, tags: { scenario, ...message.sample!.tags } });
      else if (message.kind === 'done') {
        if (message.error !== undefined) errors.push(message.error);
        record({ metric: 'iterations', kind: 'counter', value: 1, tags: { scenario } });
        vu.busy = false;
        vu.finished?.();
      }
    });
  });
}

/**
 * One scenario's arrivals, each given to a free VU or counted as dropped, as k6's arrival-rate
 * executors do; resolves when the last is due, with the iterations still running.
 */
async function scheduleScenario(name: string, scenario: ArrivalScenario, vus: Vu[], spawn: () => Promise<Vu>, startMs: number, record: (s: Sample) => void): Promise<Promise<void>[]> {
  const { atMs } = arrivals(scenario);
  const maxVus = scenario.maxVUs ?? scenario.preAllocatedVUs ?? 1;
  let starting = 0;
  const running: Promise<void>[] = [];
  const t0 = performance.now();
  for (const at of atMs) {
    const wait = at - (performance.now() - t0);
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const vu = vus.find((v) => !v.busy);
    if (vu === undefined) {
      // No free VU when the iteration was due: k6 drops it and starts another VU (up to maxVUs) for later ones.
      record({ metric: 'dropped_iterations', kind: 'counter', value: 1, tags: { scenario: name } });
      if (vus.length + starting < maxVus) {
        starting++;
        // A VU whose init fails is reported by startVu in the run's errors.
        void spawn().then((v) => vus.push(v), () => undefined).finally(() => starting--);
      }
      continue;
    }
    vu.busy = true;
    running.push(new Promise<void>((resolve) => { vu.finished = resolve; }));
    vu.worker.postMessage({ exec: scenario.exec ?? 'default', iteration: vu.iterations++, scenarioStart: startMs });
  }
  return running;
}

/** Runs loadtest/k6/<script> (e.g. 'spike.ts') with `env`, and evaluates its thresholds. */
export async function runK6Script(script: string, options: K6RunOptions): Promise<K6Run> {
  const scriptUrl = pathToFileURL(join(await compiledK6Scripts(), script.replace(/\.ts$/, '.js'))).href;
  const samples: Sample[] = [];
  const errors: string[] = [];
  const record = (s: Sample): void => void samples.push(s);
  const workers: Worker[] = [];
  let nextId = 1;
  try {
    // The first VU's init code gives the options, as k6 reads them before it starts.
    const first = await startVu(scriptUrl, nextId++, options.env, '', record, errors);
    workers.push(first.vu.worker);
    await first.vu.worker.terminate();
    const scriptOptions = first.options as { scenarios?: Record<string, ArrivalScenario>; thresholds?: Record<string, ThresholdSpec[]> };
    const scenarios = Object.entries(scriptOptions.scenarios ?? {});
    if (scenarios.length === 0) throw new Error(`${script} declares no scenarios`);
    const pools = await Promise.all(scenarios.map(async ([name, scenario]) => {
      const spawn = async (): Promise<Vu> => {
        const { vu } = await startVu(scriptUrl, nextId++, options.env, name, record, errors);
        workers.push(vu.worker);
        return vu;
      };
      return { name, scenario, spawn, vus: await Promise.all(Array.from({ length: scenario.preAllocatedVUs ?? 1 }, spawn)) };
    }));
    const startMs = Date.now();
    const t0 = performance.now();
    options.onStart?.(startMs);
    const running = await Promise.all(pools.map((p) => scheduleScenario(p.name, p.scenario, p.vus, p.spawn, startMs, record)));
    options.onScheduled?.();
    await Promise.all(running.flat());
    const testMs = performance.now() - t0;
    const thresholds = evaluateThresholds(scriptOptions.thresholds ?? {}, samples, testMs);
    return {
      thresholds,
      failed: thresholds.filter((t) => !t.ok).map((t) => `${t.key} ${t.expression} (${String(t.value)})`),
      samples,
      errors,
      count: (key) => select(samples, key).reduce((sum, s) => sum + s.value, 0),
    };
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
