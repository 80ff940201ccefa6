/**
 * `npm run loadtest -- <scenario> [options]`: the k6 scenarios driven from Node, open loop at a
 * fixed arrival rate (undici) or closed loop (autocannon), against a stack it starts itself
 * or one already running (--url). Writes JSON, Markdown and SVG charts to loadtest/reports/.
 */
import { parseArgs } from 'node:util';
import { machine, REPORTS_DIR } from '../bench/report.js';
import { MemorySampler, memoryTrends } from '../harness/memory.js';
import type { Check, RunReport } from '../harness/run-report.js';
import { writeRunReport } from '../harness/run-report.js';
import { startStack, type RunningStack } from '../harness/stack.js';
import { execute } from './execute.js';
import { parseDuration, spikeProfile, spikeSeconds } from './profiles.js';
import { buildScenario, SCENARIOS, type ScenarioName } from './scenarios.js';

export const USAGE = `Usage: npm run loadtest -- <scenario> [options]

Scenarios (the same as loadtest/k6/*.ts):
  steady   a fixed arrival rate for --duration
  spike    --rate, a climb to --spike-factor × rate, hold, back down (open loop only)
  soak     steady for --duration (default 10m), recording every process's memory
  canary   steady with no unit; checks the share answered by --canary-version
  ab       units in x-user-id through an experiment route, posting an outcome per answer

Target:
  --url URL             a running gateway (default: start switchyard up on free ports)
  --admin-url URL       its admin listener (default http://127.0.0.1:9901 with --url)
  --model NAME          fraud | iris | bench-cnn (binary images; default fraud)
  --header NAME:VALUE   an extra request header (repeatable)

Load:
  --rate N              arrivals per second (default 50)
  --duration D          30s, 10m, 2h (default 30s; soak 10m)
  --closed N            closed loop: N connections send back to back (autocannon)
  --max-outstanding N   open loop: requests in flight at most; more are dropped (default 256)
  --spike-factor N      peak = N × rate (default 10)
  --spike-before D, --spike-ramp D, --spike-hold D, --spike-after D   (20s, 5s, 20s, 20s)

Checks (exit 1 when one fails):
  --max-error-rate R    share of answers that are not 2xx (default 0.01; spike 0.5)
  --p99-ms N            p99 latency bound (default 250)
  --timeout S           a request with no answer after S seconds counts as "timeout" (default 10)
  --canary-version V    (default 2)   --canary-weight P   percent (default 20)
  --tolerance PP        percentage points around the weight (default: 4 standard errors
                        for the number of answers, e.g. 2.9 at 20 % over 3,000)
  --max-rss-slope N     soak: RSS growth after warm-up, MiB/min (default 1)

A/B:
  --experiment ID (default loadtest-ab), --units N (1000), --metric NAME (clicked),
  --base-rate P (0.1), --lift P (0.02)

Memory and output:
  --memory-every S      scrape /metrics every S seconds (default 10; 0 = off)
  --warmup S            memory trend ignores the first S seconds (default: a third of the
                        run, at most 180: the heap grows to its working size first)
  --out DIR             report folder (default loadtest/reports)
  -h, --help            this text`;

const OPTIONS = {
  url: { type: 'string' }, 'admin-url': { type: 'string' }, model: { type: 'string', default: 'fraud' }, header: { type: 'string', multiple: true },
  rate: { type: 'string', default: '50' }, duration: { type: 'string' }, closed: { type: 'string' }, 'max-outstanding': { type: 'string', default: '256' },
  'spike-factor': { type: 'string', default: '10' }, 'spike-before': { type: 'string', default: '20s' }, 'spike-ramp': { type: 'string', default: '5s' },
  'spike-hold': { type: 'string', default: '20s' }, 'spike-after': { type: 'string', default: '20s' },
  'max-error-rate': { type: 'string' }, 'p99-ms': { type: 'string', default: '250' }, timeout: { type: 'string', default: '10' }, 'canary-version': { type: 'string', default: '2' },
  'canary-weight': { type: 'string', default: '20' }, tolerance: { type: 'string' }, 'max-rss-slope': { type: 'string', default: '1' },
  experiment: { type: 'string', default: 'loadtest-ab' }, units: { type: 'string', default: '1000' }, metric: { type: 'string', default: 'clicked' },
  'base-rate': { type: 'string', default: '0.1' }, lift: { type: 'string', default: '0.02' },
  'memory-every': { type: 'string', default: '10' }, warmup: { type: 'string' }, out: { type: 'string' }, help: { type: 'boolean', short: 'h' },
} as const;

function num(values: Record<string, unknown>, name: string): number {
  const n = Number(values[name]);
  if (!Number.isFinite(n)) throw new Error(`--${name} must be a number, received '${String(values[name])}'`);
  return n;
}

const progress = (line: string) => process.stderr.write(`[loadtest] ${line}\n`);

