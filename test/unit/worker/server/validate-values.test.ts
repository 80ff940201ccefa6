import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SwitchyardError } from '../../../../protocol/errors.js';
import type { DecodedInferRequest } from '../../../../protocol/infer-request.js';
import type { ServedSignature } from '../../../../worker/repository/signature.js';
import { validateRequest } from '../../../../worker/server/validate.js';

/** An image-like input without feature ranges: the fast finite check applies. */
function signature(allowNaN: boolean): ServedSignature {
  return {
    inputs: [{ name: 'image', datatype: 'FP32', shape: [-1, 7], features: undefined, allowNaN }],
    outputs: [{ name: 'p', datatype: 'FP32', shape: [-1, 2], labels: undefined }],
  };
}

function request(values: number[]): DecodedInferRequest {
  return {
    id: undefined,
    parameters: {},
    inputs: [{ name: 'image', datatype: 'FP32', shape: [values.length / 7, 7], data: Float32Array.from(values) }],
    outputs: [],
    binaryOutputs: false,
  };
}

function rejection(values: number[], allowNaN = false): string {
  try {
    validateRequest('m', request(values), signature(allowNaN), 8);
  } catch (error) {
    assert.ok(error instanceof SwitchyardError);
    assert.equal(error.code, 'VALUE_NOT_FINITE');
    assert.equal(error.status, 400);
    return error.message;
  }
  return 'accepted';
}

describe('finite check of inputs without feature ranges', () => {
  const row = [0, 1, -2, 3.5, 1e30, -1e-30, 0];

  it('accepts finite values, large and tiny', () => {
    assert.equal(rejection([...row, ...row]), 'accepted');
  });

  it('names the exact element of a NaN, an Infinity, and one among the odd elements summed before the groups of four', () => {
    assert.equal(rejection([...row, 0, 0, NaN, 0, 0, 0, 0]), "input 'image' row 1, feature (index 2): expected a finite number, received NaN");
    assert.equal(rejection([-Infinity, ...row.slice(1)]), "input 'image' row 0, feature (index 0): expected a finite number, received -Infinity");
    // 14 elements: indices 0 and 1 are the odd ones, 2 to 13 three groups of four.
    assert.equal(rejection([0, Infinity, ...row.slice(2), ...row]), "input 'image' row 0, feature (index 1): expected a finite number, received Infinity");
    assert.equal(rejection([...row, 0, 0, 0, 0, 0, 0, Infinity]), "input 'image' row 1, feature (index 6): expected a finite number, received Infinity");
  });

  it('with allowNaN lets NaN through and still refuses Infinity behind it', () => {
    assert.equal(rejection([NaN, ...row.slice(1)], true), 'accepted');
    assert.equal(rejection([NaN, Infinity, ...row.slice(2)], true), "input 'image' row 0, feature (index 1): expected a finite number, received Infinity");
  });
});
