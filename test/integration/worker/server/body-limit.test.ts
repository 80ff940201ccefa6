import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { rawUpload } from '../../../helpers/raw-upload.js';
import { startTestWorker } from '../../../helpers/worker.js';
import { DEFAULT_MAX_BODY_BYTES } from '../../../../worker/server/http-server.js';
import type { RunningWorker } from '../../../../worker/start-worker.js';

/** About 60 MB: over the default limit of 32 MiB, the upload the issue saw end in a broken pipe. */
const DECLARED = 60 * 1000 * 1000;

describe('worker: a body declared over the limit', () => {
  let worker: RunningWorker & { url: string };
  before(async () => {
    worker = await startTestWorker(['iris']);
  });
  after(() => worker.drain());

  it('gets a 413 that a client uploading all 60 MB before it reads still reads', async () => {
    // Closing at once would reset the connection under the upload: the client sees a broken pipe.
    const answer = await rawUpload({ port: worker.httpPort, path: '/v2/models/iris/infer', declared: DECLARED, keepWriting: 'all' });
    assert.equal(answer.status, 413);
    assert.equal(answer.headers.connection, 'close');
    assert.deepEqual(JSON.parse(answer.body), {
      code: 'BODY_TOO_LARGE',
      error: `the request body (${DECLARED} bytes) is over the limit of ${DEFAULT_MAX_BODY_BYTES} bytes; send fewer rows per request or raise the limit`,
    });
    assert.equal(answer.sawContinue, false);
  });

  it('gets the same 413 on the v1 :predict path and the batch jobs path', async () => {
    for (const path of ['/v1/models/iris:predict', '/v1/models/iris/jobs']) {
      const answer = await rawUpload({ port: worker.httpPort, path, declared: DECLARED, keepWriting: 'all' });
      assert.equal(answer.status, 413, path);
      assert.equal((JSON.parse(answer.body) as { code: string }).code, 'BODY_TOO_LARGE', path);
    }
  });

  it('with Expect: 100-continue gets the 413 at once and no 100 Continue', async () => {
    const answer = await rawUpload({ port: worker.httpPort, path: '/v2/models/iris/infer', declared: DECLARED, expectContinue: true, keepWriting: false, headers: { 'x-request-id': 'expect-big' } });
    assert.equal(answer.status, 413);
    assert.equal(answer.sawContinue, false);
    assert.equal(answer.headers['x-request-id'], 'expect-big');
    assert.equal(answer.headers.connection, 'close');
    assert.equal((JSON.parse(answer.body) as { code: string }).code, 'BODY_TOO_LARGE');
  });

  it('with Expect: 100-continue and a body within the limit gets 100 Continue, then its answer', async () => {
    const body = JSON.stringify({ inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 4], data: [5.1, 3.5, 1.4, 0.2] }] });
    const answer = await rawUpload({ port: worker.httpPort, path: '/v2/models/iris/infer', declared: body.length, expectContinue: true, keepWriting: false, body });
    assert.equal(answer.sawContinue, true);
    assert.equal(answer.status, 200, answer.body);
  });
});
