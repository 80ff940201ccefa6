import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildDemoModels, demoModelNames } from '../../worker/demo-models/build.js';
import { scanRepository } from '../../worker/repository/layout.js';
import { selectVersions } from '../../worker/repository/version-policy.js';
import type { Command } from '../command.js';
import { UsageError } from '../command.js';

export const DEFAULT_MODELS_DIR = 'models';

const usage = `Usage: switchyard models <build|list> [options]

  build [--out DIR] [--only NAME,...]
      Trains and writes the demo models (${demoModelNames.join(', ')}) as a model
      repository: DIR/<name>/<version>/model.onnx and DIR/<name>/model.yaml.
      Deterministic; nothing is downloaded. Default DIR: ./${DEFAULT_MODELS_DIR}.
  list [--repo DIR] [--json]
      Lists each model's versions and which of them the version policy loads.

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

async function list(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { repo: { type: 'string' }, json: { type: 'boolean' } }, strict: true });
  const repo = resolve(values.repo ?? DEFAULT_MODELS_DIR);
  try {
    await stat(repo);
  } catch {
    process.stderr.write(`no model repository at ${repo}; run \`switchyard models build --out ${values.repo ?? DEFAULT_MODELS_DIR}\` first\n`);
    return 1;
  }
  const models = (await scanRepository(repo)).map((m) => ({
    name: m.name,
    versions: m.versions,
    loaded: selectVersions(m.versions, m.config.versionPolicy),
    maxBatchSize: m.config.maxBatchSize,
    device: m.config.device ?? 'cpu',
  }));
  if (values.json) {
    process.stdout.write(JSON.stringify({ repository: repo, models }, null, 2) + '\n');
    return 0;
  }
  const header = ['MODEL', 'VERSIONS', 'LOADED BY POLICY', 'MAX BATCH', 'DEVICE'];
  const rows = models.map((m) => [m.name, m.versions.join(','), m.loaded.join(','), String(m.maxBatchSize), m.device]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  for (const r of [header, ...rows]) process.stdout.write(r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd() + '\n');
  return 0;
}

export const modelsCommand: Command = {
  name: 'models',
  summary: 'build the demo models; list the versions in a model repository',
  usage,
  async run(argv) {
    const [sub, ...rest] = argv;
    if (sub === 'build') return build(rest);
    if (sub === 'list') return list(rest);
    throw new UsageError(sub === undefined ? 'missing subcommand' : `unknown subcommand '${sub}'`);
  },
};
