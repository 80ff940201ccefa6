import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MANIFEST_FILE, MODEL_FILE } from '../repository/layout.js';
import { manifestSchema, sha256File } from '../repository/manifest.js';
import { readOnnxSignature } from '../repository/onnx-signature.js';
import { stat } from 'node:fs/promises';

/**
 * The manifest a demo version ships with, as `models register` would write it. `created` is
 * SOURCE_DATE_EPOCH (seconds) when set, so reproducible builds stay byte-identical; else now.
 */
export async function writeDemoManifest(name: string, version: string, versionDir: string, metrics: Readonly<Record<string, number>>): Promise<void> {
  const file = join(versionDir, MODEL_FILE);
  const signature = await readOnnxSignature(file);
  const epoch = process.env.SOURCE_DATE_EPOCH;
  const created = epoch !== undefined && /^\d+$/.test(epoch) ? new Date(Number(epoch) * 1000) : new Date();
  const manifest = manifestSchema.parse({
    name,
    version,
    file: MODEL_FILE,
    sha256: await sha256File(file),
    size: (await stat(file)).size,
    created: created.toISOString(),
    inputs: signature.inputs.map((t) => ({ ...t, shape: [...t.shape] })),
    outputs: signature.outputs.map((t) => ({ ...t, shape: [...t.shape] })),
    opset: signature.opset,
    producer: signature.producer || undefined,
    metrics: Object.fromEntries(Object.entries(metrics).filter(([, v]) => Number.isFinite(v))),
    provenance: { dataVersion: 'synthetic (seeded, worker/demo-models)', notes: 'built by switchyard models build' },
  });
  await writeFile(join(versionDir, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n');
}
