import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildDemoModels, demoModelNames } from '../../worker/demo-models/build.js';
import { DEFAULT_MODELS_DIR, listCommand } from './models-list.js';
import { registerCommand } from './models-register.js';
import type { Command } from '../command.js';
import { UsageError } from '../command.js';

export { DEFAULT_MODELS_DIR };

const usage = `Usage: switchyard models <build|register|list> [options]

  build [--out DIR] [--only NAME,...]
      Trains and writes the demo models (${demoModelNames.join(', ')}) as a model
      repository: DIR/<name>/<version>/model.onnx and DIR/<name>/model.yaml.
      Deterministic; nothing is downloaded. Default DIR: ./${DEFAULT_MODELS_DIR}.
  register --name N --file model.onnx [--repo DIR] [--version V] [--metrics JSON]
           [--source-commit SHA] [--data-version TAG] [--notes TEXT] [--json]
      Copies the file to DIR/N/V/model.onnx and writes DIR/N/V/manifest.json (sha256, size,
      created, inputs and outputs read from the model, metrics, provenance). V defaults to one
      more than the highest numeric version. An existing version is never overwritten (exit 1).
  list [--repo DIR] [--json] [--worker URL]...
      Lists each model's versions with their manifests, which of them the version policy keeps
      loaded, and, for each --worker, the version's state on that worker (its repository index).

Options:
  -h, --help   this text`;

async function build(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { out: { type: 'string' }, only: { type: 'string' } }, strict: true });
  const out = resolve(values.out ?? DEFAULT_MODELS_DIR);
  const only = values.only?.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const unknown = only?.filter((n) => !(demoModelNames as readonly string[]).includes(n)) ?? [];
  if (unknown.length > 0) throw new UsageError(`--only: unknown demo model ${unknown.join(', ')}; choose from ${demoModelNames.join(', ')}`);
  const built = await buildDemoModels(out, { only, log: (line) => process.stdout.write(line + '\n') });
  process.stdout.write(`wrote ${built.length} model versions to ${out}\n`);
  return 0;
}

export const modelsCommand: Command = {
  name: 'models',
  summary: 'build the demo models; register a version with its manifest; list versions and where they are loaded',
  usage,
  async run(argv) {
    const [sub, ...rest] = argv;
    if (sub === 'build') return build(rest);
    if (sub === 'list') return listCommand(rest);
    if (sub === 'register') return registerCommand(rest);
    throw new UsageError(sub === undefined ? 'missing subcommand' : `unknown subcommand '${sub}'`);
  },
};
