import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isControlCall, workerExposureProblem } from '../../../../worker/server/control-auth.js';

describe('worker control plane rule', () => {
  it('needs a token off loopback only, judged by the bind address', () => {
    for (const host of ['127.0.0.1', '127.0.0.2', 'localhost', '::1', '[::1]']) assert.equal(workerExposureProblem(host, undefined), undefined, host);
    for (const host of ['0.0.0.0', '::', '10.0.0.5', 'worker.internal']) {
      assert.match(workerExposureProblem(host, undefined) ?? '', new RegExp(`^the worker listens on ${host.replace(/\./g, '\\.')}, which is not loopback`), host);
      assert.match(workerExposureProblem(host, '') ?? '', /SWITCHYARD_WORKER_TOKEN is not set/, `${host} with an empty token`);
      assert.equal(workerExposureProblem(host, 't'), undefined, `${host} with a token`);
    }
  });

  it('names load, unload and job cancel as control calls, and nothing else', () => {
    assert.equal(isControlCall('POST', ['v2', 'repository', 'models', 'iris', 'load']), true);
    assert.equal(isControlCall('POST', ['v2', 'repository', 'models', 'iris', 'unload']), true);
    assert.equal(isControlCall('GET', ['v2', 'repository', 'models', 'iris', 'load']), true, 'any method: the 401 comes before the 405');
    assert.equal(isControlCall('DELETE', ['v1', 'jobs', 'abc']), true);
    assert.equal(isControlCall('GET', ['v1', 'jobs', 'abc']), false);
    assert.equal(isControlCall('POST', ['v2', 'repository', 'index']), false);
    assert.equal(isControlCall('POST', ['v2', 'models', 'iris', 'infer']), false);
    assert.equal(isControlCall('POST', ['v1', 'models', 'iris', 'jobs']), false);
  });
});
