import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rewriteModelPath } from '../../../../gateway/upstream/model-path.js';

describe('model path rewrite', () => {
  it('pins infer, metadata and ready paths to the backend model and version', () => {
    assert.equal(rewriteModelPath('/v2/models/fraud/infer', 'fraud', '2'), '/v2/models/fraud/versions/2/infer');
    assert.equal(rewriteModelPath('/v2/models/fraud/versions/7/infer', 'fraud', '2'), '/v2/models/fraud/versions/2/infer');
    assert.equal(rewriteModelPath('/v2/models/fraud', 'fraud', '2'), '/v2/models/fraud/versions/2');
    assert.equal(rewriteModelPath('/v2/models/fraud/ready', 'fraud', '2'), '/v2/models/fraud/versions/2/ready');
    assert.equal(rewriteModelPath('/v2/models/ranker/infer', 'ranker-large', '3'), '/v2/models/ranker-large/versions/3/infer');
  });

  it('leaves the version to the worker when the backend names none, and other paths alone', () => {
    assert.equal(rewriteModelPath('/v2/models/fraud/versions/1/infer', 'fraud', undefined), '/v2/models/fraud/infer');
    assert.equal(rewriteModelPath('/v2/health/ready', 'fraud', '2'), undefined);
    assert.equal(rewriteModelPath('/v1/models/fraud/jobs', 'fraud', '2'), '/v1/models/fraud/versions/2/jobs');
    assert.equal(rewriteModelPath('/v1/models/fraud/versions/9/jobs', 'fraud', undefined), '/v1/models/fraud/jobs');
    assert.equal(rewriteModelPath('/v1/jobs/abc', 'fraud', '2'), undefined);
    assert.equal(rewriteModelPath('/v2/models/', 'fraud', '2'), undefined);
  });
});
