import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { postJson } from '../../../helpers/http.js';
import { startTestWorker } from '../../../helpers/worker.js';
import { generateTransactions } from '../../../../worker/demo-models/build.js';
import { RAW_UNITS } from '../../../../worker/demo-models/fraud-pipeline.js';

interface InferAnswer { model_name: string; model_version: string; outputs: { name: string; shape: number[]; data: number[] }[] }

describe('ensembles', () => {
  it('fraud-pipeline answers exactly what fraud-preprocess then fraud answer when run by hand', async () => {
    const w = await startTestWorker(['fraud', 'fraud-preprocess', 'fraud-pipeline']);
    try {
      // Raw transactions: time in ms and amount in cents, as the pipeline's input expects.
      const rows = generateTransactions(16, { seed: 7 }).map((r) => r.map((v, j) => (j === 0 ? v * RAW_UNITS.timePerSecond : j === 29 ? v * RAW_UNITS.amountPerEuro : v)));
      const raw = { name: 'transaction', datatype: 'FP32', shape: [16, 30], data: rows.flat() };

      const pipeline = await postJson(`${w.url}/v2/models/fraud-pipeline/infer`, { inputs: [raw] });
      assert.equal(pipeline.status, 200, JSON.stringify(pipeline.body));
      const ensembleAnswer = pipeline.body as InferAnswer;

      const step1 = await postJson(`${w.url}/v2/models/fraud-preprocess/infer`, { inputs: [raw] });
      const features = (step1.body as InferAnswer).outputs[0]!;
      const step2 = await postJson(`${w.url}/v2/models/fraud/infer`, { inputs: [{ name: 'input', datatype: 'FP32', shape: features.shape, data: features.data }] });
      const byHand = (step2.body as InferAnswer).outputs[0]!;

      assert.equal(ensembleAnswer.model_name, 'fraud-pipeline');
      assert.deepEqual(ensembleAnswer.outputs.map((o) => [o.name, o.shape]), [['probabilities', [16, 2]]]);
      assert.deepEqual(ensembleAnswer.outputs[0]!.data, byHand.data);
      assert.equal((step2.body as InferAnswer).model_version, '2', 'the step ran on fraud\'s highest ready version');
    } finally {
      await w.drain();
    }
  });

  it('reports its own signature and each step keeps its own batcher (both step models count the request)', async () => {
    const w = await startTestWorker(['fraud', 'fraud-preprocess', 'fraud-pipeline']);
    try {
      const meta = await (await fetch(`${w.url}/v2/models/fraud-pipeline`)).json() as { platform: string; inputs: unknown; outputs: unknown };
      assert.equal(meta.platform, 'ensemble');
      assert.deepEqual(meta.inputs, [{ name: 'transaction', datatype: 'FP32', shape: [-1, 30] }]);
      assert.deepEqual(meta.outputs, [{ name: 'probabilities', datatype: 'FP32', shape: [-1, 2] }]);
      const bad = await postJson(`${w.url}/v2/models/fraud-pipeline/infer`, { inputs: [{ name: 'transaction', datatype: 'FP32', shape: [1, 30], data: Array(30).fill(-1) }] });
      assert.equal(bad.status, 400, 'the ensemble validates against the first step\'s feature ranges');
      assert.equal((bad.body as { code: string }).code, 'VALUE_OUT_OF_RANGE');
      const ok = await postJson(`${w.url}/v2/models/fraud-pipeline/infer`, { inputs: [{ name: 'transaction', datatype: 'FP32', shape: [1, 30], data: Array(30).fill(1) }] });
      assert.equal(ok.status, 200);
      const metrics = await (await fetch(`${w.url}/metrics`)).text();
      for (const model of ['fraud-preprocess', 'fraud']) {
        assert.match(metrics, new RegExp(`^switchyard_worker_batch_size_count\\{model="${model}",version="\\d"\\} [1-9]`, 'm'), `${model} ran a batch`);
      }
    } finally {
      await w.drain();
    }
  });
});
