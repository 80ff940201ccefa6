import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { RegisterError, registerVersion } from '../../worker/repository/register.js';
import { UsageError } from '../command.js';
import { DEFAULT_MODELS_DIR } from './models-list.js';

/** `switchyard models register`: copies a model file into the repository as a new, immutable version with its manifest. */
export async function registerCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      repo: { type: 'string' },
      name: { type: 'string' },
      version: { type: 'string' },
      file: { type: 'string' },
      metrics: { type: 'string' },
      'source-commit': { type: 'string' },
      'data-version': { type: 'string' },
      notes: { type: 'string' },
      json: { type: 'boolean' },
    },
    strict: true,
  });
  if (!values.name) throw new UsageError('--name is required');
  if (!values.file) throw new UsageError('--file model.onnx is required');
  const metrics = values.metrics === undefined ? undefined : parseMetrics(values.metrics);
  try {
    const manifest = await registerVersion({
      repo: resolve(values.repo ?? DEFAULT_MODELS_DIR),
      name: values.name,
      version: values.version,
      file: resolve(values.file),
      metrics,
      sourceCommit: values['source-commit'],
      dataVersion: values['data-version'],
      notes: values.notes,
    });
    if (values.json) process.stdout.write(JSON.stringify(manifest, null, 2) + '\n');
    else process.stdout.write(`registered ${manifest.name} version ${manifest.version} (sha256 ${manifest.sha256}, ${manifest.size} bytes)\n`);
    return 0;
  } catch (err) {
    if (!(err instanceof RegisterError)) throw err;
    process.stderr.write(`switchyard models register: ${err.message}\n`);
    return 1;
  }
}

/** `--metrics '{"auc":0.93}'`: a JSON object of finite numbers. */
function parseMetrics(text: string): Record<string, number> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`--metrics: expected a JSON object such as '{"auc":0.93}', received invalid JSON (${(err as Error).message})`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new UsageError('--metrics: expected a JSON object of numbers');
  for (const [k, v] of Object.entries(json)) {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new UsageError(`--metrics: '${k}' must be a finite number, received ${JSON.stringify(v)}`);
  }
  return json as Record<string, number>;
}
