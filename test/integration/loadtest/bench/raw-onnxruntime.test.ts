import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { layoutName, rawLayoutThroughput } from '../../../../loadtest/bench/raw-onnxruntime.js';
import { demoModelsDir } from '../../../helpers/demo-models.js';

const IRIS_INPUT = { name: 'input', rowShape: [4] };

describe('bench: raw onnxruntime ceiling in a layout of sessions and threads', () => {
  it('names a layout as it is printed in the report', () => {
    assert.equal(layoutName({ sessions: 1, intraOpThreads: 2 }), '1 session x 2 threads');
    assert.equal(layoutName({ sessions: 2, intraOpThreads: 1 }), '2 sessions x 1 thread');
  });

  it('measures every batch size with two sessions at once, one per thread, and adds their rows', async () => {
    const model = join(await demoModelsDir(), 'iris', '1', 'model.onnx');
    const points = await rawLayoutThroughput(model, IRIS_INPUT, [1, 8], { sessions: 2, intraOpThreads: 1 }, 0.05);
    assert.deepEqual(points.map((p) => p.batch), [1, 8]);
    for (const p of points) {
      assert.ok(Number.isFinite(p.rowsPerSecond) && p.rowsPerSecond > 0, `rows/s ${p.rowsPerSecond}`);
      assert.ok(Number.isFinite(p.msPerBatch) && p.msPerBatch > 0, `ms/batch ${p.msPerBatch}`);
    }
  });

  it('rejects with the load error when a session thread cannot open the model', async () => {
    await assert.rejects(
      rawLayoutThroughput('/nonexistent/model.onnx', IRIS_INPUT, [1], { sessions: 2, intraOpThreads: 1 }, 0.05),
      /nonexistent\/model\.onnx|No such file|Load model/i,
    );
  });
});
