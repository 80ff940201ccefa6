/**
 * `npm run bench:grpc`: one worker (fraud and bench-cnn) called over REST/JSON, gRPC with typed
 * `contents` and gRPC with `raw_input_contents`, each directly and through the gateway, in one
 * run: throughput and p50/p99 per combination, and the gateway/direct and gRPC/REST ratios.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { inferenceService } from '../../protocol/grpc/load.js';
import { encodeGrpcInferRequest } from '../../protocol/grpc/infer-request.js';
import type { ModelInferRequestMessage } from '../../protocol/grpc/messages.js';
import { generateTransactions } from '../../worker/demo-models/build.js';
import { closedLoop, type ClosedLoopResult } from '../harness/closed-loop.js';
import { grpcClosedLoop } from '../harness/grpc-closed-loop.js';
import { CLI_ENTRY, startListening, workerArgs } from '../harness/processes.js';
import { ensureDemoModels } from './demo-repository.js';
import { fmt, machine, table } from './report.js';
import { runIfMain, type BenchSection } from './section.js';

const USAGE = 'Usage: npm run bench:grpc [-- --seconds N]\n\nREST/JSON vs gRPC typed vs gRPC raw, direct to one worker and through the gateway, for fraud and bench-cnn.\nWrites loadtest/reports/grpc.json.';
let SECONDS = 3;
const progress = (line: string) => process.stderr.write(`[bench:grpc] ${line}\n`);
const INFER = inferenceService().service.ModelInfer!;

interface Workload {
  readonly model: string;
  readonly concurrency: number;
  readonly json: Buffer[];
  readonly typed: Buffer[];
  readonly raw: Buffer[];
}

/** One model's requests in the three encodings: FP32 rows, or UINT8 (bench-cnn's pixels). */
function workload(model: string, concurrency: number, inputName: string, rowShape: number[], rows: number[][], datatype: 'FP32' | 'UINT8' = 'FP32'): Workload {
  const head = { model_name: model, model_version: '1' };
  const input = { name: inputName, datatype, shape: [1, ...rowShape] };
  const contents = (row: number[]) => (datatype === 'FP32' ? { fp32_contents: row } : { uint_contents: row });
  const typed = (row: number[]): ModelInferRequestMessage => ({ ...head, inputs: [{ ...input, contents: contents(row) }] });
  const raw = (row: number[]) => encodeGrpcInferRequest(head, [{ ...input, data: datatype === 'FP32' ? new Float32Array(row) : new Uint8Array(row) }], { raw: true });
  return {
    model, concurrency,
    json: rows.map((row) => Buffer.from(JSON.stringify({ inputs: [{ ...input, data: row }] }))),
    typed: rows.map((row) => INFER.requestSerialize(typed(row))),
    raw: rows.map((row) => INFER.requestSerialize(raw(row))),
  };
}

/** A deterministic image of 8-bit pixels. */
function image(seed: number): number[] {
  let x = seed * 2654435761 % 2 ** 32;
  return Array.from({ length: 3 * 224 * 224 }, () => {
    x = (x * 1664525 + 1013904223) % 2 ** 32;
    return Math.floor((x / 2 ** 32) * 256);
  });
}

