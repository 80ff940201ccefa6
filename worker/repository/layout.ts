import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { modelConfigSchema, type ModelConfig } from './model-config.js';
import { isValidModelName, modelDirectory, modelNameProblem } from './model-name.js';
import { compareVersions } from './version-policy.js';

/** One model folder of a repository: `DIR/<name>/<version>/model.onnx` plus optional model.yaml. */
export interface RepositoryModel {
  readonly name: string;
  readonly dir: string;
  readonly config: ModelConfig;
  /** Every version folder that holds a model.onnx, ascending. */
  readonly versions: string[];
}

export const MODEL_FILE = 'model.onnx';
export const MODEL_CONFIG_FILE = 'model.yaml';
export const MANIFEST_FILE = 'manifest.json';

/** Folder names under `dir`, following symbolic links (repositories are often assembled from links). */
async function subdirectories(dir: string): Promise<string[]> {
  const names: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    if (entry.isDirectory() || (entry.isSymbolicLink() && (await stat(join(dir, entry.name)).then((s) => s.isDirectory(), () => false)))) {
      names.push(entry.name);
    }
  }
  return names.sort();
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

export async function readModelConfig(modelDir: string): Promise<ModelConfig> {
  const path = join(modelDir, MODEL_CONFIG_FILE);
  if (!(await exists(path))) return modelConfigSchema.parse({});
  const parsed = modelConfigSchema.safeParse(parseYaml(await readFile(path, 'utf8')) ?? {});
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(top level)'}: ${i.message}`).join('; ');
    throw new Error(`${path}: ${problems}`);
  }
  return parsed.data;
}

/**
 * Lists the models of a repository. A folder without any version holding model.onnx is skipped
 * (for an ensemble, whose versions hold no file, any version folder counts), and so is a folder
 * whose name breaks the model name rule: it could never be loaded or addressed by name, and
 * `onSkipped` says why.
 */
export async function scanRepository(dir: string, onSkipped?: (name: string, reason: string) => void): Promise<RepositoryModel[]> {
  const models: RepositoryModel[] = [];
  for (const name of await subdirectories(dir)) {
    if (!isValidModelName(name)) {
      onSkipped?.(name, modelNameProblem(name, `the folder ${join(dir, name)}`)!);
      continue;
    }
    const model = await scanModel(dir, name);
    if (model) models.push(model);
  }
  return models;
}

/** One model of a repository, or undefined when it has no servable version. A name that breaks the rule is a 400. */
export async function scanModel(dir: string, name: string): Promise<RepositoryModel | undefined> {
  const modelDir = modelDirectory(dir, name);
  if (!(await exists(modelDir))) return undefined;
  const config = await readModelConfig(modelDir);
  const versions: string[] = [];
  for (const v of await subdirectories(modelDir)) {
    if (config.ensemble !== undefined || (await exists(join(modelDir, v, MODEL_FILE)))) versions.push(v);
  }
  if (versions.length === 0) return undefined;
  return { name, dir: modelDir, config, versions: versions.sort(compareVersions) };
}
