/**
 * `npm run bench:worker`: what serving costs and what batching buys, on this machine.
 *  1. the ceiling: onnxruntime in this process, bench-cnn and fraud at batch 1..32/64; bench-cnn
 *     in both ways of spending two cores (one session of two threads, two sessions of one);
 *  2. the worker (a separate process) at 1, 8, 32 (and 64) closed-loop clients, batching on
 *     and off, bench-cnn (8-bit pixels) over the binary tensor extension, fraud over JSON;
 *  3. the baseline: a bare node:http server answering a fixed body, at 64 connections;
 *  4. the two targets in alternating rounds (the machine's speed drifts within a minute): each
 *     round measures fraud served and the bare server back to back, and bench-cnn served, raw,
 *     and raw while another process uploads images at the served rate to the bare server (the
 *     transport floor: what moving the bytes alone costs onnxruntime on these cores), and
 *     bench-cnn-fp32 served and raw: the same network fed float32 pixels, four times the bytes.
 *     Even rounds measure each pair in the other order (the bare server before fraud served,
 *     raw before served), so neither side of a ratio always goes second.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { closedLoop, type ClosedLoopResult } from '../harness/closed-loop.js';
import { CLI_ENTRY, startListening, workerArgs, type Started } from '../harness/processes.js';
import { median, roundRatios } from '../harness/rounds.js';
import { ensureDemoModels, withFloatPixelCnn, withoutBatching } from './demo-repository.js';
import { layoutName, rawLayoutThroughput, type RawInput, type RawLayout, type RawPoint } from './raw-onnxruntime.js';
import { whileUploading } from './transport-floor.js';
import { cnnRequests, fraudRequests, type RequestSet } from './worker-requests.js';
import { fmt, machine, table } from './report.js';
import { runIfMain, type BenchSection } from './section.js';

const USAGE = 'Usage: npm run bench:worker [-- --seconds N --rounds N --round-seconds N]\n\nMeasures raw onnxruntime, the served worker with batching on/off and a bare node:http baseline\n(N seconds per point), then the two target ratios in N alternating rounds.\nWrites loadtest/reports/worker.json.';
const progress = (line: string) => process.stderr.write(`[bench:worker] ${line}\n`);

/** bench-cnn's raw ceiling is the best of both layouts; model.yaml serves it as the second. */
const CNN_LAYOUTS: readonly RawLayout[] = [{ sessions: 1, intraOpThreads: 2 }, { sessions: 2, intraOpThreads: 1 }];
const CNN_INPUT = { name: 'image', rowShape: [3, 224, 224], type: 'uint8' } as const;
const CNN_FP32_INPUT = { name: 'image', rowShape: [3, 224, 224], type: 'float32' } as const;

