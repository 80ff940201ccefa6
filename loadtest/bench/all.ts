/**
 * `npm run bench`: every area's benchmark in sequence (each in its own process, so one cannot
 * warm or load the next), then docs/BENCHMARKS.md written from their reports.
 */
import { spawnSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { REPORTS_DIR, machine } from './report.js';

interface Area {
  readonly name: string;
  readonly title: string;
  readonly script: string;
  readonly command: string;
  readonly notes: string;
}

export const AREAS: readonly Area[] = [
  {
    name: 'worker',
    title: 'Worker: served throughput against the onnxruntime ceiling, batching on and off',
    script: 'worker.js',
    command: 'npm run bench:worker',
    notes: 'The ceiling is onnxruntime in the bench process (same session options as the worker). Served figures are closed-loop clients (autocannon) against one worker process; bench-cnn requests carry one image over the binary tensor extension, fraud requests one row as JSON. The baseline is a bare node:http server answering a fixed body of the same size as a fraud answer.',
  },
  {
    name: 'gateway',
    title: 'Gateway: the cost of the proxy against direct calls and nginx',
    script: 'gateway.js',
    command: 'npm run bench:gateway',
    notes: 'Upstreams are two bare node:http servers (so the proxy is the bottleneck). The gateway route is a canary split 80/20 with metrics on; nginx runs one worker process with the same 80/20 weights and keep-alive upstreams.',
  },
  {
    name: 'experiments',
    title: 'Experiments: outcome ingestion into Redis, and the cost of exposure counting',
    script: 'experiments.js',
    command: 'npm run bench:experiments',
    notes: 'The baseline is the Redis store called directly from the bench process (same Lua script, same concurrency). The API rows post through a gateway process to the same Redis. The route rows send 1,000 users in turn to a plain route and to an experiment route on the same bare upstream; after the first pass every unit is remembered, so they show the steady state (a new unit costs one Redis call off the request path).',
  },
  {
    name: 'grpc',
    title: 'gRPC: REST/JSON vs gRPC typed vs gRPC raw, direct to a worker and through the gateway',
    script: 'grpc.js',
    command: 'npm run bench:grpc',
    notes: 'One worker process serving fraud and bench-cnn (version 1, batching on), and one gateway process routing each model to it (single backend, metrics on). REST load is autocannon; gRPC load is grpc-js unary calls from 4 channels in the bench process, messages serialized beforehand and answers not decoded. fraud: one row per request, 32 clients; bench-cnn: one 3x224x224 image per request, 8 clients.',
  },
];

const here = fileURLToPath(new URL('.', import.meta.url));

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const areas = only.length > 0 ? AREAS.filter((a) => only.includes(a.name)) : AREAS;
  for (const area of areas) {
    process.stderr.write(`[bench] ${area.command}\n`);
    const r = spawnSync(process.execPath, [join(here, area.script)], { stdio: ['ignore', 'inherit', 'inherit'] });
    if (r.status !== 0) process.stderr.write(`[bench] ${area.name} failed with exit code ${r.status}; its section keeps the last report\n`);
  }
  const sections: string[] = [];
  for (const area of AREAS) {
    const report = await readFile(join(REPORTS_DIR, `${area.name}.json`), 'utf8').then((t) => JSON.parse(t) as { date: string; machine: string; markdown: string }, () => undefined);
    sections.push(`## ${area.title}`, '', `Command: \`${area.command}\` — run ${report?.date ?? 'not yet'} on ${report?.machine ?? machine()}.`, '', area.notes, '', report?.markdown ?? '_No report yet._', '');
  }
  const doc = [
    '# Benchmarks',
    '',
    'Written by `npm run bench` from the reports under loadtest/reports/. Every figure is compared',
    'with a baseline measured in the same run on the same machine; absolute numbers move with the',
    'machine, the ratios are what to compare. The machine these ran on is shared (2 cores), so',
    'expect a few percent of noise between runs.',
    '',
    ...sections,
  ].join('\n');
  const path = resolve('docs', 'BENCHMARKS.md');
  const existing = await readFile(path, 'utf8').catch(() => '');
  const marker = '<!-- notes below are kept across runs -->';
  const kept = existing.includes(marker) ? existing.slice(existing.indexOf(marker)) : `${marker}\n`;
  await writeFile(path, doc + '\n' + kept);
  process.stderr.write(`[bench] wrote ${path}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
