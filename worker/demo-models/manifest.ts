import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MANIFEST_FILE, MODEL_FILE } from '../repository/layout.js';
import { describeModelFile } from '../repository/manifest.js';

/**
 * The manifest a demo version ships with, as `models register` would write it. `created` is
 * SOURCE_DATE_EPOCH (seconds) when set, so reproducible builds stay byte-identical; else now.
 */
export async function writeDemoManifest(name: string, version: string, versionDir: string, metrics: Readonly<Record<string, number>>): Promise<void> {
  const epoch = process.env.SOURCE_DATE_EPOCH;
  const manifest = await describeModelFile(join(versionDir, MODEL_FILE), {
    name,
    version,
    created: epoch !== undefined && /^\d+$/.test(epoch) ? new Date(Number(epoch) * 1000) : new Date(),
    metrics: Object.fromEntries(Object.entries(metrics).filter(([, v]) => Number.isFinite(v))),
    provenance: { dataVersion: 'synthetic (seeded, worker/demo-models)', notes: 'built by switchyard models build' },
  });
  await writeFile(join(versionDir, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n');
}
