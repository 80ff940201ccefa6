import assert from 'node:assert/strict';
import { silentLogger } from '../../../../observability/logger.js';
import { parseConfig } from '../../../../gateway/config/load.js';
import { GatewayMetrics } from '../../../../gateway/metrics.js';
import type { CompiledRoute } from '../../../../gateway/routing/compile.js';
import { compileGateway } from '../../../../gateway/routing/compile.js';
import { RolloutController } from '../../../../gateway/rollout/controller.js';
import type { GoldenScore } from '../../../../gateway/rollout/golden.js';
import { IntervalMeter } from '../../../../gateway/rollout/meter.js';
import { RolloutMetrics } from '../../../../gateway/rollout/metrics.js';
import { GatewayRuntime } from '../../../../gateway/runtime.js';
import { MemoryStateStore } from '../../../../gateway/state/memory-store.js';
import type { RuntimeStateStore } from '../../../../gateway/state/store.js';
import type { Verdict } from '../../../../gateway/upstream/classify.js';
import { EndpointRegistry } from '../../../../gateway/upstream/endpoint.js';

export const BASE_YAML = (rollout: string): string => `
backends:
  v1: { endpoints: [http://127.0.0.1:9001] }
  v2: { endpoints: [http://127.0.0.1:9002] }
  v3: { endpoints: [http://127.0.0.1:9003] }
routes:
  - name: fraud
    match: { pathPrefix: /v2/models/fraud }
    rollout: ${rollout}
`;

export const CANARY = '{ strategy: canary, stable: v1, canary: v2, steps: [10, 50, 100], interval: 10s, analysis: { maxErrorRate: 0.02, maxP99Ms: 100, minRequests: 50, failureLimit: 2, maxInconclusive: 3, maxPredictionShift: 0.05 } }';

/** A controller over a compiled config, a memory store, a real meter and a clock the test moves (epoch ms). */
export class Harness {
  clock = 1_000_000;
  readonly meter = new IntervalMeter();
  readonly metrics = new GatewayMetrics();
  readonly registry = new EndpointRegistry();
  runtime!: GatewayRuntime;
  controller!: RolloutController;
  golden: GoldenScore = { score: 1, detail: 'all rows' };
  /** What the controller reported through onEvent, in order: [route, event, weight, by]. */
  readonly reported: [string, string, number, string][] = [];

  constructor(readonly store: RuntimeStateStore = new MemoryStateStore()) {}

  async init(rolloutYaml: string = CANARY): Promise<this> {
    const compiled = await this.compile(rolloutYaml);
    this.runtime = new GatewayRuntime(compiled, this.store, this.registry, silentLogger());
    this.controller = new RolloutController({
      runtime: this.runtime, store: this.store, meter: this.meter, replica: 'test',
      metrics: new RolloutMetrics(this.metrics.registry), log: silentLogger(), now: () => this.clock,
      scoreGolden: () => Promise.resolve(this.golden),
      onEvent: (route, e) => this.reported.push([route, e.event, e.weight, e.by]),
    });
    return this;
  }

  async compile(rolloutYaml: string) {
    const loaded = parseConfig(BASE_YAML(rolloutYaml), 'test.yaml', { fileExists: () => true });
    assert.ok(loaded.ok, JSON.stringify(!loaded.ok && loaded.errors));
    return compileGateway(loaded.config, loaded.source, {
      registry: this.registry, poolEndpoints: {}, metrics: this.metrics, factories: [], log: silentLogger(), now: () => this.clock, random: Math.random, meter: this.meter,
    });
  }

  /** A YAML change: compile, load overrides, swap, as a reload does. */
  async reload(rolloutYaml: string): Promise<void> {
    const next = await this.compile(rolloutYaml);
    await this.runtime.loadOverrides(next);
    this.runtime.swap(next);
    await settle();
  }

  get route(): CompiledRoute {
    return this.runtime.current.routesByName.get('fraud')!;
  }

  /** Requests served by a backend in this interval: `errors` of them failures, all at `ms`. */
  serve(backend: string, requests: number, options: { errors?: number; ms?: number; classes?: Record<number, number>; pairs?: { rows: number; agreeing: number } } = {}): void {
    if (options.pairs !== undefined) this.meter.recordPair('fraud', backend, { ...options.pairs, meanAbsDiff: 0 });
    for (let i = 0; i < requests; i++) {
      const verdict: Verdict = i < (options.errors ?? 0) ? 'failure' : 'success';
      this.meter.record('fraud', backend, verdict, options.ms ?? 10);
    }
    for (const [cls, n] of Object.entries(options.classes ?? {})) {
      this.meter.recordPrediction('fraud', backend, { classes: Array.from({ length: n }, () => Number(cls)), values: [], width: 2 });
    }
  }

  /** Moves the clock on and ticks once; returns the state. */
  async advance(ms: number) {
    this.clock += ms;
    await this.controller.tick();
    await settle();
    return (await this.store.getRollout('fraud'))!;
  }

  weight(): number {
    const view = this.route.target.view();
    assert.equal(view.kind, 'canary');
    return view.kind === 'canary' ? view.weights.canary : -1;
  }

  async counter(event: string): Promise<number> {
    const metric = await this.metrics.registry.getSingleMetric('switchyard_rollout_events_total')!.get();
    return metric.values.find((v) => v.labels.event === event && v.labels.route === 'fraud')?.value ?? 0;
  }

  async close(): Promise<void> {
    this.runtime.close();
    await this.registry.close();
  }
}

/** Lets the store's change notices (microtasks) and the runtime's refresh run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** A healthy interval: both versions healthy, same class shares. */
export function healthy(h: Harness): void {
  h.serve('v1', 400, { classes: { 0: 360, 1: 40 } });
  h.serve('v2', 100, { classes: { 0: 90, 1: 10 } });
}
