import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseV1ModelCall } from '../../../../worker/server/predict-v1.js';

describe('KServe v1 model paths', () => {
  it('reads :predict and readiness, with or without a version', () => {
    assert.deepEqual(parseV1ModelCall(['iris:predict']), { verb: 'predict', model: 'iris', version: undefined });
    assert.deepEqual(parseV1ModelCall(['iris']), { verb: 'ready', model: 'iris', version: undefined });
    assert.deepEqual(parseV1ModelCall(['iris', 'versions', '2:predict']), { verb: 'predict', model: 'iris', version: '2' });
    assert.deepEqual(parseV1ModelCall(['iris', 'versions', '2']), { verb: 'ready', model: 'iris', version: '2' });
  });

  it('leaves other paths to the rest of the router', () => {
    assert.equal(parseV1ModelCall(['iris', 'jobs']), undefined);
    assert.equal(parseV1ModelCall([':predict']), undefined);
    assert.equal(parseV1ModelCall(['iris:explain']), undefined);
    assert.equal(parseV1ModelCall(['iris', 'versions', '2', 'jobs']), undefined);
    assert.equal(parseV1ModelCall([]), undefined);
  });
});
