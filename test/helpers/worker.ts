import { mkdtemp, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../observability/logger.js';
import { createModelRunner } from '../../worker/batching/model-runner.js';
import { startWorker, type RunningWorker } from '../../worker/start-worker.js';
import { demoModelsDir } from './demo-models.js';

/** A repository holding only some demo models (symlinked), so a test loads what it needs. */
export async function demoRepository(models: readonly string[]): Promise<string> {
  const source = await demoModelsDir();
  const dir = await mkdtemp(join(tmpdir(), 'switchyard-repo-'));
  for (const m of models) await symlink(join(source, m), join(dir, m));
  return dir;
}

/** A real worker (real onnxruntime sessions in threads) on a free loopback port. */
export async function startTestWorker(models: readonly string[], options: { maxBodyBytes?: number } = {}): Promise<RunningWorker & { url: string }> {
  const worker = await startWorker({
    modelsDir: await demoRepository(models),
    httpPort: 0,
    host: '127.0.0.1',
    log: silentLogger(),
    createRunner: createModelRunner,
    maxBodyBytes: options.maxBodyBytes,
  });
  return Object.assign(worker, { url: `http://127.0.0.1:${worker.httpPort}` });
}
