import { mkdtemp, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashText } from '../../gateway/config/load.js';
import { ClosedLoopLoad, loadFigures, type LoadFigures, type LoadSample } from './closed-loop-load.js';
import { startCli, WorkerProcess, type ListeningProcess } from './processes.js';

/**
 * Workers leaving under load, as Kubernetes replaces them: real worker processes behind a
 * gateway process, closed-loop keep-alive clients in front. Two events:
 *
 * - replace: every worker of the pool in turn: start a new one, add it to the pool's
 *   endpoints (a config reload, awaited), remove the old endpoint from the file and SIGTERM
 *   the old worker at once, then wait for the reload.
 * - sigterm: SIGTERM one of two workers that stays listed in the config, as a pod whose
 *   endpoint removal has not reached the gateway yet.
 */
export interface LifecycleOptions {
  readonly models: string;
  /** Keep-alive clients. */
  readonly clients: number;
  /** The route's `resilience:` as YAML flow text, e.g. `{}` for the shipped defaults. */
  readonly resilience: string;
  /** Answers to wait for between two steps, so load runs throughout. */
  readonly requestsBetween: number;
  readonly log?: (line: string) => void;
}

export interface LifecycleResult {
  /** Every request of the run. */
  readonly all: LoadFigures;
  /** Requests sent from the first step of the event to its last (the old worker's exit). */
  readonly during: LoadFigures;
  /** Requests sent from the event's start + 100 ms on. */
  readonly after100ms: LoadFigures;
  /** ms since the load started: the event's first step and its end. */
  readonly eventAt: number;
  readonly eventEnd: number;
}

/** The gateway's config: one model-aware backend over the given worker endpoints, one route. */
function gatewayConfig(urls: readonly string[], resilience: string): string {
  return `listeners:
  http: { host: 127.0.0.1, port: 0 }
  admin: { host: 127.0.0.1, port: 0 }
backends:
  iris: { endpoints: [${urls.join(', ')}], model: iris, version: "1" }
routes:
  - name: iris
    match: { pathPrefix: /v2/models/iris }
    backend: iris
    resilience: ${resilience}
`;
}

/** A gateway process whose config file can be rewritten; `apply` resolves once the gateway serves the new text. */
class GatewayUnderTest {
  private generation = 0;

  private constructor(readonly process: ListeningProcess, private readonly dir: string) {}

  static async start(text: string): Promise<GatewayUnderTest> {
    const dir = await mkdtemp(join(tmpdir(), 'switchyard-lifecycle-'));
    await writeFile(join(dir, 'gateway.yaml'), text);
    return new GatewayUnderTest(await startCli(['gateway', '-c', join(dir, 'gateway.yaml'), '--grpc-port', '0']), dir);
  }

  get url(): string {
    return `http://127.0.0.1:${this.process.line.httpPort as number}`;
  }

  /** Replaces the file as Kubernetes does (write aside, rename over); the gateway's watcher picks it up when it does. */
  async write(text: string): Promise<void> {
    const staging = join(this.dir, `.gateway.yaml.${this.generation++}`);
    await writeFile(staging, text);
    await rename(staging, join(this.dir, 'gateway.yaml'));
  }

  /** Resolves once the admin API reports `text` as the config in force. */
  async applied(text: string): Promise<void> {
    const admin = `http://127.0.0.1:${this.process.line.adminPort as number}/admin/config`;
    const wanted = hashText(text);
    // The file watcher debounces events: ask until the new file is the one in force.
    for (;;) {
      const { hash } = (await (await fetch(admin)).json()) as { hash: string };
      if (hash === wanted) return;
    }
  }

  async stop(): Promise<void> {
    this.process.child.kill('SIGTERM');
    await this.process.exited;
  }
}

/** Starts `count` workers, the gateway over them and the load; runs `event`; stops everything. */
async function withStack(
  options: LifecycleOptions, count: number,
  event: (ctx: { workers: WorkerProcess[]; gateway: GatewayUnderTest; load: ClosedLoopLoad; started: WorkerProcess[] }) => Promise<void>,
): Promise<LoadSample[]> {
  const started: WorkerProcess[] = [];
  let gateway: GatewayUnderTest | undefined;
  let load: ClosedLoopLoad | undefined;
  try {
    for (let i = 0; i < count; i++) started.push(await WorkerProcess.start(options.models));
    const workers = [...started];
    gateway = await GatewayUnderTest.start(gatewayConfig(workers.map((w) => w.url), options.resilience));
    load = new ClosedLoopLoad(gateway.url, options.clients);
    await load.more(options.requestsBetween);
    await event({ workers, gateway, load, started });
    await load.more(options.requestsBetween);
    return await load.stop();
  } finally {
    await load?.stop();
    await gateway?.stop();
    await Promise.all(started.map((w) => w.stop()));
  }
}

/** Replaces every worker of a two-worker pool, one by one, under load. */
export async function runReplacement(options: LifecycleOptions): Promise<LifecycleResult> {
  const log = options.log ?? (() => undefined);
  let eventAt = 0;
  let eventEnd = 0;
  const samples = await withStack(options, 2, async ({ workers, gateway, load, started }) => {
    eventAt = load.now();
    for (const old of [...workers]) {
      const fresh = await WorkerProcess.start(options.models);
      started.push(fresh);
      workers.push(fresh);
      const surged = gatewayConfig(workers.map((w) => w.url), options.resilience);
      await gateway.write(surged);
      await gateway.applied(surged);
      await load.more(options.requestsBetween);
      // The old endpoint leaves the config and gets SIGTERM at once, as a ConfigMap that takes
      // its time to reach the gateway: the gateway may still send to it while it drains.
      workers.splice(workers.indexOf(old), 1);
      const shrunk = gatewayConfig(workers.map((w) => w.url), options.resilience);
      await gateway.write(shrunk);
      log(`t=${(load.now() / 1000).toFixed(1)}s: ${fresh.url} in, ${old.url} out of the config file; SIGTERM to it`);
      await old.stop();
      await gateway.applied(shrunk);
      await load.more(options.requestsBetween);
    }
    eventEnd = load.now();
  });
  return summarise(samples, eventAt, eventEnd);
}

/** SIGTERMs one of two workers, still listed in the gateway's config, under load. */
export async function runSigterm(options: LifecycleOptions): Promise<LifecycleResult> {
  const log = options.log ?? (() => undefined);
  let eventAt = 0;
  let eventEnd = 0;
  const samples = await withStack(options, 2, async ({ workers, load }) => {
    eventAt = load.now();
    log(`t=${(eventAt / 1000).toFixed(1)}s: SIGTERM to ${workers[0]!.url}`);
    await workers[0]!.stop();
    eventEnd = load.now();
    // The figures that count start 100 ms after the signal: load runs on past that point.
    await load.more(options.requestsBetween, eventAt + 100);
  });
  return summarise(samples, eventAt, eventEnd);
}

function summarise(samples: readonly LoadSample[], eventAt: number, eventEnd: number): LifecycleResult {
  return {
    all: loadFigures(samples),
    during: loadFigures(samples.filter((s) => s.at >= eventAt && s.at <= eventEnd)),
    after100ms: loadFigures(samples.filter((s) => s.at >= eventAt + 100)),
    eventAt,
    eventEnd,
  };
}
