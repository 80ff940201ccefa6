import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { execute } from '../../../../loadtest/run/execute.js';

/**
 * A stand-in gateway on port 0: every 10th request gets 503, the others 200 with
 * x-switchyard-version alternating 1, 2, so the shares and error counts are exact.
 */
function fakeGateway(): Server {
  let seen = 0;
  let ok = 0;
  return createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      seen++;
      if (seen % 10 === 0) {
        res.writeHead(503, { 'retry-after': '1', 'content-type': 'application/json' });
        res.end('{"error":"overloaded","code":"OVERLOADED"}');
        return;
      }
      ok++;
      res.writeHead(200, { 'content-type': 'application/json', 'x-switchyard-version': String(1 + (ok % 2)) });
      res.end('{"outputs":[]}');
    });
  });
}

describe('load harness against a real HTTP server', () => {
  let server: Server;
  let url: string;
  before(async () => {
    server = fakeGateway();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('open loop: sends rate × duration requests and counts statuses and versions', { timeout: 20_000 }, async () => {
    const lines: string[] = [];
    const paths: string[] = [];
    const run = await execute({
      url,
      durationS: 1.2,
      shape: { kind: 'open', rate: () => 50, maxOutstanding: 16 },
      request: (i) => {
        paths.push(`/v2/models/fraud/infer?i=${i}`);
        return { path: `/v2/models/fraud/infer?i=${i}`, headers: { 'content-type': 'application/json' }, body: '{}' };
      },
      progress: (line) => lines.push(line),
    });
    assert.deepEqual(run.counts, { scheduled: 60, sent: 60, dropped: 0, late: run.counts!.late });
    const summary = run.recorder.summary(run.seconds);
    assert.equal(summary.requests, 60);
    assert.deepEqual(summary.errors, { '503': 6 });
    assert.deepEqual(summary.versions, { '1': 0.5, '2': 0.5 });
    assert.equal(paths[59], '/v2/models/fraud/infer?i=59');
    assert.ok(lines.length >= 1, 'a progress line every second');
    assert.match(lines[0]!, /^\s+1s\s+\d+ req\/s {2}errors \d+ {2}p50 [\d.]+ ms {2}p99 [\d.]+ ms {2}outstanding \d+ {2}dropped 0$/);
  });

  it('closed loop: keeps N connections busy and records every answer with its version', { timeout: 20_000 }, async () => {
    const run = await execute({
      url,
      durationS: 1,
      shape: { kind: 'closed', connections: 2 },
      request: () => ({ path: '/v2/models/fraud/infer', headers: { 'content-type': 'application/json' }, body: '{}' }),
      progress: () => {},
    });
    const summary = run.recorder.summary(run.seconds);
    assert.ok(summary.requests > 50, `${summary.requests} answers in 1 s`);
    const errors = summary.errors['503'] ?? 0;
    // Every 10th request the server saw (the open-loop test's included) was a 503.
    assert.ok(Math.abs(errors - summary.requests / 10) <= 2, `${errors} 503s of ${summary.requests}`);
    assert.ok(Math.abs(summary.versions['1']! - 0.5) < 0.01 && Math.abs(summary.versions['2']! - 0.5) < 0.01, JSON.stringify(summary.versions));
  });

  it('npm run loadtest --url: prints the summary, writes the reports, exits 1 when a check fails', { timeout: 30_000 }, async () => {
    const out = await mkdtemp(join(tmpdir(), 'switchyard-loadtest-'));
    const main = fileURLToPath(new URL('../../../../loadtest/run/main.js', import.meta.url));
    const child = spawn(process.execPath, [main, 'steady', '--url', url, '--rate', '40', '--duration', '1', '--memory-every', '0', '--out', out], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    // Every 10th request is a 503: 10 % errors against the default bound of 1 %.
    assert.equal(code, 1, stdout + stderr);
    assert.match(stdout, /^steady: 40 requests in [\d.]+ s = [\d.]+ req\/s$/m);
    assert.match(stdout, /^errors by status: \{"503":4\}$/m);
    assert.match(stdout, /^versions: 1 50\.0 %, 2 50\.0 %$/m);
    assert.match(stdout, /^FAIL {2}error rate: 4 of 40 not 2xx \(10\.00 %\), bound 1 %$/m);
    assert.match(stderr, /\[loadtest\] steady: open loop, 40\/s for 1 s against http:\/\/127\.0\.0\.1:\d+/);
    const files = (await readdir(out)).sort();
    assert.equal(files.length, 4, files.join(' '));
    assert.deepEqual(files.map((f) => f.replace(/^steady-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z/, 'R')), ['R-latency.svg', 'R-throughput.svg', 'R.json', 'R.md']);
    const report = JSON.parse(await readFile(join(out, files.find((f) => f.endsWith('.json'))!), 'utf8')) as { summary: { requests: number }; counts: { scheduled: number } };
    assert.equal(report.summary.requests, 40);
    assert.equal(report.counts.scheduled, 40);
  });
});
