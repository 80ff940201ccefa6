import { copyFile, mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MANIFEST_FILE, MODEL_FILE } from './layout.js';
import { isValidModelName, modelDirectory, modelNameProblem } from './model-name.js';
import { describeModelFile, type Manifest } from './manifest.js';
import { readOnnxSignature } from './onnx-signature.js';
import { compareVersions } from './version-policy.js';

export interface RegisterOptions {
  readonly repo: string;
  readonly name: string;
  /** Default: one more than the highest numeric version (1 for a new model). */
  readonly version?: string;
  /** The .onnx file to copy in. */
  readonly file: string;
  readonly metrics?: Readonly<Record<string, number>>;
  readonly sourceCommit?: string;
  readonly dataVersion?: string;
  readonly notes?: string;
  /** Injected so tests are exact. */
  readonly now?: () => Date;
}

/** Refusals a user can act on (existing version, bad name); the CLI prints them and exits 1. */
export class RegisterError extends Error {
  override readonly name = 'RegisterError';
}

/**
 * Adds a version to a repository: reads the model's signature (so a file onnxruntime could not
 * parse is refused before it lands), copies it to `repo/<name>/<version>/model.onnx` and writes
 * manifest.json. Everything is written to a hidden staging folder that is renamed into place,
 * so a worker polling the repository sees either no version or a whole one. Versions are
 * immutable: an existing one is never overwritten.
 */
export async function registerVersion(options: RegisterOptions): Promise<Manifest> {
  const { repo, name } = options;
  // The worker's rule (model-name.ts): a name registered here is one the repository API accepts.
  const nameProblem = modelNameProblem(name, '--name');
  if (nameProblem !== undefined) throw new RegisterError(nameProblem);
  const modelDir = modelDirectory(repo, name, '--name');
  const version = options.version ?? (await nextVersion(modelDir));
  if (!isValidModelName(version)) throw new RegisterError(`--version: '${version}' is not a valid version folder name (the model name rule applies)`);
  const versionDir = join(modelDir, version);
  if (await exists(versionDir)) {
    throw new RegisterError(`${name} version ${version} already exists at ${versionDir}; versions are immutable, register a new version instead`);
  }
  // Read before anything is written, so a file onnxruntime could not parse never lands.
  await readOnnxSignature(options.file).catch((err: unknown) => {
    throw new RegisterError(`${options.file} is not a readable ONNX model: ${(err as Error).message}`);
  });
  const staging = join(modelDir, `.register-${version}-${process.pid}-${Date.now()}`);
  await mkdir(staging, { recursive: true });
  try {
    const target = join(staging, MODEL_FILE);
    await copyFile(options.file, target);
    const manifest = await describeModelFile(target, {
      name,
      version,
      created: options.now?.() ?? new Date(),
      metrics: options.metrics,
      provenance: { sourceCommit: options.sourceCommit, dataVersion: options.dataVersion, notes: options.notes, sourceFile: options.file },
    });
    await writeFile(join(staging, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n');
    // rename() refuses to replace a non-empty folder, so a version registered meanwhile is not overwritten.
    await rename(staging, versionDir).catch((err: unknown) => {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOTEMPTY' || code === 'EEXIST') throw new RegisterError(`${name} version ${version} was registered by someone else meanwhile; nothing was written`);
      throw err;
    });
    return manifest;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** One more than the highest numeric version folder; 1 when there is none. */
export async function nextVersion(modelDir: string): Promise<string> {
  let names: string[] = [];
  try {
    names = (await readdir(modelDir, { withFileTypes: true })).filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const numeric = names.filter((n) => /^\d+$/.test(n)).sort(compareVersions);
  return String(numeric.length === 0 ? 1 : Number(numeric[numeric.length - 1]) + 1);
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}
