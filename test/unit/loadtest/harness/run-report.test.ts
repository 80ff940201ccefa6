import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { renderMarkdown, writeRunReport, type RunReport } from '../../../../loadtest/harness/run-report.js';

const report: RunReport = {
  scenario: 'canary',
  mode: 'open',
  target: 'http://127.0.0.1:8080',
  date: '2026-11-24T21:00:00.000Z',
  machine: '2 × test CPU',
  command: 'npm run loadtest -- canary --url http://127.0.0.1:8080',
  parameters: { model: 'fraud', rate_per_s: 50 },
  summary: {
    requests: 1500, seconds: 30, throughput: 50,
    latency: { p50: 4.5, p90: 6, p95: 7, p99: 12.345, p999: 40, max: 41 },
    errors: { '503': 2 },
    versions: { '1': 0.8, '2': 0.2 },
  },
  counts: { scheduled: 1500, sent: 1500, dropped: 0, late: 3 },
  timeline: [{ second: 0, requests: 50, errors: 0, p50: 4, p99: 9 }],
  checks: [{ name: 'share of version 2', pass: true, detail: '20.00 % observed, 20 ± 3 % configured' }, { name: 'error rate', pass: false, detail: '2 of 1500' }],
};

describe('run report', () => {
  it('renders the Markdown summary exactly', () => {
    assert.equal(renderMarkdown(report, 'r-latency.svg'), `# Load test: canary (open loop)

2026-11-24T21:00:00.000Z on 2 × test CPU, against http://127.0.0.1:8080.

Command: \`npm run loadtest -- canary --url http://127.0.0.1:8080\`

Parameters: model=fraud, rate_per_s=50

| requests | seconds | throughput req/s | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms |
|---|---|---|---|---|---|---|---|
| 1500 | 30.0 | 50.0 | 4.50 | 6.00 | 12.35 | 40.00 | 41.00 |

Errors by status: 503: 2.

Answers by version (x-switchyard-version): 1: 80.0 %, 2: 20.0 %.

Open loop: 1500 arrivals scheduled, 1500 sent, 0 dropped (too many outstanding), 3 late.

| check | result | detail |
|---|---|---|
| share of version 2 | pass | 20.00 % observed, 20 ± 3 % configured |
| error rate | FAIL | 2 of 1500 |

![latency over time](r-latency.svg)

![answers per second](r-throughput.svg)
`);
  });

  it('writes JSON, Markdown and the two charts (and a memory chart when there are samples)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'switchyard-report-'));
    await writeRunReport(dir, 'a', report);
    await writeRunReport(dir, 'b', { ...report, memory: [{ atS: 0, process: 'gateway', rssBytes: 2 ** 20, heapUsedBytes: 2 ** 19 }] });
    assert.deepEqual((await readdir(dir)).sort(), ['a-latency.svg', 'a-throughput.svg', 'a.json', 'a.md', 'b-latency.svg', 'b-memory.svg', 'b-throughput.svg', 'b.json', 'b.md']);
    assert.deepEqual(JSON.parse(await readFile(join(dir, 'a.json'), 'utf8')), report);
    assert.match(await readFile(join(dir, 'b.md'), 'utf8'), /!\[memory over time\]\(b-memory\.svg\)\n$/);
    assert.match(await readFile(join(dir, 'b-memory.svg'), 'utf8'), /<text x="\d+" y="36">gateway RSS<\/text>/);
  });
});
