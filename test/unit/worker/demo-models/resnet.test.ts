import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { computeCost, convLayers, outputSize, resnetPlan } from '../../../../worker/demo-models/resnet.js';

describe('resnetPlan and computeCost', () => {
  test('bench-cnn: 224 → 112 (stem) → 56 (pool) → 56/28/14/7 per stage, 256 features into the classifier', () => {
    const plan = resnetPlan();
    assert.equal(plan.stem.outputSize, 112);
    assert.equal(plan.pool.outputSize, 56);
    assert.deepEqual(plan.blocks.map((b) => b.conv2.outputSize), [56, 56, 28, 28, 14, 14, 7, 7]);
    assert.deepEqual(plan.blocks.map((b) => b.shortcut !== undefined), [false, false, true, false, true, false, true, false]);
    assert.deepEqual(plan.fc, { name: 'fc', inputs: 256, outputs: 10 });
  });

  test('bench-cnn costs 0.483 GMAC (0.966 GFLOPs) per image and has 2.8 M parameters', () => {
    const cost = computeCost(resnetPlan());
    assert.equal(cost.macs, 482_896_384);
    assert.equal(cost.flops, 2 * cost.macs);
    assert.equal(cost.parameters, 2_799_050);
  });

  test('counts a one-block network by hand', () => {
    // Image 8×8, stem 7×7/2 (pad 3) → 4×4 with 2 channels; pool → 2×2; one block of 2 channels; fc 2 → 3.
    const plan = resnetPlan({ imageSize: 8, stemChannels: 2, stageChannels: [2], blocksPerStage: 1, classes: 3 });
    const stem = 2 * 3 * 49 * 4 * 4; // out × in × k² × output pixels
    const block = 2 * (2 * 2 * 9 * 2 * 2);
    assert.equal(computeCost(plan).macs, stem + block + 2 * 3);
    assert.equal(computeCost(plan).parameters, (2 * 3 * 49 + 2) + 2 * (2 * 2 * 9 + 2) + (2 * 3 + 3));
    assert.equal(convLayers(plan).length, 3);
  });

  test('outputSize follows floor((in + 2·pad − kernel) / stride) + 1', () => {
    assert.equal(outputSize(224, 7, 2, 3), 112);
    assert.equal(outputSize(112, 3, 2, 1), 56);
    assert.equal(outputSize(7, 3, 1, 1), 7);
  });
});
