import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { demoModelsDir } from '../../helpers/demo-models.js';
import { startTestWorker } from '../../helpers/worker.js';
import { openSession, runOrt } from '../../unit/worker/demo-models/ort.js';
import { allClose } from '../../unit/worker/demo-models/reference-onnx.js';

type Worker = Awaited<ReturnType<typeof startTestWorker>>;

const IMAGE_BYTES = 3 * 224 * 224;

/** Distinct 8-bit images: large bodies, read into the worker's pooled shared buffers. */
function image(k: number): Uint8Array {
  return new Uint8Array(IMAGE_BYTES).map((_, i) => (i * (k + 3) + 17 * k) % 256);
}

async function inferBinary(url: string, pixels: Uint8Array): Promise<Float32Array> {
  const header = Buffer.from(JSON.stringify({
    inputs: [{ name: 'image', datatype: 'UINT8', shape: [1, 3, 224, 224], parameters: { binary_data_size: IMAGE_BYTES } }],
    outputs: [{ name: 'probabilities', parameters: { binary_data: true } }],
  }));
  const res = await fetch(`${url}/v2/models/bench-cnn/versions/1/infer`, {
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream', 'inference-header-content-length': String(header.length) },
    body: Buffer.concat([header, pixels]),
  });
  assert.equal(res.status, 200, await res.clone().text());
  const raw = Buffer.from(await res.arrayBuffer());
  const tail = raw.subarray(Number(res.headers.get('inference-header-content-length')));
  return new Float32Array(tail.buffer.slice(tail.byteOffset, tail.byteOffset + tail.length));
}

describe('large request bodies in pooled shared buffers', () => {
  let w: Worker;
  const images = [0, 1, 2].map(image);
  let expected: Float32Array[];
  before(async () => {
    w = await startTestWorker(['bench-cnn']);
    const session = await openSession(join(await demoModelsDir(), 'bench-cnn', '1', 'model.onnx'));
    expected = [];
    for (const pixels of images) expected.push(await runOrt(session, 'image', pixels, [1, 3, 224, 224], 'probabilities'));
    await session.release();
  });
  after(async () => {
    await w.drain();
  });

  it('one request after another (each reusing the buffer the last gave back) gets its own image\'s answer', async () => {
    for (const round of [0, 1]) {
      for (const [k, pixels] of images.entries()) {
        const { ok, worst } = allClose(await inferBinary(w.url, pixels), expected[k]!);
        assert.ok(ok, `round ${round}, image ${k}: ${worst}`);
      }
    }
  });

  it('concurrent requests, batched together from several shared buffers, each get their own answer', async () => {
    const order = [0, 1, 2, 2, 1, 0, 1, 2, 0, 0, 2, 1];
    const answers = await Promise.all(order.map((k) => inferBinary(w.url, images[k]!)));
    answers.forEach((answer, i) => {
      const { ok, worst } = allClose(answer, expected[order[i]!]!);
      assert.ok(ok, `request ${i} (image ${order[i]}): ${worst}`);
    });
  });
});