async function readResults(url: string): Promise<unknown> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
    return { status: res.status, body: (await res.json()) as unknown };
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
}

/** One line from the results API's answer: exposures per variant and the recommendation. */
function describeResults(results: unknown): string {
  const body = (results as { body?: { variants?: { name: string; exposures: number }[]; recommendation?: { action: string; reason: string } } }).body;
  if (!body?.recommendation) return `experiment results: not available (${JSON.stringify(results).slice(0, 200)})`;
  const exposures = (body.variants ?? []).map((v) => `${v.name} ${v.exposures}`).join(', ');
  return `experiment results: exposures ${exposures}; recommendation: ${body.recommendation.action} (${body.recommendation.reason})`;
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({ options: OPTIONS, allowPositionals: true, strict: true });
  if (values.help || positionals.length === 0) {
    process.stdout.write(USAGE + '\n');
    return values.help ? 0 : 2;
  }
  const name = positionals[0] as ScenarioName;
  if (!SCENARIOS.includes(name)) throw new Error(`unknown scenario '${positionals[0]}'; one of ${SCENARIOS.join(', ')}`);
  const closed = values.closed === undefined ? undefined : num(values, 'closed');
  if (name === 'spike' && closed !== undefined) throw new Error('spike is open loop only: a closed loop cannot raise its own arrival rate');
  if (name === 'ab' && closed !== undefined) throw new Error('ab is open loop only: each unit needs its own header and an outcome posted after its answer');
  const rate = num(values, 'rate');
  const spike = { before: parseDuration(values['spike-before']), ramp: parseDuration(values['spike-ramp']), hold: parseDuration(values['spike-hold']), after: parseDuration(values['spike-after']) };
  const factor = num(values, 'spike-factor');
  const durationS = name === 'spike' ? spikeSeconds(spike) : parseDuration(values.duration ?? (name === 'soak' ? '10m' : '30s'));
  const canaryWeight = num(values, 'canary-weight');

  let stack: RunningStack | undefined;
  if (values.url === undefined) {
    progress('starting switchyard up on free ports');
    stack = await startStack({ canaryWeight, log: progress });
  }
  const url = values.url ?? stack!.url;
  const adminUrl = values['admin-url'] ?? stack?.adminUrl ?? 'http://127.0.0.1:9901';
  try {
    const scenario = buildScenario(name, {
      model: values.model, adminUrl, ownStack: stack !== undefined, extraHeaders: values.header ?? [],
      experiment: values.experiment, units: num(values, 'units'), metric: values.metric, baseRate: num(values, 'base-rate'), lift: num(values, 'lift'),
    });
    const memoryEvery = num(values, 'memory-every');
    const targets = [{ name: 'gateway', metricsUrl: `${adminUrl}/metrics` }, ...(stack?.workers ?? []).map((w, i) => ({ name: `worker${i}`, metricsUrl: `${w}/metrics` }))];
    const sampler = memoryEvery > 0 ? new MemorySampler(targets) : undefined;
    sampler?.start(memoryEvery);
    progress(`${name}: ${closed !== undefined ? `closed loop, ${closed} connections` : name === 'spike' ? `open loop, ${rate}/s → ${rate * factor}/s` : `open loop, ${rate}/s`} for ${durationS} s against ${url}`);
    const run = await execute({
      url,
      durationS,
      shape: closed !== undefined
        ? { kind: 'closed', connections: closed }
        : { kind: 'open', rate: name === 'spike' ? spikeProfile(rate, factor, spike) : () => rate, maxOutstanding: num(values, 'max-outstanding'), timeoutMs: num(values, 'timeout') * 1000 },
      request: scenario.request,
      after: scenario.after,
      progress,
    });
    await sampler?.stop();
    const summary = run.recorder.summary(run.seconds);

    const checks: Check[] = [];
    const answered = summary.requests;
    const failed = Object.values(summary.errors).reduce((a, b) => a + b, 0);
    const maxErrorRate = values['max-error-rate'] === undefined ? (name === 'spike' ? 0.5 : 0.01) : num(values, 'max-error-rate');
    checks.push({ name: 'error rate', pass: answered > 0 && failed / answered <= maxErrorRate, detail: `${failed} of ${answered} not 2xx (${((failed / Math.max(1, answered)) * 100).toFixed(2)} %), bound ${maxErrorRate * 100} %` });
    const okLatencies = run.recorder.samples.filter((s) => s.status >= 200 && s.status < 300).map((s) => s.latencyMs).sort((a, b) => a - b);
    const p99 = okLatencies[Math.max(0, Math.ceil(0.99 * okLatencies.length) - 1)] ?? NaN;
    checks.push({ name: 'p99 of 2xx answers', pass: p99 <= num(values, 'p99-ms'), detail: `${p99.toFixed(2)} ms, bound ${values['p99-ms']} ms` });
    if (name === 'spike') checks.push({ name: 'no connection errors (nothing crashed)', pass: (summary.errors.conn ?? 0) === 0, detail: `${summary.errors.conn ?? 0} connections failed, ${summary.errors.timeout ?? 0} requests timed out` });
    if (name === 'canary') {
      const share = (summary.versions[values['canary-version']] ?? 0) * 100;
      const ok = answered - failed;
      // Default: four standard errors of a share of canaryWeight % over `ok` random splits, so
      // a correct split fails this about once in 16,000 runs whatever the run's length.
      const p = canaryWeight / 100;
      const tol = values.tolerance === undefined ? Math.max(0.5, 400 * Math.sqrt((p * (1 - p)) / Math.max(1, ok))) : num(values, 'tolerance');
      checks.push({ name: `share of version ${values['canary-version']}`, pass: Math.abs(share - canaryWeight) <= tol, detail: `${share.toFixed(2)} % of ${ok} answers, ${canaryWeight} ± ${tol.toFixed(2)} % expected` });
    }
    if (name === 'ab') {
      const posted = Object.values(scenario.outcomes).reduce((a, b) => a + b, 0);
      const accepted = Object.entries(scenario.outcomes).filter(([s]) => s.startsWith('2')).reduce((a, [, n]) => a + n, 0);
      checks.push({ name: 'outcomes accepted', pass: posted > 0 && accepted / posted >= 1 - maxErrorRate, detail: `${accepted} of ${posted} posts answered 2xx` });
    }
    const notes: string[] = [];
    let experimentResults: unknown;
    if (name === 'ab') {
      experimentResults = await readResults(`${adminUrl}/v1/experiments/${encodeURIComponent(values.experiment)}/results`);
      notes.push(describeResults(experimentResults));
    }
    const warmupS = values.warmup === undefined ? Math.min(180, durationS / 3) : num(values, 'warmup');
    const trends = sampler ? memoryTrends(sampler.samples, warmupS) : undefined;
    if (name === 'soak') {
      for (const t of trends ?? []) {
        checks.push({ name: `${t.process} RSS slope after warm-up`, pass: Number.isFinite(t.rssMiBPerMin) && t.rssMiBPerMin <= num(values, 'max-rss-slope'), detail: `${t.rssMiBPerMin.toFixed(3)} MiB/min over ${t.samples} samples after ${warmupS} s, bound ${values['max-rss-slope']}` });
      }
    }
    const report: RunReport = {
      scenario: name,
      mode: closed !== undefined ? 'closed' : 'open',
      target: stack ? 'a stack started by the harness (switchyard up)' : url,
      date: new Date().toISOString(),
      machine: machine(),
      command: `npm run loadtest -- ${process.argv.slice(2).join(' ')}`,
      parameters: { model: values.model, duration_s: durationS, ...(closed !== undefined ? { connections: closed } : { rate_per_s: rate, max_outstanding: num(values, 'max-outstanding') }), ...(name === 'spike' ? { spike_factor: factor, ...spike } : {}) },
      summary,
      counts: run.counts,
      timeline: run.recorder.timeline(),
      checks,
      memory: sampler?.samples,
      memoryTrends: trends,
      bands: name === 'spike' ? [{ from: spike.before, to: spike.before + 2 * spike.ramp + spike.hold, label: `${factor}× spike` }] : undefined,
      outcomes: name === 'ab' ? scenario.outcomes : undefined,
      experimentResults,
      notes,
    };
    const stamp = report.date.replace(/[:.]/g, '-');
    const files = await writeRunReport(values.out ?? REPORTS_DIR, `${name}-${stamp}`, report);
    const s = summary;
    process.stdout.write([
      `${name}: ${s.requests} requests in ${s.seconds.toFixed(1)} s = ${s.throughput.toFixed(1)} req/s`,
      `latency ms: p50 ${s.latency.p50.toFixed(2)}  p90 ${s.latency.p90.toFixed(2)}  p99 ${s.latency.p99.toFixed(2)}  p99.9 ${s.latency.p999.toFixed(2)}  max ${s.latency.max.toFixed(2)}`,
      `errors by status: ${JSON.stringify(s.errors)}`,
      `versions: ${Object.entries(s.versions).map(([v, share]) => `${v} ${(share * 100).toFixed(1)} %`).join(', ') || 'none'}`,
      ...(run.counts ? [`open loop: scheduled ${run.counts.scheduled}, sent ${run.counts.sent}, dropped ${run.counts.dropped}, late ${run.counts.late}`] : []),
      ...notes,
      ...checks.map((c) => `${c.pass ? 'pass' : 'FAIL'}  ${c.name}: ${c.detail}`),
      `reports: ${files.join(' ')}`,
      '',
    ].join('\n'));
    return checks.every((c) => c.pass) ? 0 : 1;
  } finally {
    await stack?.stop();
  }
}

main().then((code) => process.exit(code), (err: unknown) => {
  process.stderr.write(`loadtest: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(2);
});
