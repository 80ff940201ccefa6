import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import ort from 'onnxruntime-node';
import { encodeModel, GraphBuilder, IR_VERSION, OPSET_VERSION } from '../../../../worker/demo-models/onnx-graph.js';
import { decodeModel } from './reference-onnx.js';

/** y = relu(x · Wᵀ + b) with W = [[1, -1], [2, 0.5]], b = [0.25, -10]. */
function tinyGraph(): GraphBuilder {
  const graph = new GraphBuilder('tiny');
  const x = graph.input('x', ['batch', 2]);
  const w = graph.initializer('w', [2, 2], Float32Array.of(1, -1, 2, 0.5));
  const b = graph.initializer('b', [2], Float32Array.of(0.25, -10));
  graph.node('Relu', [graph.node('Gemm', [x, w, b], { transB: 1 })], {}, 'y');
  graph.output('y', ['batch', 2]);
  return graph;
}

describe('GraphBuilder and encodeModel', () => {
  test('onnxruntime loads the model and computes what the graph says', async () => {
    const session = await ort.InferenceSession.create(encodeModel(tinyGraph(), { docString: 'test' }));
    assert.deepEqual(session.inputMetadata[0]?.isTensor && session.inputMetadata[0].shape, ['batch', 2]);
    const out = await session.run({ x: new ort.Tensor('float32', Float32Array.of(3, 1, 0, 8), [2, 2]) });
    // Row 1: [3 - 1 + 0.25, 6 + 0.5 - 10] → [2.25, 0]; row 2: [0 - 8 + 0.25, 4 - 10] → [0, 0].
    assert.deepEqual(Array.from(out.y!.data as Float32Array), [2.25, 0, 0, 0]);
  });

  test('records IR version 8, opset 17 and the weights exactly', () => {
    const model = decodeModel(encodeModel(tinyGraph(), { docString: 'test' }));
    assert.equal(model.irVersion, IR_VERSION);
    assert.equal(model.opset, OPSET_VERSION);
    assert.deepEqual(Array.from(model.initializers.get('w')!.data), [1, -1, 2, 0.5]);
    assert.deepEqual(model.nodes.map((n) => n.opType), ['Gemm', 'Relu']);
  });

  test('the same graph encodes to the same bytes', () => {
    assert.deepEqual(encodeModel(tinyGraph(), { docString: 'd' }), encodeModel(tinyGraph(), { docString: 'd' }));
  });

  test('refuses an initializer whose data does not fill its shape', () => {
    assert.throws(() => new GraphBuilder('g').initializer('w', [2, 3], new Float32Array(5)), /initializer w: 5 values for shape \[2,3\] \(6\)/);
  });

  test('names unnamed node outputs uniquely', () => {
    const graph = new GraphBuilder('g');
    assert.deepEqual([graph.node('Relu', ['a']), graph.node('Relu', ['b']), graph.node('Add', ['a', 'b'])], ['relu_0', 'relu_1', 'add_0']);
  });
});
