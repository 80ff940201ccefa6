/**
 * `npm run bench:worker`: what serving costs and what batching buys, on this machine.
 *  1. the ceiling: onnxruntime in this process, bench-cnn and fraud at batch 1..32/64;
 *  2. the worker (a separate process) at 1, 8, 32 (and 64) closed-loop clients, batching on
 *     and off, bench-cnn over the binary tensor extension, fraud over JSON;
 *  3. the baseline: a bare node:http server answering a fixed body, at 64 connections;
 *  4. the two targets in alternating rounds (the machine's speed drifts within a minute): each
 *     round measures fraud served and the bare server back to back, and bench-cnn served, raw,
 *     and raw while another process uploads images at the served rate to the bare server (the
 *     transport floor: what moving the bytes alone costs onnxruntime on these cores).
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { closedLoop, type ClosedLoopResult } from '../harness/closed-loop.js';
import { CLI_ENTRY, startListening, type Started } from '../harness/processes.js';
import { median, roundRatios } from '../harness/rounds.js';
import { ensureDemoModels, withoutBatching } from './demo-repository.js';
import { rawThroughput, type RawPoint } from './raw-onnxruntime.js';
import { whileUploading } from './transport-floor.js';
import { cnnRequests, fraudRequests, type RequestSet } from './worker-requests.js';
import { fmt, machine, table } from './report.js';
import { runIfMain, type BenchSection } from './section.js';

const USAGE = 'Usage: npm run bench:worker [-- --seconds N --rounds N --round-seconds N]\n\nMeasures raw onnxruntime, the served worker with batching on/off and a bare node:http baseline\n(N seconds per point), then the two target ratios in N alternating rounds.\nWrites loadtest/reports/worker.json.';
const progress = (line: string) => process.stderr.write(`[bench:worker] ${line}\n`);

interface ServedPoint extends ClosedLoopResult {
  readonly model: string;
  readonly batching: boolean;
}

export async function run(argv: readonly string[]): Promise<BenchSection> {
  const { values: args } = parseArgs({
    args: [...argv],
    options: { seconds: { type: 'string', default: '5' }, rounds: { type: 'string', default: '5' }, 'round-seconds': { type: 'string', default: '4' } },
  });
  const SECONDS = Number(args.seconds);
  const ROUNDS = Number(args.rounds);
  const ROUND_SECONDS = Number(args['round-seconds']);
  progress(`machine: ${machine()}`);
  const repo = await ensureDemoModels();
  const raw: Record<string, RawPoint[]> = {};
  progress('raw onnxruntime: bench-cnn, one session with 2 intra-op threads (as its model.yaml)');
  raw['bench-cnn'] = await rawThroughput(join(repo, 'bench-cnn', '1', 'model.onnx'), { name: 'image', rowShape: [3, 224, 224] }, [1, 2, 4, 8, 16, 32], { intraOpThreads: 2, seconds: SECONDS / 2 });
  progress('raw onnxruntime: fraud (intra-op threads 1, as its model.yaml)');
  raw.fraud = await rawThroughput(join(repo, 'fraud', '1', 'model.onnx'), { name: 'input', rowShape: [30] }, [1, 8, 32, 64], { intraOpThreads: 1, seconds: SECONDS / 2 });

  const served: ServedPoint[] = [];
  const cnn = cnnRequests(4);
  const fraud = fraudRequests(64);
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
  const bare = await startListening([BARE_SERVER], 'httpPort');
  const baseline = await closedLoop({ url: `http://127.0.0.1:${bare.port}/`, ...fraud, connections: 64, durationSeconds: SECONDS, warmupSeconds: 1 });

  const bestCnn = raw['bench-cnn'].reduce((a, b) => (b.rowsPerSecond > a.rowsPerSecond ? b : a));
  const worker = await startListening([CLI_ENTRY, 'worker', '--models', repo, '--http-port', '0', '--host', '127.0.0.1'], 'httpPort');
  const rounds: Round[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    progress(`round ${round}/${ROUNDS}: fraud served and bare, bench-cnn served, raw at batch ${bestCnn.batch} and raw under uploads, ${ROUND_SECONDS} s each`);
    rounds.push(await measureRound(worker, bare, cnn, fraud, join(repo, 'bench-cnn', '1', 'model.onnx'), bestCnn.batch, ROUND_SECONDS));
  }
  await worker.stop();
  await bare.stop();

  const find = (model: string, batching: boolean, c: number) => served.find((s) => s.model === model && s.batching === batching && s.connections === c)!;
  const cnnServed = find('bench-cnn', true, 32).requestsPerSecond;
  const fraud64 = find('fraud', true, 64).requestsPerSecond;
  const column = (key: keyof Round) => rounds.map((r) => r[key]);
  const cnnOverRaw = roundRatios(column('cnnServed'), column('cnnRaw'));
  const floorOverRaw = roundRatios(column('cnnRawUnderUploads'), column('cnnRaw'));
  const cnnOverFloor = roundRatios(column('cnnServed'), column('cnnRawUnderUploads'));
  const fraudOverBare = roundRatios(column('fraudServed'), column('fraudBare'));
  const targets = {
    cnnServedOverCeiling: median(cnnOverRaw),
    fraudOverBareHttp: median(fraudOverBare),
    transportFloorOverCeiling: median(floorOverRaw),
    cnnServedOverTransportFloor: median(cnnOverFloor),
    cnnBatchingGain: cnnServed / find('bench-cnn', false, 32).requestsPerSecond,
    fraudBatchingGain: fraud64 / find('fraud', false, 64).requestsPerSecond,
  };
  const spread = (sorted: readonly number[]) => `${fmt(sorted[0]!, 3)}-${fmt(sorted[sorted.length - 1]!, 3)}`;

  const out: string[] = [];
  out.push(`Machine: ${machine()}; ${SECONDS} s per point after 1 s warm-up.`, '');
  out.push('Raw onnxruntime in one process (the ceiling):', '');
  out.push(table(['model', 'batch', 'rows/s', 'ms/batch'], Object.entries(raw).flatMap(([m, pts]) => pts.map((p) => [m, String(p.batch), fmt(p.rowsPerSecond), fmt(p.msPerBatch, 2)]))), '');
  out.push('Served by the worker (closed loop, one row per request):', '');
  out.push(table(['model', 'batching', 'clients', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'errors'], served.map((s) => [
    s.model, s.batching ? 'on' : 'off', String(s.connections), fmt(s.requestsPerSecond), fmt(s.latency.p50, 2), fmt(s.latency.p95, 2), fmt(s.latency.p99, 2), JSON.stringify(s.errors),
  ])), '');
  out.push(`Baseline bare node:http at 64 connections: ${fmt(baseline.requestsPerSecond)} req/s, p50 ${fmt(baseline.latency.p50, 2)} ms, p99 ${fmt(baseline.latency.p99, 2)} ms`, '');
  out.push(`Rounds (${ROUNDS}, ${ROUND_SECONDS} s per measurement; raw bench-cnn at batch ${bestCnn.batch}, the sweep's best):`, '');
  out.push(table(['round', 'fraud served req/s', 'bare req/s', 'bench-cnn served img/s', 'raw img/s', 'raw under uploads img/s'], rounds.map((r, i) => [
    String(i + 1), fmt(r.fraudServed), fmt(r.fraudBare), fmt(r.cnnServed), fmt(r.cnnRaw), fmt(r.cnnRawUnderUploads),
  ])), '');
  out.push('Ratios (medians of per-round ratios):', '');
  out.push(table(['figure', 'value', 'rounds min-max', 'target'], [
    ['bench-cnn served at 32 clients / raw ceiling', fmt(targets.cnnServedOverCeiling, 3), spread(cnnOverRaw), '>= 0.9'],
    ['fraud JSON at 64 connections / bare node:http', fmt(targets.fraudOverBareHttp, 3), spread(fraudOverBare), '>= 0.3'],
    ['transport floor: raw while images upload to a bare server / raw', fmt(targets.transportFloorOverCeiling, 3), spread(floorOverRaw), 'reported'],
    ['bench-cnn served / transport floor', fmt(targets.cnnServedOverTransportFloor, 3), spread(cnnOverFloor), 'reported'],
    ['bench-cnn batching on / off at 32 clients (sweep)', fmt(targets.cnnBatchingGain, 2), '', 'reported'],
    ['fraud batching on / off at 64 connections (sweep)', fmt(targets.fraudBatchingGain, 2), '', 'reported'],
  ]));
  return {
    name: 'worker',
    title: 'Worker: served throughput against the onnxruntime ceiling, batching on and off',
    command: 'npm run bench:worker',
    notes: 'The ceiling is onnxruntime in the bench process (same session options as the worker). Served figures are closed-loop clients (autocannon) against one worker process; bench-cnn requests carry one image over the binary tensor extension, fraud requests one row as JSON. The baseline is a bare node:http server answering a fixed body of the same size as a fraud answer. The target ratios are medians of per-round ratios, each round measuring both sides back to back; the transport floor is raw onnxruntime while a second process uploads images to the bare server (which drops them) at the rate the worker served in that round.',
    markdown: out.join('\n'),
    data: { seconds: SECONDS, roundSeconds: ROUND_SECONDS, raw, served, baseline, rounds, targets },
  };
}

const BARE_SERVER = join(CLI_ENTRY, '..', '..', 'loadtest', 'bench', 'bare-http-server.js');

interface Round {
  readonly fraudServed: number;
  readonly fraudBare: number;
  readonly cnnServed: number;
  readonly cnnRaw: number;
  readonly cnnRawUnderUploads: number;
}

/** One round: every figure of the two targets measured once, back to back. */
async function measureRound(worker: Started, bare: Started, cnn: RequestSet, fraud: RequestSet, cnnModel: string, batch: number, seconds: number): Promise<Round> {
  const at = (server: Started, path: string) => `http://127.0.0.1:${server.port}${path}`;
  const fraudServed = await closedLoop({ url: at(worker, '/v2/models/fraud/versions/1/infer'), ...fraud, connections: 64, durationSeconds: seconds, warmupSeconds: 1 });
  const fraudBare = await closedLoop({ url: at(bare, '/'), ...fraud, connections: 64, durationSeconds: seconds, warmupSeconds: 1 });
  const cnnServed = await closedLoop({ url: at(worker, '/v2/models/bench-cnn/versions/1/infer'), ...cnn, connections: 32, durationSeconds: seconds, warmupSeconds: 1 });
  const rawCnn = async () => (await rawThroughput(cnnModel, { name: 'image', rowShape: [3, 224, 224] }, [batch], { intraOpThreads: 2, seconds }))[0]!.rowsPerSecond;
  const cnnRaw = await rawCnn();
  const cnnRawUnderUploads = await whileUploading(at(bare, '/'), cnnServed.requestsPerSecond, seconds, rawCnn);
  return {
    fraudServed: fraudServed.requestsPerSecond,
    fraudBare: fraudBare.requestsPerSecond,
    cnnServed: cnnServed.requestsPerSecond,
    cnnRaw,
    cnnRawUnderUploads,
  };
}

runIfMain(import.meta.url, run, USAGE);
