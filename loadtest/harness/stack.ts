import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDemoModels } from '../bench/demo-repository.js';
import { CLI_ENTRY, startListening } from './processes.js';

export interface RunningStack {
  readonly url: string;
  readonly adminUrl: string;
  /** Each worker process's base URL (its /metrics is there). */
  readonly workers: readonly string[];
  readonly pid: number;
  stop(): Promise<void>;
}

/** The experiment the harness's stack runs, for the A/B scenario. */
export const LOADTEST_EXPERIMENT = 'loadtest-ab';
/** In-flight bench-cnn requests the harness's gateway admits before it sheds. */
export const BENCH_CNN_MAX_IN_FLIGHT = 32;

/** Requests carrying this header (value "ab") take the experiment route instead of the canary. */
export const EXPERIMENT_ROUTE_HEADER = 'x-loadtest-route';

/**
 * The stack the harness starts: the demo pool and models, a fraud canary held at a fixed
 * `canaryWeight` % (no steps, so the split does not move under a canary check), and an
 * experiment route on the same model for requests that carry x-loadtest-route: ab.
 */
export function stackConfig(modelsDir: string, canaryWeight: number): string {
  return `listeners:
  http:  { host: 127.0.0.1, port: 0 }
  grpc:  { host: 127.0.0.1, port: 0 }
  admin: { host: 127.0.0.1, port: 0 }
pools:
  cpu: { models: ${JSON.stringify(modelsDir)}, replicas: 1, device: cpu }
backends:
  fraud-v1: { pool: cpu, model: fraud, version: "1" }
  fraud-v2: { pool: cpu, model: fraud, version: "2" }
  iris-v1:  { pool: cpu, model: iris, version: "1" }
  bench-cnn-v1: { pool: cpu, model: bench-cnn, version: "1" }
routes:
  - name: fraud-ab
    match: { pathPrefix: /v2/models/fraud, headers: { ${EXPERIMENT_ROUTE_HEADER}: ab } }
    experiment:
      id: ${LOADTEST_EXPERIMENT}
      unit: header:x-user-id
      variants: [{ name: control, backend: fraud-v1, weight: 50 }, { name: treatment, backend: fraud-v2, weight: 50 }]
      metrics: [{ name: clicked, kind: proportion }]
  - name: fraud
    match: { pathPrefix: /v2/models/fraud }
    rollout: { strategy: canary, stable: fraud-v1, canary: fraud-v2, weight: ${canaryWeight} }
  - name: iris
    match: { pathPrefix: /v2/models/iris }
    backend: iris-v1
  - name: bench-cnn
    match: { pathPrefix: /v2/models/bench-cnn }
    backend: bench-cnn-v1
    # About a second of work at ~30 images/s: past it the gateway answers 503 + Retry-After at
    # once, so a spike past capacity is shed instead of queueing into 10 s timeouts.
    resilience: { maxInFlight: ${BENCH_CNN_MAX_IN_FLIGHT} }
`;
}

/** `switchyard up` on free ports with the config above; resolves once the gateway listens. */
export async function startStack(options: { canaryWeight: number; log?: (line: string) => void }): Promise<RunningStack> {
  const models = await ensureDemoModels();
  const dir = await mkdtemp(join(tmpdir(), 'switchyard-loadtest-'));
  const configPath = join(dir, 'switchyard.yaml');
  await writeFile(configPath, stackConfig(models, options.canaryWeight));
  const up = await startListening([CLI_ENTRY, 'up', '-c', configPath], 'adminPort');
  const line = up.line;
  const workers = Object.values((line.workers ?? {}) as Record<string, string[]>).flat();
  options.log?.(`stack up: gateway :${line.httpPort as number}, admin :${up.port}, workers ${workers.join(' ')}`);
  return {
    url: `http://127.0.0.1:${line.httpPort as number}`,
    adminUrl: `http://127.0.0.1:${up.port}`,
    workers,
    pid: up.child.pid!,
    stop: () => up.stop(),
  };
}
