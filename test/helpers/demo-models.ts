import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildDemoModels } from '../../worker/demo-models/build.js';
import { irisCsvPath } from '../../worker/demo-models/iris-data.js';

/** Shared by every test process on the machine: one build per version of the builder's sources. */
const CACHE_ROOT = join(tmpdir(), 'switchyard-demo-models');
const BUILDER_DIR = fileURLToPath(new URL('../../worker/demo-models/', import.meta.url));

let pending: Promise<string> | undefined;

/**
 * A model repository with every demo model, built once and reused. The cache folder is
 * named after a hash of the builder's sources and data, so editing the builder rebuilds.
 * A build goes to a private temporary folder that is renamed into place, so a concurrent
 * process sees either no build or a whole one. Treat the folder as read-only.
 */
export function demoModelsDir(): Promise<string> {
  pending ??= locateOrBuild().catch((error: unknown) => {
    pending = undefined;
    throw error;
  });
  return pending;
}

async function locateOrBuild(): Promise<string> {
  const target = join(CACHE_ROOT, await builderHash());
  if (existsSync(target)) return target;
  await mkdir(CACHE_ROOT, { recursive: true });
  const staging = await mkdtemp(join(CACHE_ROOT, '.building-'));
  try {
    await buildDemoModels(staging);
    await rename(staging, target);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    // Another process renamed its build into place first: theirs is identical, use it.
    if (!existsSync(target)) throw error;
  }
  return target;
}

/** sha256 of every file under worker/demo-models (sources or compiled output) and iris.csv; 16 hex digits. */
async function builderHash(): Promise<string> {
  const hash = createHash('sha256');
  const files = [...(await listFiles(BUILDER_DIR)).sort(), irisCsvPath()];
  for (const file of files) {
    hash.update(relative(BUILDER_DIR, file)).update('\0').update(await readFile(file)).update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(entries.map((e) => {
    const path = join(dir, e.name);
    return e.isDirectory() ? listFiles(path) : Promise.resolve(e.isFile() ? [path] : []);
  }));
  return nested.flat();
}
