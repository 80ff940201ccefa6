import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { parse } from 'yaml';
import { demoModelsDir } from '../../../helpers/demo-models.js';
import { buildDemoModels, demoModelNames } from '../../../../worker/demo-models/build.js';
import { modelConfigSchema } from '../../../../worker/repository/model-config.js';

async function sha256(path: string): Promise<string> {
  return createHash('sha256').update(await readFile(path)).digest('hex');
}

async function parseModelYaml(dir: string, name: string) {
  return modelConfigSchema.parse(parse(await readFile(join(dir, name, 'model.yaml'), 'utf8')));
}

describe('buildDemoModels', () => {
  const scratch: string[] = [];
  after(async () => {
    for (const dir of scratch) await rm(dir, { recursive: true, force: true });
  });

  test('writes a Triton-style repository: <name>/model.yaml, <name>/<version>/model.onnx and its manifest.json', async () => {
    const dir = await demoModelsDir();
    assert.deepEqual((await readdir(dir)).sort(), [...demoModelNames].sort());
    assert.deepEqual((await readdir(join(dir, 'fraud'))).sort(), ['1', '2', 'golden.json', 'model.yaml']);
    assert.deepEqual((await readdir(join(dir, 'iris'))).sort(), ['1', 'model.yaml']);
    assert.deepEqual((await readdir(join(dir, 'bench-cnn', '1'))).sort(), ['manifest.json', 'model.onnx']);
    assert.deepEqual(await readdir(join(dir, 'fraud-pipeline', '1')), [], 'an ensemble version holds no model file');
    const manifest = JSON.parse(await readFile(join(dir, 'fraud', '2', 'manifest.json'), 'utf8')) as Record<string, unknown>;
    assert.equal(manifest.sha256, await sha256(join(dir, 'fraud', '2', 'model.onnx')));
    assert.deepEqual(manifest.inputs, [{ name: 'input', datatype: 'FP32', shape: [-1, 30] }]);
  });

  test('is deterministic: a fresh build of the small models is byte-identical to the cached one', async () => {
    const cached = await demoModelsDir();
    const fresh = await mkdtemp(join(tmpdir(), 'switchyard-demo-test-'));
    scratch.push(fresh);
    const lines: string[] = [];
    const built = await buildDemoModels(fresh, { only: ['iris', 'fraud'], log: (line) => lines.push(line) });

    assert.deepEqual(built.map((m) => `${m.name}/${m.version}`), ['fraud/1', 'fraud/2', 'iris/1']);
    assert.equal(lines.length, 3, 'one progress line per model version');
    for (const m of built) {
      assert.equal(m.sha256, await sha256(join(cached, m.name, m.version, 'model.onnx')), `${m.name} v${m.version}`);
      assert.equal(m.sha256, await sha256(m.onnxPath));
      assert.equal(await readFile(m.configPath, 'utf8'), await readFile(join(cached, m.name, 'model.yaml'), 'utf8'));
    }
  });

  test('refuses an unknown model name and names the known ones', async () => {
    await assert.rejects(buildDemoModels(join(tmpdir(), 'never-written'), { only: ['resnet'] }), /unknown demo model resnet; the demo models are fraud, iris, bench-cnn/);
  });

  test('fraud model.yaml: 30 named features with finite ranges, batches of up to 64', async () => {
    const config = await parseModelYaml(await demoModelsDir(), 'fraud');
    assert.equal(config.maxBatchSize, 64);
    assert.equal(config.dynamicBatching.enabled, true);
    const input = config.inputs?.[0];
    assert.deepEqual(input?.shape, [-1, 30]);
    assert.equal(input?.datatype, 'FP32');
    const features = input?.features ?? [];
    assert.deepEqual(features.map((f) => f.name), ['time', ...Array.from({ length: 28 }, (_, i) => `v${i + 1}`), 'amount']);
    for (const f of features) assert.ok(Number.isFinite(f.min) && Number.isFinite(f.max) && (f.min as number) < (f.max as number), f.name);
    assert.deepEqual(features[29], { name: 'amount', min: 0, max: 100000 });
    assert.deepEqual(config.outputs, [{ name: 'probabilities', datatype: 'FP32', shape: [-1, 2], labels: ['legit', 'fraud'] }]);
  });

  test('iris model.yaml: four measurements in cm and three species', async () => {
    const config = await parseModelYaml(await demoModelsDir(), 'iris');
    assert.deepEqual(config.inputs?.[0]?.features?.map((f) => f.name), ['sepal_length', 'sepal_width', 'petal_length', 'petal_width']);
    assert.deepEqual(config.outputs?.[0]?.labels, ['setosa', 'versicolor', 'virginica']);
    assert.deepEqual(config.outputs?.[0]?.shape, [-1, 3]);
  });

  test('bench-cnn model.yaml: 8-bit pixels, batches up to 32 aiming for 4/8, two single-threaded instances, states its GFLOPs', async () => {
    const dir = await demoModelsDir();
    const config = await parseModelYaml(dir, 'bench-cnn');
    assert.equal(config.maxBatchSize, 32);
    assert.deepEqual(config.dynamicBatching.preferredBatchSizes, [4, 8]);
    assert.equal(config.inputs?.[0]?.datatype, 'UINT8');
    assert.equal(config.threads.intraOp, 1);
    assert.equal(config.instances, 2);
    assert.deepEqual(config.inputs?.[0]?.shape, [-1, 3, 224, 224]);
    assert.match(await readFile(join(dir, 'bench-cnn', 'model.yaml'), 'utf8'), /0\.483 GMAC = 0\.966 GFLOPs/);
  });
});