export async function run(argv: readonly string[]): Promise<BenchSection> {
  SECONDS = Number(parseArgs({ args: [...argv], options: { seconds: { type: 'string', default: '3' } } }).values.seconds);
  progress(`machine: ${machine()}`);
  const repo = await ensureDemoModels();
  const worker = await startListening(workerArgs(['--models', repo, '--http-port', '0', '--grpc-port', '0', '--host', '127.0.0.1']), 'httpPort');
  const workerGrpc = `127.0.0.1:${worker.line.grpcPort as number}`;
  const dir = await mkdtemp(join(tmpdir(), 'switchyard-bench-grpc-'));
  const configPath = join(dir, 'gateway.yaml');
  await writeFile(configPath, `listeners:
  http: { host: 127.0.0.1, port: 0 }
  grpc: { host: 127.0.0.1, port: 0 }
  admin: { host: 127.0.0.1, port: 0 }
limits: { maxBodyBytes: 16MiB }
pools:
  cpu: { models: ${repo}, endpoints: [http://127.0.0.1:${worker.port}], grpcEndpoints: [${workerGrpc}] }
backends:
  fraud-v1: { pool: cpu, model: fraud, version: "1" }
  cnn-v1: { pool: cpu, model: bench-cnn, version: "1" }
routes:
  - { name: fraud, match: { pathPrefix: /v2/models/fraud }, backend: fraud-v1 }
  - { name: cnn, match: { pathPrefix: /v2/models/bench-cnn }, backend: cnn-v1 }
`);
  const gateway = await startListening([CLI_ENTRY, 'gateway', '-c', configPath], 'httpPort');
  const gatewayGrpc = `127.0.0.1:${gateway.line.grpcPort as number}`;

  const workloads = [
    workload('fraud', 32, 'input', [30], generateTransactions(64, { seed: 5 })),
    workload('bench-cnn', 8, 'image', [3, 224, 224], [image(1), image(2)], 'UINT8'),
  ];
  const results: { model: string; protocol: string; path: string; result: ClosedLoopResult }[] = [];
  try {
    for (const w of workloads) {
      const targets = [
        { path: 'direct', http: `http://127.0.0.1:${worker.port}/v2/models/${w.model}/versions/1/infer`, grpc: workerGrpc },
        { path: 'gateway', http: `http://127.0.0.1:${gateway.port}/v2/models/${w.model}/infer`, grpc: gatewayGrpc },
      ];
      for (const t of targets) {
        progress(`${w.model} REST/JSON ${t.path}, ${w.concurrency} clients`);
        results.push({ model: w.model, protocol: 'REST/JSON', path: t.path, result: await closedLoop({ url: t.http, headers: { 'content-type': 'application/json' }, bodies: w.json, connections: w.concurrency, durationSeconds: SECONDS, warmupSeconds: 1 }) });
        for (const [protocol, messages] of [['gRPC typed', w.typed], ['gRPC raw', w.raw]] as const) {
          progress(`${w.model} ${protocol} ${t.path}, ${w.concurrency} clients`);
          results.push({ model: w.model, protocol, path: t.path, result: await grpcClosedLoop({ address: t.grpc, method: INFER.path, messages, concurrency: w.concurrency, durationSeconds: SECONDS, warmupSeconds: 1 }) });
        }
      }
    }
  } finally {
    await gateway.stop();
    await worker.stop();
  }

  const find = (model: string, protocol: string, path: string) => results.find((r) => r.model === model && r.protocol === protocol && r.path === path)!.result;
  const rows = results.map(({ model, protocol, path, result: r }) => [
    model, protocol, path, String(r.connections), fmt(r.requestsPerSecond), fmt(r.latency.p50, 2), fmt(r.latency.p99, 2), JSON.stringify(r.errors),
  ]);
  const ratios: Record<string, number> = {};
  const ratioRows: string[][] = [];
  for (const w of workloads) {
    for (const protocol of ['REST/JSON', 'gRPC typed', 'gRPC raw']) {
      const r = find(w.model, protocol, 'gateway').requestsPerSecond / find(w.model, protocol, 'direct').requestsPerSecond;
      ratios[`${w.model} ${protocol} gateway/direct`] = r;
      ratioRows.push([`${w.model}: ${protocol} through the gateway / direct`, fmt(r, 3)]);
    }
    for (const protocol of ['gRPC typed', 'gRPC raw']) {
      const r = find(w.model, protocol, 'gateway').requestsPerSecond / find(w.model, 'REST/JSON', 'gateway').requestsPerSecond;
      ratios[`${w.model} ${protocol}/REST through the gateway`] = r;
      ratioRows.push([`${w.model}: ${protocol} / REST/JSON, through the gateway`, fmt(r, 3)]);
    }
  }
  const out = [
    `Machine: ${machine()}; ${SECONDS} s per run after 1 s warm-up; closed loop (fraud 32 clients, bench-cnn 8); gRPC load from 4 channels in the bench process.`,
    '',
    table(['model', 'protocol', 'path', 'clients', 'req/s', 'p50 ms', 'p99 ms', 'errors'], rows),
    '',
    table(['figure', 'value'], ratioRows),
  ];
  return {
    name: 'grpc',
    title: 'gRPC: REST/JSON vs gRPC typed vs gRPC raw, direct to a worker and through the gateway',
    command: 'npm run bench:grpc',
    notes: 'One worker process serving fraud and bench-cnn (version 1, batching on), and one gateway process routing each model to it (single backend, metrics on). REST load is autocannon; gRPC load is grpc-js unary calls from 4 channels in the bench process, messages serialized beforehand and answers not decoded. fraud: one row per request, 32 clients; bench-cnn: one 3x224x224 image of 8-bit pixels per request (150,528 values), 8 clients.',
    markdown: out.join('\n'),
    data: { seconds: SECONDS, results, ratios },
  };
}

runIfMain(import.meta.url, run, USAGE);
