import { mkdir, mkdtemp, readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse, stringify } from 'yaml';
import { buildBenchCnn } from '../../worker/demo-models/bench-cnn.js';
import { buildDemoModels } from '../../worker/demo-models/build.js';

/** The demo repository at ./models, built if missing (as `switchyard up` does). */
export async function ensureDemoModels(dir = resolve('models')): Promise<string> {
  const ok = await stat(join(dir, 'bench-cnn', '1', 'model.onnx')).then(() => true, () => false);
  if (!ok) await buildDemoModels(dir, { log: (l) => process.stderr.write(l + '\n') });
  return dir;
}

/**
 * A copy of a repository (models linked) plus bench-cnn-fp32: bench-cnn's network taking
 * float32 images, four bytes a pixel on the wire instead of one.
 */
export async function withFloatPixelCnn(source: string): Promise<string> {
  const out = await mkdtemp(join(tmpdir(), 'switchyard-fp32-'));
  for (const model of await readdir(source)) {
    if ((await stat(join(source, model))).isDirectory()) await symlink(join(source, model), join(out, model));
  }
  const cnn = buildBenchCnn('float32');
  await mkdir(join(out, cnn.name, '1'), { recursive: true });
  await writeFile(join(out, cnn.name, 'model.yaml'), cnn.modelYaml);
  await writeFile(join(out, cnn.name, '1', 'model.onnx'), cnn.versions[0]!.onnx!);
  return out;
}

/** A copy of a repository (model files linked) with dynamic batching switched off for every model. */
export async function withoutBatching(source: string): Promise<string> {
  const out = await mkdtemp(join(tmpdir(), 'switchyard-nobatch-'));
  for (const model of await readdir(source)) {
    const from = join(source, model);
    if (!(await stat(from)).isDirectory()) continue;
    await mkdir(join(out, model));
    for (const entry of await readdir(from)) {
      if (entry === 'model.yaml') {
        const config = (parse(await readFile(join(from, entry), 'utf8')) ?? {}) as Record<string, Record<string, unknown>>;
        config.dynamicBatching = { ...(config.dynamicBatching ?? {}), enabled: false };
        await writeFile(join(out, model, entry), stringify(config));
      } else {
        await symlink(join(from, entry), join(out, model, entry));
      }
    }
  }
  return out;
}
