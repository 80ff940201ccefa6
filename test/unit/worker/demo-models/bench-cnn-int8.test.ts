import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import onnxProto from 'onnx-proto';
import { demoModelsDir } from '../../../helpers/demo-models.js';
import { calibrationImages } from '../../../../worker/demo-models/bench-cnn-int8.js';
import { agreement } from '../../../../loadtest/bench/quantized.js';
import { activationParams } from '../../../../worker/demo-models/quantize.js';
import { openSession, runOrt } from './ort.js';

const { onnx } = onnxProto;

describe('bench-cnn-int8', () => {
  it('is QDQ INT8: int8 per-channel weights for all 20 convolutions, uint8 activations, no float conv weights left', async () => {
    const model = onnx.ModelProto.decode(await readFile(join(await demoModelsDir(), 'bench-cnn-int8', '1', 'model.onnx')));
    const graph = model.graph!;
    const ops = (op: string) => graph.node!.filter((n) => n.opType === op).length;
    assert.equal(ops('Conv'), 20);
    assert.ok(ops('QuantizeLinear') >= 20 && ops('DequantizeLinear') >= 60, `${ops('QuantizeLinear')} Q, ${ops('DequantizeLinear')} DQ`);
    const int8Weights = graph.initializer!.filter((t) => t.dataType === 3 && t.dims!.length === 4);
    assert.equal(int8Weights.length, 20);
    // The only 4-D float initializers left are the pixel normalisation's [1, 3, 1, 1] scale and shift.
    assert.deepEqual(graph.initializer!.filter((t) => t.dataType === 1 && t.dims!.length === 4).map((t) => t.name), ['pixels.scale', 'pixels.shift']);
  });

  it('agrees with bench-cnn (float weights) on images it was not calibrated on: same top-1, probabilities within 0.01', async () => {
    const dir = await demoModelsDir();
    const images = calibrationImages(4, 555);
    const dims = [4, 3, 224, 224];
    const fp32 = await runOrt(await openSession(join(dir, 'bench-cnn', '1', 'model.onnx')), 'image', images, dims, 'probabilities');
    const int8 = await runOrt(await openSession(join(dir, 'bench-cnn-int8', '1', 'model.onnx')), 'image', images, dims, 'probabilities');
    const a = agreement(fp32, int8, 10);
    assert.equal(a.top1Agreement, 1);
    assert.ok(a.maxAbsDiff < 0.01, `max |Δp| ${a.maxAbsDiff}`);
    assert.ok(a.maxAbsDiff > 0, 'the INT8 network really is a different computation');
  });

  it('picks uint8 activation parameters that map the calibrated range onto 0..255', () => {
    assert.deepEqual(activationParams({ min: 0, max: 255 }), { scale: 1, zeroPoint: 0 });
    const p = activationParams({ min: -1, max: 1.55 });
    assert.equal(p.zeroPoint, 100);
    assert.ok(Math.abs(p.scale - 0.01) < 1e-12);
  });
});
