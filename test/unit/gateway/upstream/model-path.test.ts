import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseModelPath, requestedVersion, rewriteModelPath } from '../../../../gateway/upstream/model-path.js';

describe('model path rewrite', () => {
  it('pins infer, metadata and ready paths to the backend model and version', () => {
    assert.equal(rewriteModelPath('/v2/models/fraud/infer', 'fraud', '2'), '/v2/models/fraud/versions/2/infer');
    assert.equal(rewriteModelPath('/v2/models/fraud/versions/2/infer', 'fraud', '2'), '/v2/models/fraud/versions/2/infer');
    assert.equal(rewriteModelPath('/v2/models/fraud', 'fraud', '2'), '/v2/models/fraud/versions/2');
    assert.equal(rewriteModelPath('/v2/models/fraud/ready', 'fraud', '2'), '/v2/models/fraud/versions/2/ready');
    assert.equal(rewriteModelPath('/v2/models/ranker/infer', 'ranker-large', '3'), '/v2/models/ranker-large/versions/3/infer');
  });

  it('sends a shadow copy to its own pinned version, whatever the client named', () => {
    assert.equal(rewriteModelPath('/v2/models/fraud/versions/7/infer', 'fraud', '2'), '/v2/models/fraud/versions/2/infer');
  });

  it('keeps the version the client named when the backend pins none, and leaves other paths alone', () => {
    assert.equal(rewriteModelPath('/v2/models/fraud/versions/1/infer', 'fraud', undefined), '/v2/models/fraud/versions/1/infer');
    assert.equal(rewriteModelPath('/v2/models/fraud/infer', 'fraud', undefined), '/v2/models/fraud/infer');
    assert.equal(rewriteModelPath('/v2/models/fraud/versions/1', 'fraud-x', undefined), '/v2/models/fraud-x/versions/1');
    assert.equal(rewriteModelPath('/v2/health/ready', 'fraud', '2'), undefined);
    assert.equal(rewriteModelPath('/v2/models/', 'fraud', '2'), undefined);
  });

  it('rewrites the v1 forms: :predict, model readiness and batch jobs', () => {
    assert.equal(rewriteModelPath('/v1/models/iris:predict', 'iris', '1'), '/v1/models/iris/versions/1:predict');
    assert.equal(rewriteModelPath('/v1/models/iris:predict', 'iris', undefined), '/v1/models/iris:predict');
    assert.equal(rewriteModelPath('/v1/models/iris', 'iris-large', '3'), '/v1/models/iris-large/versions/3');
    assert.equal(rewriteModelPath('/v1/models/fraud/jobs', 'fraud', '2'), '/v1/models/fraud/versions/2/jobs');
    assert.equal(rewriteModelPath('/v1/models/fraud/versions/9/jobs', 'fraud', undefined), '/v1/models/fraud/versions/9/jobs');
    assert.equal(rewriteModelPath('/v1/jobs/abc', 'fraud', '2'), undefined);
    assert.equal(rewriteModelPath('/v1/models/fraud/other', 'fraud', '2'), undefined);
    assert.equal(rewriteModelPath('/v1/models/', 'fraud', '2'), undefined);
  });
});

describe('the version a path names', () => {
  it('is read from v2 and v1 paths, decoded, and absent when none is named', () => {
    assert.equal(requestedVersion('/v2/models/fraud/versions/1/infer'), '1');
    assert.equal(requestedVersion('/v2/models/fraud/versions/1'), '1');
    assert.equal(requestedVersion('/v2/models/fraud/versions/a%20b/ready'), 'a b');
    assert.equal(requestedVersion('/v2/models/fraud/versions/%E0%A4%A/ready'), '%E0%A4%A', 'a bad escape is compared as it came');
    assert.equal(requestedVersion('/v1/models/iris/versions/2:predict'), '2');
    assert.equal(requestedVersion('/v1/models/iris/versions/2/jobs'), '2');
    assert.equal(requestedVersion('/v2/models/fraud/infer'), undefined);
    assert.equal(requestedVersion('/v2/models/fraud/versions//infer'), undefined);
    assert.equal(requestedVersion('/v1/models/iris:predict'), undefined);
    assert.equal(requestedVersion('/api/versions/3'), undefined);
  });

  it('splits a path into protocol, model, version and tail', () => {
    assert.deepEqual(parseModelPath('/v1/models/iris:predict'), { protocol: 'v1', model: 'iris', version: undefined, tail: ':predict' });
    assert.deepEqual(parseModelPath('/v2/models/fraud/versions/3/infer'), { protocol: 'v2', model: 'fraud', version: '3', tail: '/infer' });
    assert.deepEqual(parseModelPath('/v1/models/iris'), { protocol: 'v1', model: 'iris', version: undefined, tail: '' });
  });
});