interface RawSweep {
  readonly model: string;
  readonly layout: RawLayout;
  readonly points: RawPoint[];
}

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
  const cnnModel = join(repo, 'bench-cnn', '1', 'model.onnx');
  const raw: RawSweep[] = [];
  for (const layout of CNN_LAYOUTS) {
    progress(`raw onnxruntime: bench-cnn, ${layoutName(layout)}`);
    raw.push({ model: 'bench-cnn', layout, points: await rawLayoutThroughput(cnnModel, CNN_INPUT, [1, 2, 4, 8, 16, 32], layout, SECONDS / 2) });
  }
  const fraudLayout = { sessions: 1, intraOpThreads: 1 };
  progress(`raw onnxruntime: fraud, ${layoutName(fraudLayout)} (as its model.yaml)`);
  raw.push({ model: 'fraud', layout: fraudLayout, points: await rawLayoutThroughput(join(repo, 'fraud', '1', 'model.onnx'), { name: 'input', rowShape: [30] }, [1, 8, 32, 64], fraudLayout, SECONDS / 2) });

  const served: ServedPoint[] = [];
  const cnn = cnnRequests(4);
  const cnnFp32 = cnnRequests(4, 'float32');
  const fraud = fraudRequests(64);
  const scratch: string[] = [];
  for (const batching of [true, false]) {
    const dir = batching ? repo : await withoutBatching(repo);
    if (!batching) scratch.push(dir);
    const worker = await startListening(workerArgs(['--models', dir, '--http-port', '0', '--host', '127.0.0.1']), 'httpPort');
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

  const ceiling = raw.filter((r) => r.model === 'bench-cnn')
    .flatMap(({ layout, points }) => points.map((point) => ({ layout, point })))
    .reduce((a, b) => (b.point.rowsPerSecond > a.point.rowsPerSecond ? b : a));
  const ceilingName = `${layoutName(ceiling.layout)} at batch ${ceiling.point.batch}`;
  const withFp32 = await withFloatPixelCnn(repo);
  scratch.push(withFp32);
  const cnnFp32Model = join(withFp32, 'bench-cnn-fp32', '1', 'model.onnx');
  const worker = await startListening(workerArgs(['--models', withFp32, '--http-port', '0', '--host', '127.0.0.1']), 'httpPort');
  // Raw onnxruntime at the ceiling's layout and batch, for a model and its input.
  const rawAt = (model: string, input: RawInput) => async () => (await rawLayoutThroughput(model, input, [ceiling.point.batch], ceiling.layout, ROUND_SECONDS))[0]!.rowsPerSecond;
  const raws = { cnn: rawAt(cnnModel, CNN_INPUT), cnnFp32: rawAt(cnnFp32Model, CNN_FP32_INPUT) };
  const rounds: Round[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    progress(`round ${round}/${ROUNDS}: fraud served and bare, bench-cnn served, raw (${ceilingName}) and raw under uploads, bench-cnn-fp32 served and raw, ${ROUND_SECONDS} s each`);
    rounds.push(await measureRound(worker, bare, { cnn, cnnFp32, fraud }, raws, ROUND_SECONDS, round % 2 === 0));
  }
  await worker.stop();
  await bare.stop();
  await Promise.all(scratch.map((dir) => rm(dir, { recursive: true, force: true })));

  const find = (model: string, batching: boolean, c: number) => served.find((s) => s.model === model && s.batching === batching && s.connections === c)!;
  const cnnServed = find('bench-cnn', true, 32).requestsPerSecond;
  const fraud64 = find('fraud', true, 64).requestsPerSecond;
  const column = (key: keyof Round) => rounds.map((r) => r[key]);
  const cnnOverRaw = roundRatios(column('cnnServed'), column('cnnRaw'));
  const floorOverRaw = roundRatios(column('cnnRawUnderUploads'), column('cnnRaw'));
  const cnnOverFloor = roundRatios(column('cnnServed'), column('cnnRawUnderUploads'));
  const fraudOverBare = roundRatios(column('fraudServed'), column('fraudBare'));
  const fp32OverRaw = roundRatios(column('cnnFp32Served'), column('cnnFp32Raw'));
  const targets = {
    cnnServedOverCeiling: median(cnnOverRaw),
    fraudOverBareHttp: median(fraudOverBare),
    transportFloorOverCeiling: median(floorOverRaw),
    cnnServedOverTransportFloor: median(cnnOverFloor),
    cnnFp32ServedOverRaw: median(fp32OverRaw),
    cnnBatchingGain: cnnServed / find('bench-cnn', false, 32).requestsPerSecond,
    fraudBatchingGain: fraud64 / find('fraud', false, 64).requestsPerSecond,
  };
  const spread = (sorted: readonly number[]) => `${fmt(sorted[0]!, 3)}-${fmt(sorted[sorted.length - 1]!, 3)}`;

  const out: string[] = [];
  out.push(`Machine: ${machine()}; ${SECONDS} s per point after 1 s warm-up.`, '');
  out.push('Raw onnxruntime in one process (the ceiling):', '');
  out.push(table(['model', 'layout', 'batch', 'rows/s', 'ms/batch'], raw.flatMap(({ model, layout, points }) => points.map((p) => [model, layoutName(layout), String(p.batch), fmt(p.rowsPerSecond), fmt(p.msPerBatch, 2)]))), '');
  out.push('Served by the worker (closed loop, one row per request):', '');
  out.push(table(['model', 'batching', 'clients', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'errors'], served.map((s) => [
    s.model, s.batching ? 'on' : 'off', String(s.connections), fmt(s.requestsPerSecond), fmt(s.latency.p50, 2), fmt(s.latency.p95, 2), fmt(s.latency.p99, 2), JSON.stringify(s.errors),
  ])), '');
  out.push(`Baseline bare node:http at 64 connections: ${fmt(baseline.requestsPerSecond)} req/s, p50 ${fmt(baseline.latency.p50, 2)} ms, p99 ${fmt(baseline.latency.p99, 2)} ms`, '');
  out.push(`Rounds (${ROUNDS}, ${ROUND_SECONDS} s per measurement; raw bench-cnn as ${ceilingName}, the sweep's best):`, '');
  out.push(table(['round', 'fraud served req/s', 'bare req/s', 'bench-cnn served img/s', 'raw img/s', 'raw under uploads img/s', 'fp32 served img/s', 'fp32 raw img/s'], rounds.map((r, i) => [
    String(i + 1), fmt(r.fraudServed), fmt(r.fraudBare), fmt(r.cnnServed), fmt(r.cnnRaw), fmt(r.cnnRawUnderUploads), fmt(r.cnnFp32Served), fmt(r.cnnFp32Raw),
  ])), '');
  out.push('Ratios (medians of per-round ratios):', '');
  out.push(table(['figure', 'value', 'rounds min-max', 'target'], [
    ['bench-cnn served at 32 clients / raw ceiling', fmt(targets.cnnServedOverCeiling, 3), spread(cnnOverRaw), '>= 0.9'],
    ['fraud JSON at 64 connections / bare node:http', fmt(targets.fraudOverBareHttp, 3), spread(fraudOverBare), '>= 0.3'],
    ['transport floor: raw while images upload to a bare server / raw', fmt(targets.transportFloorOverCeiling, 3), spread(floorOverRaw), 'reported'],
    ['bench-cnn served / transport floor', fmt(targets.cnnServedOverTransportFloor, 3), spread(cnnOverFloor), 'reported'],
    ['bench-cnn-fp32 (float32 pixels, 4x the bytes) served at 32 clients / its raw', fmt(targets.cnnFp32ServedOverRaw, 3), spread(fp32OverRaw), 'reported'],
    ['bench-cnn batching on / off at 32 clients (sweep)', fmt(targets.cnnBatchingGain, 2), '', 'reported'],
    ['fraud batching on / off at 64 connections (sweep)', fmt(targets.fraudBatchingGain, 2), '', 'reported'],
  ]));
  return {
    name: 'worker',
    title: 'Worker: served throughput against the onnxruntime ceiling, batching on and off',
    command: 'npm run bench:worker',
    notes: 'The ceiling is onnxruntime in the bench process (same session options as the worker), the best point of both layouts for bench-cnn (several sessions run in worker_threads of the bench process). Served figures are closed-loop clients (autocannon) against one worker process; bench-cnn requests carry one image of 8-bit pixels (150 KB) over the binary tensor extension, fraud requests one row as JSON. bench-cnn-fp32 is the same network taking float32 pixels (602 KB an image), served by the same worker in the rounds and measured raw with the ceiling\'s layout and batch. The baseline is a bare node:http server answering a fixed body of the same size as a fraud answer. The target ratios are medians of per-round ratios, each round measuring both sides back to back (even rounds in the other order); the transport floor is raw onnxruntime while a second process uploads images to the bare server (which drops them) at the rate the worker served in that round.',
    markdown: out.join('\n'),
    data: { seconds: SECONDS, roundSeconds: ROUND_SECONDS, raw, ceiling: { layout: ceiling.layout, ...ceiling.point }, served, baseline, rounds, targets },
  };
}

