import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { MemorySample, MemoryTrend } from './memory.js';
import type { OpenLoopCounts } from './open-loop.js';
import type { RunSummary, SecondStats } from './recorder.js';
import { lineChart } from './svg-chart.js';

export interface Check {
  readonly name: string;
  readonly pass: boolean;
  readonly detail: string;
}

/** Everything one `npm run loadtest` run found; written as JSON next to its Markdown and SVG. */
export interface RunReport {
  readonly scenario: string;
  readonly mode: 'open' | 'closed';
  readonly target: string;
  readonly date: string;
  readonly machine: string;
  readonly command: string;
  readonly parameters: Readonly<Record<string, string | number>>;
  readonly summary: RunSummary;
  /** Open loop only. */
  readonly counts?: OpenLoopCounts;
  readonly timeline: readonly SecondStats[];
  readonly checks: readonly Check[];
  readonly memory?: readonly MemorySample[];
  readonly memoryTrends?: readonly MemoryTrend[];
  /** Shaded windows on the chart (the spike), seconds. */
  readonly bands?: readonly { readonly from: number; readonly to: number; readonly label: string }[];
  /** A/B: outcome posts by HTTP status ("conn" when no answer came). */
  readonly outcomes?: Readonly<Record<string, number>>;
  /** A/B: what GET /v1/experiments/{id}/results answered after the run, as it came. */
  readonly experimentResults?: unknown;
  /** Lines worth reading that fit no table (the experiment's recommendation). */
  readonly notes?: readonly string[];
}

const f = (n: number, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : '-');
const pct = (share: number) => `${(share * 100).toFixed(1)} %`;

export function renderMarkdown(report: RunReport, chartFile?: string, memoryChartFile?: string): string {
  const s = report.summary;
  const lines = [
    `# Load test: ${report.scenario} (${report.mode} loop)`,
    '',
    `${report.date} on ${report.machine}, against ${report.target}.`,
    '',
    `Command: \`${report.command}\``,
    '',
    `Parameters: ${Object.entries(report.parameters).map(([k, v]) => `${k}=${v}`).join(', ')}`,
    '',
    '| requests | seconds | throughput req/s | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms |',
    '|---|---|---|---|---|---|---|---|',
    `| ${s.requests} | ${f(s.seconds, 1)} | ${f(s.throughput, 1)} | ${f(s.latency.p50)} | ${f(s.latency.p90)} | ${f(s.latency.p99)} | ${f(s.latency.p999)} | ${f(s.latency.max)} |`,
    '',
    `Errors by status: ${Object.keys(s.errors).length === 0 ? 'none' : Object.entries(s.errors).map(([k, v]) => `${k}: ${v}`).join(', ')}.`,
    '',
    `Answers by version (x-switchyard-version): ${Object.keys(s.versions).length === 0 ? 'none' : Object.entries(s.versions).map(([k, v]) => `${k}: ${pct(v)}`).join(', ')}.`,
  ];
  if (report.counts) {
    const c = report.counts;
    lines.push('', `Open loop: ${c.scheduled} arrivals scheduled, ${c.sent} sent, ${c.dropped} dropped (too many outstanding), ${c.late} late.`);
  }
  if (report.outcomes) {
    lines.push('', `Outcomes posted by status: ${Object.entries(report.outcomes).map(([k, v]) => `${k}: ${v}`).join(', ') || 'none'}.`);
  }
  if (report.notes && report.notes.length > 0) lines.push('', ...report.notes.map((n) => `- ${n}`));
  if (report.checks.length > 0) {
    lines.push('', '| check | result | detail |', '|---|---|---|', ...report.checks.map((c) => `| ${c.name} | ${c.pass ? 'pass' : 'FAIL'} | ${c.detail} |`));
  }
  if (report.memoryTrends && report.memoryTrends.length > 0) {
    lines.push('', '| process | samples | RSS first MiB | RSS last MiB | RSS slope MiB/min | heap slope MiB/min |', '|---|---|---|---|---|---|');
    for (const t of report.memoryTrends) lines.push(`| ${t.process} | ${t.samples} | ${f(t.rssFirstMiB, 1)} | ${f(t.rssLastMiB, 1)} | ${f(t.rssMiBPerMin, 3)} | ${f(t.heapMiBPerMin, 3)} |`);
  }
  for (const [alt, file] of [['latency over time', chartFile], ['answers per second', chartFile?.replace(/-latency\.svg$/, '-throughput.svg')], ['memory over time', memoryChartFile]]) {
    if (file) lines.push('', `![${alt}](${file})`);
  }
  return lines.join('\n') + '\n';
}

/** Latency over the run: p50 and p99 of the answers that arrived in each second, ms. */
export function latencyChart(report: RunReport): string {
  const t = report.timeline;
  return lineChart({
    title: `${report.scenario}: latency per second`,
    xLabel: 'seconds',
    yLabel: 'ms',
    bands: report.bands,
    series: [
      { name: 'p50', color: '#1f77b4', points: t.map((s) => [s.second, s.p50]) },
      { name: 'p99', color: '#d62728', points: t.map((s) => [s.second, s.p99]) },
    ],
  });
}

/** Answers and errors (not 2xx) per second. */
export function throughputChart(report: RunReport): string {
  const t = report.timeline;
  return lineChart({
    title: `${report.scenario}: answers per second`,
    xLabel: 'seconds',
    yLabel: 'per second',
    bands: report.bands,
    series: [
      { name: 'answers', color: '#2ca02c', points: t.map((s) => [s.second, s.requests]) },
      { name: 'errors', color: '#ff7f0e', points: t.map((s) => [s.second, s.errors]) },
    ],
  });
}

/** RSS and heap of each process over the run, MiB. */
export function memoryChart(title: string, samples: readonly MemorySample[]): string {
  const names = [...new Set(samples.map((s) => s.process))].sort();
  const colors = ['#1f77b4', '#2ca02c', '#9467bd', '#8c564b'];
  return lineChart({
    title,
    xLabel: 'seconds',
    yLabel: 'MiB',
    series: names.flatMap((name, i) => {
      const mine = samples.filter((s) => s.process === name);
      return [
        { name: `${name} RSS`, color: colors[(2 * i) % colors.length]!, points: mine.map((s) => [s.atS, s.rssBytes / 2 ** 20] as const) },
        { name: `${name} heap`, color: colors[(2 * i + 1) % colors.length]!, points: mine.map((s) => [s.atS, s.heapUsedBytes / 2 ** 20] as const) },
      ];
    }),
  });
}

/** Writes <dir>/<base>.json, .md, -latency.svg, -throughput.svg (and -memory.svg with memory samples). */
export async function writeRunReport(dir: string, base: string, report: RunReport): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const files = [join(dir, `${base}.json`), join(dir, `${base}.md`), join(dir, `${base}-latency.svg`), join(dir, `${base}-throughput.svg`)];
  await writeFile(files[0]!, JSON.stringify(report, null, 2) + '\n');
  const withMemory = report.memory !== undefined && report.memory.length > 0;
  await writeFile(files[1]!, renderMarkdown(report, `${base}-latency.svg`, withMemory ? `${base}-memory.svg` : undefined));
  await writeFile(files[2]!, latencyChart(report));
  await writeFile(files[3]!, throughputChart(report));
  if (withMemory) {
    files.push(join(dir, `${base}-memory.svg`));
    await writeFile(files[4]!, memoryChart(`${report.scenario}: memory per process`, report.memory!));
  }
  return files;
}
