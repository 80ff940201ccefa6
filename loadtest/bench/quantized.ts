/**
 * `npm run bench:quantized`: bench-cnn FP32 against bench-cnn-int8 (the same network, QDQ
 * static INT8, built by `switchyard models build`):
 *  1. raw onnxruntime throughput of each at batch 1 and 8 (one session of 2 intra-op threads);
 *  2. served throughput of each through one worker at 8 closed-loop clients;
 *  3. output agreement on 64 seeded images that were not used for calibration: top-1
 *     agreement and the largest and mean absolute difference of the probabilities.
 */
import { mkdtemp, stat, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import ort from 'onnxruntime-node';
import { calibrationImages } from '../../worker/demo-models/bench-cnn-int8.js';
import { buildDemoModels } from '../../worker/demo-models/build.js';
import { closedLoop, type ClosedLoopResult } from '../harness/closed-loop.js';
import { startListening, workerArgs } from '../harness/processes.js';
import { ensureDemoModels } from './demo-repository.js';
import { rawThroughput, type RawPoint } from './raw-onnxruntime.js';
import { imageRequests } from './worker-requests.js';
import { fmt, machine, saveReport, table } from './report.js';

const { values: args } = parseArgs({ options: { seconds: { type: 'string', default: '3' }, help: { type: 'boolean' } } });
if (args.help) {
  process.stdout.write('Usage: npm run bench:quantized [-- --seconds N]\n\nCompares bench-cnn FP32 with bench-cnn-int8: raw and served throughput, output agreement.\nWrites loadtest/reports/quantized.json.\n');
  process.exit(0);
}
const SECONDS = Number(args.seconds);
const AGREEMENT_IMAGES = 64;
/** Not the calibration seed, so agreement is measured on images the quantizer never saw. */
const AGREEMENT_SEED = 777;
const MODELS = ['bench-cnn', 'bench-cnn-int8'] as const;
const progress = (line: string) => process.stderr.write(`[bench:quantized] ${line}\n`);

export interface Agreement { readonly images: number; readonly top1Agreement: number; readonly maxAbsDiff: number; readonly meanAbsDiff: number }

/** Top-1 agreement and absolute differences of two [n, classes] probability tensors. */
export function agreement(a: Float32Array, b: Float32Array, classes: number): Agreement {
  const images = a.length / classes;
  let same = 0;
  let max = 0;
  let sum = 0;
  for (let i = 0; i < images; i++) {
    let ia = 0;
    let ib = 0;
    for (let k = 0; k < classes; k++) {
      const x = a[i * classes + k]!;
      const y = b[i * classes + k]!;
      if (x > a[i * classes + ia]!) ia = k;
      if (y > b[i * classes + ib]!) ib = k;
      const d = Math.abs(x - y);
      max = Math.max(max, d);
      sum += d;
    }
    if (ia === ib) same++;
  }
  return { images, top1Agreement: same / images, maxAbsDiff: max, meanAbsDiff: sum / a.length };
}

async function outputs(path: string, images: Uint8Array): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(path, { intraOpNumThreads: 2, interOpNumThreads: 1 });
  try {
    const out = new Float32Array(AGREEMENT_IMAGES * 10);
    // Batches of 8 keep memory small; the answers do not depend on the batch.
    for (let i = 0; i < AGREEMENT_IMAGES; i += 8) {
      const batch = images.subarray(i * 3 * 224 * 224, (i + 8) * 3 * 224 * 224);
      const r = await session.run({ image: new ort.Tensor('uint8', batch, [8, 3, 224, 224]) });
      out.set(r.probabilities!.data as Float32Array, i * 10);
    }
    return out;
  } finally {
    await session.release();
  }
}

async function main(): Promise<void> {
  progress(`machine: ${machine()}`);
  const repo = await ensureDemoModels();
  // A ./models built before bench-cnn-int8 existed: add just that model.
  if (!(await stat(join(repo, 'bench-cnn-int8', '1', 'model.onnx')).then(() => true, () => false))) {
    await buildDemoModels(repo, { only: ['bench-cnn-int8'], log: (l) => progress(l) });
  }
  const raw: Record<string, RawPoint[]> = {};
  for (const model of MODELS) {
    progress(`raw onnxruntime: ${model}`);
    raw[model] = await rawThroughput(join(repo, model, '1', 'model.onnx'), { name: 'image', rowShape: [3, 224, 224], type: 'uint8' }, [1, 8], { intraOpThreads: 2, seconds: SECONDS });
  }
  progress(`agreement on ${AGREEMENT_IMAGES} images`);
  const images = calibrationImages(AGREEMENT_IMAGES, AGREEMENT_SEED);
  const fp32 = await outputs(join(repo, 'bench-cnn', '1', 'model.onnx'), images);
  const int8 = await outputs(join(repo, 'bench-cnn-int8', '1', 'model.onnx'), images);
  const agreed = agreement(fp32, int8, 10);

  const served: (ClosedLoopResult & { model: string })[] = [];
  const bodies = imageRequests(Array.from({ length: 4 }, (_, k) => calibrationImages(1, 1000 + k)));
  for (const model of MODELS) {
    const only = await onlyModel(repo, model);
    const worker = await startListening(workerArgs(['--models', only, '--http-port', '0', '--host', '127.0.0.1']), 'httpPort');
    progress(`served ${model}, 8 clients`);
    served.push({ model, ...(await closedLoop({ url: `http://127.0.0.1:${worker.port}/v2/models/${model}/infer`, ...bodies, connections: 8, durationSeconds: SECONDS, warmupSeconds: 1 })) });
    await worker.stop();
  }

  const out: string[] = [`Machine: ${machine()}; ${SECONDS} s per point.`, ''];
  out.push(table(['model', 'raw b1 img/s', 'raw b8 img/s', 'served 8 clients req/s', 'p50 ms', 'p99 ms', 'errors'], MODELS.map((m) => {
    const s = served.find((x) => x.model === m)!;
    return [m, fmt(raw[m]![0]!.rowsPerSecond), fmt(raw[m]![1]!.rowsPerSecond), fmt(s.requestsPerSecond), fmt(s.latency.p50, 1), fmt(s.latency.p99, 1), JSON.stringify(s.errors)];
  })), '');
  out.push(`Output agreement on ${agreed.images} unseen images: top-1 ${fmt(100 * agreed.top1Agreement)}%, max |Δp| ${agreed.maxAbsDiff.toExponential(2)}, mean |Δp| ${agreed.meanAbsDiff.toExponential(2)}`);
  process.stdout.write(out.join('\n') + '\n');
  const path = await saveReport('quantized', { seconds: SECONDS, raw, served, agreement: agreed, markdown: out.join('\n') });
  progress(`wrote ${path}`);
}

/** A repository holding one model (a symlink), so a worker loads only what is measured. */
async function onlyModel(repo: string, model: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'switchyard-bench-q-'));
  await symlink(join(repo, model), join(dir, model));
  return dir;
}

if (process.argv[1]?.endsWith('quantized.js')) {
  main().catch((err: unknown) => {
    process.stderr.write(`bench:quantized failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}
