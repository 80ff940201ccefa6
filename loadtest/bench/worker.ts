/**
 * `npm run bench:worker`: what serving costs and what batching buys, on this machine.
 *  1. the ceiling: onnxruntime in this process, bench-cnn and fraud at batch 1..32/64;
 *  2. the worker (a separate process) at 1, 8, 32 (and 64) closed-loop clients, batching on
 *     and off, bench-cnn over the binary tensor extension, fraud over JSON;
 *  3. the baseline: a bare node:http server answering a fixed body, at 64 connections.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { generateTransactions } from '../../worker/demo-models/build.js';
import { closedLoop, type ClosedLoopResult } from '../harness/closed-loop.js';
import { CLI_ENTRY, startListening } from '../harness/processes.js';
import { ensureDemoModels, withoutBatching } from './demo-repository.js';
import { rawThroughput, type RawPoint } from './raw-onnxruntime.js';
import { fmt, machine, table } from './report.js';
import { runIfMain, type BenchSection } from './section.js';

const USAGE = 'Usage: npm run bench:worker [-- --seconds N]\n\nMeasures raw onnxruntime, the served worker with batching on/off, and a bare node:http baseline.\nWrites loadtest/reports/worker.json.';
const progress = (line: string) => process.stderr.write(`[bench:worker] ${line}\n`);

function cnnBodies(count: number): { headers: Record<string, string>; bodies: Buffer[] } {
  const bytes = 3 * 224 * 224 * 4;
  const header = Buffer.from(JSON.stringify({
    inputs: [{ name: 'image', datatype: 'FP32', shape: [1, 3, 224, 224], parameters: { binary_data_size: bytes } }],
    outputs: [{ name: 'probabilities', parameters: { binary_data: true } }],
  }));
  const bodies = Array.from({ length: count }, (_, k) => {
    const pixels = new Float32Array(3 * 224 * 224).map((_, i) => ((i * (k + 3)) % 255) / 255);
    return Buffer.concat([header, Buffer.from(pixels.buffer)]);
  });
  return { headers: { 'content-type': 'application/octet-stream', 'inference-header-content-length': String(header.length) }, bodies };
}

function fraudBodies(count: number): { headers: Record<string, string>; bodies: Buffer[] } {
  const rows = generateTransactions(count, { seed: 11 });
  return {
    headers: { 'content-type': 'application/json' },
    bodies: rows.map((r) => Buffer.from(JSON.stringify({ inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 30], data: r }] }))),
  };
}

interface ServedPoint extends ClosedLoopResult {
  readonly model: string;
  readonly batching: boolean;
}

export async function run(argv: readonly string[]): Promise<BenchSection> {
  const { values: args } = parseArgs({ args: [...argv], options: { seconds: { type: 'string', default: '5' } } });
  const SECONDS = Number(args.seconds);
  progress(`machine: ${machine()}`);
  const repo = await ensureDemoModels();
  const raw: Record<string, RawPoint[]> = {};
  progress('raw onnxruntime: bench-cnn, one session with 2 intra-op threads (as its model.yaml)');
  raw['bench-cnn'] = await rawThroughput(join(repo, 'bench-cnn', '1', 'model.onnx'), { name: 'image', rowShape: [3, 224, 224] }, [1, 2, 4, 8, 16, 32], { intraOpThreads: 2, seconds: SECONDS / 2 });
  progress('raw onnxruntime: fraud (intra-op threads 1, as its model.yaml)');
  raw.fraud = await rawThroughput(join(repo, 'fraud', '1', 'model.onnx'), { name: 'input', rowShape: [30] }, [1, 8, 32, 64], { intraOpThreads: 1, seconds: SECONDS / 2 });

  const served: ServedPoint[] = [];
  const cnn = cnnBodies(4);
  const fraud = fraudBodies(64);
  for (const batching of [true, false]) {
    const dir = batching ? repo : await withoutBatching(repo);
    const worker = await startListening([CLI_ENTRY, 'worker', '--models', dir, '--http-port', '0', '--host', '127.0.0.1'], 'httpPort');
    const base = `http://127.0.0.1:${worker.port}`;
    for (const connections of [1, 8, 32]) {
      progress(`served bench-cnn, batching ${batching ? 'on' : 'off'}, ${connections} clients`);
      served.push({ model: 'bench-cnn', batching, ...(await closedLoop({ url: `${base}/v2/models/bench-cnn/versions/1/infer`, ...cnn, connections, durationSeconds: SECONDS, warmupSeconds: 1 })) });
    }
    for (const connections of [1, 8, 32, 64]) {
      progress(`served fraud, batching ${batching ? 'on' : 'off'}, ${connections} clients`);
      served.push({ model: 'fraud', batching, ...(await closedLoop({ url: `${base}/v2/models/fraud/versions/1/infer`, ...fraud, connections, durationSeconds: SECONDS, warmupSeconds: 1 })) });
    }
    await worker.stop();
  }
  progress('baseline: bare node:http, 64 connections');
  const bare = await startListening([join(CLI_ENTRY, '..', '..', 'loadtest', 'bench', 'bare-http-server.js')], 'httpPort');
  const baseline = await closedLoop({ url: `http://127.0.0.1:${bare.port}/`, ...fraud, connections: 64, durationSeconds: SECONDS, warmupSeconds: 1 });
  await bare.stop();

  const ceiling = Math.max(...raw['bench-cnn'].map((p) => p.rowsPerSecond));
  const find = (model: string, batching: boolean, c: number) => served.find((s) => s.model === model && s.batching === batching && s.connections === c)!;
  const cnnServed = find('bench-cnn', true, 32).requestsPerSecond;
  const fraud64 = find('fraud', true, 64).requestsPerSecond;
  const targets = {
    cnnServedOverCeiling: cnnServed / ceiling,
    fraudOverBareHttp: fraud64 / baseline.requestsPerSecond,
    cnnBatchingGain: cnnServed / find('bench-cnn', false, 32).requestsPerSecond,
    fraudBatchingGain: fraud64 / find('fraud', false, 64).requestsPerSecond,
  };

  const out: string[] = [];
  out.push(`Machine: ${machine()}; ${SECONDS} s per point after 1 s warm-up.`, '');
  out.push('Raw onnxruntime in one process (the ceiling):', '');
  out.push(table(['model', 'batch', 'rows/s', 'ms/batch'], Object.entries(raw).flatMap(([m, pts]) => pts.map((p) => [m, String(p.batch), fmt(p.rowsPerSecond), fmt(p.msPerBatch, 2)]))), '');
  out.push('Served by the worker (closed loop, one row per request):', '');
  out.push(table(['model', 'batching', 'clients', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'errors'], served.map((s) => [
    s.model, s.batching ? 'on' : 'off', String(s.connections), fmt(s.requestsPerSecond), fmt(s.latency.p50, 2), fmt(s.latency.p95, 2), fmt(s.latency.p99, 2), JSON.stringify(s.errors),
  ])), '');
  out.push(`Baseline bare node:http at 64 connections: ${fmt(baseline.requestsPerSecond)} req/s, p50 ${fmt(baseline.latency.p50, 2)} ms, p99 ${fmt(baseline.latency.p99, 2)} ms`, '');
  out.push('Ratios:', '');
  out.push(table(['figure', 'value', 'target'], [
    ['bench-cnn served at 32 clients / raw ceiling', fmt(targets.cnnServedOverCeiling, 3), '>= 0.9'],
    ['fraud JSON at 64 connections / bare node:http', fmt(targets.fraudOverBareHttp, 3), '>= 0.3'],
    ['bench-cnn batching on / off at 32 clients', fmt(targets.cnnBatchingGain, 2), 'reported'],
    ['fraud batching on / off at 64 connections', fmt(targets.fraudBatchingGain, 2), 'reported'],
  ]));
  return {
    name: 'worker',
    title: 'Worker: served throughput against the onnxruntime ceiling, batching on and off',
    command: 'npm run bench:worker',
    notes: 'The ceiling is onnxruntime in the bench process (same session options as the worker). Served figures are closed-loop clients (autocannon) against one worker process; bench-cnn requests carry one image over the binary tensor extension, fraud requests one row as JSON. The baseline is a bare node:http server answering a fixed body of the same size as a fraud answer.',
    markdown: out.join('\n'),
    data: { seconds: SECONDS, raw, served, baseline, targets },
  };
}

runIfMain(import.meta.url, run, USAGE);
