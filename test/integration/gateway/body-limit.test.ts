import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { rawUpload } from '../../helpers/raw-upload.js';
import { startEchoUpstream, type EchoUpstream } from '../../helpers/gateway/echo-upstream.js';
import { startTestGateway, type TestGateway } from '../../helpers/gateway/start-test-gateway.js';
import { startTestWorker } from '../../helpers/worker.js';

type Worker = Awaited<ReturnType<typeof startTestWorker>>;

/** About 60 MB, over the 1 MiB limit below. */
const DECLARED = 60 * 1000 * 1000;
const LIMIT = 1024 * 1024;

describe('gateway data listener: a body declared over limits.maxBodyBytes', () => {
  let worker: Worker;
  let echo: EchoUpstream;
  let gw: TestGateway;
  before(async () => {
    worker = await startTestWorker(['iris']);
    echo = await startEchoUpstream('plain');
    gw = await startTestGateway(`
limits: { maxBodyBytes: 1MiB }
pools:
  cpu: { models: /unused }
backends:
  iris: { pool: cpu, model: iris }
  plain: { endpoints: [${echo.url}] }
routes:
  - name: iris
    match: { pathPrefix: /v2/models/iris }
    backend: iris
  - name: plain
    match: { pathPrefix: /upload }
    backend: plain
`, { poolEndpoints: { cpu: [worker.url] } });
  });
  after(async () => {
    await gw.stop();
    await echo.close();
    await worker.drain();
  });

  const port = (): number => gw.gateway.httpPort;

  it('gets a 413 on a model route that a client uploading all 60 MB before it reads still reads', async () => {
    const answer = await rawUpload({ port: port(), path: '/v2/models/iris/infer', declared: DECLARED, keepWriting: 'all', headers: { 'x-request-id': 'big-upload' } });
    assert.equal(answer.status, 413);
    assert.equal(answer.headers.connection, 'close');
    assert.equal(answer.headers['x-request-id'], 'big-upload');
    assert.deepEqual(JSON.parse(answer.body), {
      code: 'BODY_TOO_LARGE',
      error: `the request body (${DECLARED} bytes) is over the limit of ${LIMIT} bytes; send fewer rows per request or raise the limit`,
    });
    assert.equal(answer.sawContinue, false);
  });

  it('with Expect: 100-continue gets the 413 at once and no 100 Continue', async () => {
    const answer = await rawUpload({ port: port(), path: '/v2/models/iris/infer', declared: DECLARED, expectContinue: true, keepWriting: false, headers: { 'x-request-id': 'expect-big' } });
    assert.equal(answer.status, 413);
    assert.equal(answer.sawContinue, false);
    assert.equal(answer.headers['x-request-id'], 'expect-big');
    assert.equal((JSON.parse(answer.body) as { code: string }).code, 'BODY_TOO_LARGE');
  });

  it('with Expect: 100-continue and a body within the limit gets 100 Continue, then its answer', async () => {
    const body = JSON.stringify({ inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 4], data: [5.1, 3.5, 1.4, 0.2] }] });
    const answer = await rawUpload({ port: port(), path: '/v2/models/iris/infer', declared: body.length, expectContinue: true, keepWriting: false, body });
    assert.equal(answer.sawContinue, true);
    assert.equal(answer.status, 200, answer.body);
  });

  it('tells a plain route (which streams, unbounded) to go on past the limit', async () => {
    const body = 'x'.repeat(LIMIT + 1);
    const answer = await rawUpload({ port: port(), path: '/upload', declared: body.length, expectContinue: true, keepWriting: false, body });
    assert.equal(answer.sawContinue, true);
    assert.equal(answer.status, 200);
    assert.equal((JSON.parse(answer.body) as { body: string }).body.length, LIMIT + 1);
  });
});
