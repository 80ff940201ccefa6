/**
 * `npm run bench:experiments`: how fast outcomes go into Redis, one per post and in batches,
 * through the admin API against the store called directly from this process (the baseline);
 * and what exposure counting costs an experiment route against a plain route.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { createRedisExperimentStore } from '../../gateway/experiments/store/redis.js';
import type { Outcome } from '../../gateway/experiments/store/store.js';
import { closedLoop, type ClosedLoopResult } from '../harness/closed-loop.js';
import { summarise } from '../harness/percentiles.js';
import { CLI_ENTRY, startListening } from '../harness/processes.js';
import { fmt, machine, table } from './report.js';
import { runIfMain, type BenchSection } from './section.js';

const OPTIONS = {
  seconds: { type: 'string', default: '5' }, connections: { type: 'string', default: '32' }, batch: { type: 'string', default: '100' },
  redis: { type: 'string', default: 'redis://127.0.0.1:6379' },
} as const;
const USAGE = `Usage: npm run bench:experiments [-- --seconds N --connections N --batch N --redis URL]

Outcome ingestion into Redis: the store called directly (baseline) and POST /v1/experiments/ID/outcomes
through a gateway process, one outcome per post and --batch outcomes per post; then an experiment
route (exposure counting on) against a plain route. Needs Redis. Writes loadtest/reports/experiments.json.`;
// Set from the command line by run() before anything reads them.
let args = parseArgs({ args: [], options: OPTIONS }).values;
let SECONDS = 0;
let CONNECTIONS = 0;
let BATCH = 0;
const PREFIX = `switchyard-bench:${randomUUID()}:`;
const EXPERIMENT = 'bench-exp';
const progress = (line: string) => process.stderr.write(`[bench:experiments] ${line}\n`);
const BARE = join(CLI_ENTRY, '..', '..', 'loadtest', 'bench', 'bare-http-server.js');

interface Row {
  readonly posts: number;
  readonly seconds: number;
  readonly outcomesPerPost: number;
  readonly p50: number;
  readonly p99: number;
  readonly errors: Record<string, number>;
}

/** `connections` loops calling the store back to back for `seconds`. */
async function direct(outcomesPerPost: number): Promise<Row> {
  const store = createRedisExperimentStore({ redis: args.redis!, keyPrefix: PREFIX });
  const latencies: number[] = [];
  let errors = 0;
  let next = 0;
  const deadline = performance.now() + SECONDS * 1000;
  const started = performance.now();
  await Promise.all(Array.from({ length: CONNECTIONS }, async () => {
    while (performance.now() < deadline) {
      const outcomes: Outcome[] = Array.from({ length: outcomesPerPost }, () => {
        const unit = `u${next++ % 100_000}`;
        return { unit, variant: next % 2 === 0 ? 'control' : 'treatment', metric: 'revenue', value: 1.5, combine: 'sum' };
      });
      const t = performance.now();
      try {
        await store.recordOutcomes(EXPERIMENT, outcomes);
        latencies.push(performance.now() - t);
      } catch {
        errors++;
      }
    }
  }));
  const seconds = (performance.now() - started) / 1000;
  await store.close();
  const s = summarise(latencies);
  return { posts: latencies.length, seconds, outcomesPerPost, p50: s.p50, p99: s.p99, errors: errors > 0 ? { store: errors } : {} };
}

function bodies(outcomesPerPost: number, count: number): Buffer[] {
  let n = 0;
  return Array.from({ length: count }, () => {
    const outcomes = Array.from({ length: outcomesPerPost }, () => ({ unit: `u${n++ % 100_000}`, metric: 'revenue', value: 1.5 }));
    return Buffer.from(JSON.stringify(outcomesPerPost === 1 ? outcomes[0] : { outcomes }));
  });
}

function fromLoop(r: ClosedLoopResult, outcomesPerPost: number): Row {
  return { posts: r.requests, seconds: r.seconds, outcomesPerPost, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors };
}

async function deleteBenchKeys(): Promise<void> {
  const redis = new Redis(args.redis!);
  try {
    for await (const batch of redis.scanStream({ match: `${PREFIX}*`, count: 1000 })) {
      if ((batch as string[]).length > 0) await redis.del(...(batch as string[]));
    }
  } finally {
    redis.disconnect();
  }
}

export async function run(argv: readonly string[]): Promise<BenchSection> {
  args = parseArgs({ args: [...argv], options: OPTIONS }).values;
  SECONDS = Number(args.seconds);
  CONNECTIONS = Number(args.connections);
  BATCH = Number(args.batch);
  try {
    return await measure();
  } finally {
    await deleteBenchKeys().catch(() => {});
  }
}

