import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { warmupInputs } from '../../../../worker/batching/warmup-inputs.js';

describe('warmupInputs', () => {
  it('builds zeros of each declared shape with batch 1 and dynamic dims 1', () => {
    const [image, tokens, text] = warmupInputs([
      { name: 'image', datatype: 'FP32', shape: [-1, 3, 8, 8] },
      { name: 'tokens', datatype: 'INT64', shape: [-1, -1] },
      { name: 'text', datatype: 'BYTES', shape: [2] },
    ]);
    assert.deepEqual(image!.shape, [1, 3, 8, 8]);
    assert.ok(image!.data instanceof Float32Array && image!.data.length === 192 && image!.data.every((v) => v === 0));
    assert.deepEqual(tokens!.shape, [1, 1]);
    assert.deepEqual([...tokens!.data], [0n]);
    assert.deepEqual(text!.data, ['', '']);
  });
});
