import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { modelConfigSchema } from '../../../../worker/repository/model-config.js';
import { selectVersions } from '../../../../worker/repository/version-policy.js';

describe('version policy', () => {
  it('defaults to the latest 2, so the previous version stays loaded', () => {
    const policy = modelConfigSchema.parse({}).versionPolicy;
    assert.deepEqual(policy, { latest: 2 });
    assert.deepEqual(selectVersions(['1', '10', '2', '3'], policy), ['3', '10']);
  });

  it('keeps all, the latest N, or the specific versions named', () => {
    assert.deepEqual(selectVersions(['2', '1', '3'], { all: true }), ['1', '2', '3']);
    assert.deepEqual(selectVersions(['1', '2', '3'], { latest: 1 }), ['3']);
    assert.deepEqual(selectVersions(['1', '2', '3'], { specific: ['1', '3', '9'] }), ['1', '3']);
  });
});
