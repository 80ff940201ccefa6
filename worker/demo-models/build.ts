import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DemoModelArtifacts } from './artifacts.js';
import { buildBenchCnn } from './bench-cnn.js';
import { buildBenchCnnInt8 } from './bench-cnn-int8.js';
import { buildFraud } from './fraud.js';
import { buildIris } from './iris.js';
import { loadIris } from './iris-data.js';
import { buildFraudPipeline, buildFraudPreprocess } from './fraud-pipeline.js';
import { writeDemoManifest } from './manifest.js';

export { generateTransactions, generateLabelledTransactions, TRANSACTION_FEATURES } from './transactions.js';
export { loadIris, parseIrisCsv, IRIS_FEATURES, IRIS_SPECIES } from './iris-data.js';
export { computeCost, resnetPlan } from './resnet.js';

export const demoModelNames = ['fraud', 'iris', 'bench-cnn', 'bench-cnn-int8', 'fraud-preprocess', 'fraud-pipeline'] as const;
export type DemoModelName = (typeof demoModelNames)[number];

const BUILDERS: Readonly<Record<DemoModelName, () => DemoModelArtifacts | Promise<DemoModelArtifacts>>> = {
  fraud: buildFraud,
  iris: () => buildIris(loadIris()),
  'bench-cnn': buildBenchCnn,
  'bench-cnn-int8': buildBenchCnnInt8,
  'fraud-preprocess': buildFraudPreprocess,
  'fraud-pipeline': buildFraudPipeline,
};

/** One model version as written to disk. */
export interface BuiltModel {
  readonly name: DemoModelName;
  readonly version: string;
  /** `outDir/<name>/<version>/model.onnx` */
  readonly onnxPath: string;
  /** `outDir/<name>/model.yaml` */
  readonly configPath: string;
  /** Hex sha256 of model.onnx. */
  readonly sha256: string;
  readonly bytes: number;
  /** What the build measured: accuracy, disagreement with v1, GFLOPs... */
  readonly metrics: Readonly<Record<string, number>>;
}

export interface BuildOptions {
  /** Build only these models (default: all of demoModelNames). */
  readonly only?: readonly string[];
  /** Receives one progress line per model version. */
  readonly log?: (line: string) => void;
}

/**
 * Trains or generates the demo models and writes them as a Triton-style repository:
 * `outDir/<name>/<version>/model.onnx` and `outDir/<name>/model.yaml`. Everything is
 * seeded, so the same sources give byte-identical files. About 2 s for all three on 2 cores.
 */
export async function buildDemoModels(outDir: string, options: BuildOptions = {}): Promise<BuiltModel[]> {
  const names = selectModels(options.only);
  const built: BuiltModel[] = [];
  for (const name of names) {
    const started = performance.now();
    const artifacts = await BUILDERS[name]();
    const seconds = (performance.now() - started) / 1000;
    const modelDir = join(outDir, name);
    const configPath = join(modelDir, 'model.yaml');
    await mkdir(modelDir, { recursive: true });
    await writeFile(configPath, artifacts.modelYaml);
    for (const [file, text] of Object.entries(artifacts.files ?? {})) await writeFile(join(modelDir, file), text);
    for (const v of artifacts.versions) {
      const onnxPath = join(modelDir, v.version, 'model.onnx');
      await mkdir(join(modelDir, v.version), { recursive: true });
      if (v.onnx === undefined) continue;
      await writeFile(onnxPath, v.onnx);
      await writeDemoManifest(name, v.version, join(modelDir, v.version), v.metrics);
      const model: BuiltModel = {
        name, version: v.version, onnxPath, configPath,
        sha256: createHash('sha256').update(v.onnx).digest('hex'),
        bytes: v.onnx.byteLength,
        metrics: v.metrics,
      };
      built.push(model);
      options.log?.(progressLine(model, seconds));
    }
  }
  return built;
}

function selectModels(only: readonly string[] | undefined): DemoModelName[] {
  if (!only) return [...demoModelNames];
  const unknown = only.filter((n) => !(demoModelNames as readonly string[]).includes(n));
  if (unknown.length > 0) {
    throw new Error(`unknown demo model ${unknown.join(', ')}; the demo models are ${demoModelNames.join(', ')}`);
  }
  return demoModelNames.filter((n) => only.includes(n));
}

function progressLine(model: BuiltModel, seconds: number): string {
  const metrics = Object.entries(model.metrics)
    .map(([k, v]) => `${k}=${Number.isInteger(v) ? v : v.toFixed(4)}`)
    .join(' ');
  const size = model.bytes >= 1e6 ? `${(model.bytes / 2 ** 20).toFixed(1)} MiB` : `${(model.bytes / 1024).toFixed(1)} KiB`;
  return `built ${model.name} v${model.version} (${size}, ${seconds.toFixed(2)} s for the model): ${metrics}`;
}