const BARE_SERVER = join(CLI_ENTRY, '..', '..', 'loadtest', 'bench', 'bare-http-server.js');

interface Round {
  readonly fraudServed: number;
  readonly fraudBare: number;
  readonly cnnServed: number;
  readonly cnnRaw: number;
  readonly cnnRawUnderUploads: number;
  readonly cnnFp32Served: number;
  readonly cnnFp32Raw: number;
}

/**
 * One round: every figure of the two targets, and bench-cnn-fp32's, measured once, back to
 * back; `reversed` measures the second of each pair first. The transport floor always comes
 * after bench-cnn served, whose rate it replays.
 */
async function measureRound(
  worker: Started,
  bare: Started,
  requests: { cnn: RequestSet; cnnFp32: RequestSet; fraud: RequestSet },
  raw: { cnn: () => Promise<number>; cnnFp32: () => Promise<number> },
  seconds: number,
  reversed: boolean,
): Promise<Round> {
  const { cnn, cnnFp32, fraud } = requests;
  const at = (server: Started, path: string) => `http://127.0.0.1:${server.port}${path}`;
  const pair = async <A, B>(first: () => Promise<A>, second: () => Promise<B>): Promise<[A, B]> => {
    if (!reversed) {
      const a = await first();
      return [a, await second()];
    }
    const b = await second();
    return [await first(), b];
  };
  const [fraudServed, fraudBare] = await pair(
    () => closedLoop({ url: at(worker, '/v2/models/fraud/versions/1/infer'), ...fraud, connections: 64, durationSeconds: seconds, warmupSeconds: 1 }),
    () => closedLoop({ url: at(bare, '/'), ...fraud, connections: 64, durationSeconds: seconds, warmupSeconds: 1 }),
  );
  const [cnnServed, cnnRaw] = await pair(
    () => closedLoop({ url: at(worker, '/v2/models/bench-cnn/versions/1/infer'), ...cnn, connections: 32, durationSeconds: seconds, warmupSeconds: 1 }),
    raw.cnn,
  );
  const cnnRawUnderUploads = await whileUploading(at(bare, '/'), cnnServed.requestsPerSecond, seconds, raw.cnn);
  const [cnnFp32Served, cnnFp32Raw] = await pair(
    () => closedLoop({ url: at(worker, '/v2/models/bench-cnn-fp32/versions/1/infer'), ...cnnFp32, connections: 32, durationSeconds: seconds, warmupSeconds: 1 }),
    raw.cnnFp32,
  );
  return {
    fraudServed: fraudServed.requestsPerSecond,
    fraudBare: fraudBare.requestsPerSecond,
    cnnServed: cnnServed.requestsPerSecond,
    cnnRaw,
    cnnRawUnderUploads,
    cnnFp32Served: cnnFp32Served.requestsPerSecond,
    cnnFp32Raw,
  };
}

runIfMain(import.meta.url, run, USAGE);