async function measure(): Promise<BenchSection> {
  progress(`machine: ${machine()}`);
  const rows: Record<string, Row> = {};
  progress(`store called directly: 1 outcome per call, ${CONNECTIONS} concurrent`);
  rows['direct, 1 per call'] = await direct(1);
  progress(`store called directly: ${BATCH} outcomes per call`);
  rows[`direct, ${BATCH} per call`] = await direct(BATCH);

  const upstream = await startListening([BARE], 'httpPort');
  const dir = await mkdtemp(join(tmpdir(), 'switchyard-bench-exp-'));
  const configPath = join(dir, 'gateway.yaml');
  await writeFile(configPath, `listeners:
  http: { host: 127.0.0.1, port: 0 }
  admin: { host: 127.0.0.1, port: 0 }
store: { redis: "${args.redis}", keyPrefix: "${PREFIX}" }
backends:
  a: { endpoints: [http://127.0.0.1:${upstream.port}] }
  b: { endpoints: [http://127.0.0.1:${upstream.port}] }
routes:
  - name: plain
    match: { pathPrefix: /plain }
    backend: a
  - name: exp
    match: { pathPrefix: /exp }
    experiment:
      id: ${EXPERIMENT}
      unit: header:x-user-id
      variants: [{ name: control, backend: a, weight: 50 }, { name: treatment, backend: b, weight: 50 }]
      metrics: [{ name: revenue, kind: mean }]
`);
  const gateway = await startListening([CLI_ENTRY, 'gateway', '-c', configPath, '--grpc-port', '0'], 'adminPort', { SWITCHYARD_ADMIN_TOKEN: '' });
  const outcomesUrl = `http://127.0.0.1:${gateway.port}/v1/experiments/${EXPERIMENT}/outcomes`;
  const post = (list: Buffer[]) => closedLoop({ url: outcomesUrl, headers: { 'content-type': 'application/json' }, bodies: list, connections: CONNECTIONS, durationSeconds: SECONDS, warmupSeconds: 1 });
  progress('admin API: 1 outcome per post');
  rows['API, 1 per post'] = fromLoop(await post(bodies(1, 2000)), 1);
  progress(`admin API: ${BATCH} outcomes per post`);
  rows[`API, ${BATCH} per post`] = fromLoop(await post(bodies(BATCH, 50)), BATCH);

  const routeLoad = (path: string) => closedLoop({
    url: `http://127.0.0.1:${String(gateway.line.httpPort)}${path}`, method: 'GET', connections: CONNECTIONS, durationSeconds: SECONDS, warmupSeconds: 1,
    // The same 1,000 distinct users on both routes, so the load generator does the same work.
    headerSets: Array.from({ length: 1000 }, (_, i) => ({ 'x-user-id': `user-${i}` })),
  });
  progress('plain route, 1,000 users in turn');
  const plain = await routeLoad('/plain');
  progress('experiment route, 1,000 users in turn (exposure counting on)');
  const experiment = await routeLoad('/exp');
  await gateway.stop();
  await upstream.stop();

  const perSecond = (r: Row) => r.posts / r.seconds;
  const lines = [
    `Machine: ${machine()}; ${SECONDS} s per run, ${CONNECTIONS} concurrent callers, Redis on the same machine.`,
    '',
    table(['path', 'posts/s', 'outcomes/s', 'p50 ms', 'p99 ms', 'errors'], Object.entries(rows).map(([name, r]) => [
      name, fmt(perSecond(r)), fmt(perSecond(r) * r.outcomesPerPost), fmt(r.p50, 2), fmt(r.p99, 2), JSON.stringify(r.errors),
    ])),
    '',
  ];
  const single = perSecond(rows['API, 1 per post']!) / perSecond(rows['direct, 1 per call']!);
  const batched = perSecond(rows[`API, ${BATCH} per post`]!) / perSecond(rows[`direct, ${BATCH} per call`]!);
  const exposureCost = experiment.requestsPerSecond / plain.requestsPerSecond;
  lines.push(table(['figure', 'value'], [
    ['API / direct store, 1 outcome per post', fmt(single, 3)],
    [`API / direct store, ${BATCH} outcomes per post`, fmt(batched, 3)],
    [`batched / single outcomes per second through the API`, fmt((perSecond(rows[`API, ${BATCH} per post`]!) * BATCH) / perSecond(rows['API, 1 per post']!), 1)],
    ['experiment route (exposure counting) / plain route, req/s', `${fmt(exposureCost, 3)} (${fmt(experiment.requestsPerSecond)} vs ${fmt(plain.requestsPerSecond)})`],
  ]));
  return {
    name: 'experiments',
    title: 'Experiments: outcome ingestion into Redis, and the cost of exposure counting',
    command: 'npm run bench:experiments',
    notes: 'The baseline is the Redis store called directly from the bench process (same Lua script, same concurrency). The API rows post through a gateway process to the same Redis. The route rows send 1,000 users in turn to a plain route and to an experiment route on the same bare upstream; after the first pass every unit is remembered, so they show the steady state (a new unit costs one Redis call off the request path).',
    markdown: lines.join('\n'),
    data: { seconds: SECONDS, connections: CONNECTIONS, batch: BATCH, rows, plain, experiment },
  };
}

runIfMain(import.meta.url, run, USAGE);
