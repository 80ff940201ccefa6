import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Tensor } from '../../../../protocol/tensor.js';
import { executeBatch, type BatchRequest, type RunSession } from '../../../../worker/batching/batch-execution.js';
import { mergeTensors } from '../../../../worker/batching/tensor-batch.js';

/** A fake model over input x [n, 2]: `double` = 2x, `sum` = row sums [n, 1]. Merges its parts as a session thread does; records its calls. */
function fakeModel() {
  const calls: { parts: number; rows: number; outputs: readonly string[] }[] = [];
  const run: RunSession = async (parts, outputNames) => {
    const x = mergeTensors(parts.map((inputs) => inputs[0]!));
    const data = x.data as Float32Array;
    const rows = x.shape[0]!;
    calls.push({ parts: parts.length, rows, outputs: outputNames });
    const all: Record<string, Tensor> = {
      double: { name: 'double', datatype: 'FP32', shape: [rows, 2], data: data.map((v) => v * 2) },
      sum: { name: 'sum', datatype: 'FP32', shape: [rows, 1], data: Float32Array.from({ length: rows }, (_, r) => data[2 * r]! + data[2 * r + 1]!) },
    };
    return outputNames.map((name) => all[name]!);
  };
  return { run, calls };
}

function request(values: number[], outputs: string[]): BatchRequest {
  const rows = values.length / 2;
  return { inputs: [{ name: 'x', datatype: 'FP32', shape: [rows, 2], data: Float32Array.from(values) }], outputs, rows };
}

describe('executeBatch', () => {
  it('runs mixed row counts once and gives each caller exactly its rows of exactly the outputs it asked for, in its order', async () => {
    const model = fakeModel();
    const results = await executeBatch(
      [request([1, 2], ['sum']), request([3, 4, 5, 6, 7, 8], ['double', 'sum']), request([9, 10, 11, 12], ['sum', 'double'])],
      model.run,
    );
    assert.deepEqual(model.calls, [{ parts: 3, rows: 6, outputs: ['sum', 'double'] }]);
    const plain = results.map((outputs) => outputs.map((t) => ({ name: t.name, shape: t.shape, data: [...t.data] })));
    assert.deepEqual(plain, [
      [{ name: 'sum', shape: [1, 1], data: [3] }],
      [{ name: 'double', shape: [3, 2], data: [6, 8, 10, 12, 14, 16] }, { name: 'sum', shape: [3, 1], data: [7, 11, 15] }],
      [{ name: 'sum', shape: [2, 1], data: [19, 23] }, { name: 'double', shape: [2, 2], data: [18, 20, 22, 24] }],
    ]);
  });

  it('runs a lone request with its tensors as given', async () => {
    const model = fakeModel();
    const only = request([1, 2, 3, 4], ['double']);
    let seen: readonly (readonly Tensor[])[] = [];
    const [outputs] = await executeBatch([only], async (parts, names) => {
      seen = parts;
      return model.run(parts, names);
    });
    assert.equal(seen.length, 1);
    assert.equal(seen[0]![0], only.inputs[0]);
    assert.deepEqual([...outputs![0]!.data], [2, 4, 6, 8]);
  });

  it('a run that fails rejects the batch', async () => {
    await assert.rejects(
      executeBatch([request([1, 2], ['sum']), request([3, 4], ['sum'])], async () => { throw new Error('bad feed'); }),
      /bad feed/,
    );
  });
});
