import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { scanRepository } from '../../worker/repository/layout.js';
import { readManifest, type Manifest } from '../../worker/repository/manifest.js';
import { selectVersions } from '../../worker/repository/version-policy.js';
import { UsageError } from '../command.js';

export const DEFAULT_MODELS_DIR = 'models';
/** How long `models list --worker` waits for one worker's index, ms. */
const WORKER_TIMEOUT_MS = 3000;

interface WorkerIndexEntry { name: string; version: string; state: string; sha256?: string }

export interface ListedVersion {
  readonly version: string;
  /** Whether the model's version policy keeps this version loaded. */
  readonly kept: boolean;
  readonly manifest: Manifest | undefined;
  /** Worker URL → state there (READY, LOADING, UNLOADING, UNAVAILABLE), for each --worker asked. */
  readonly workers: Record<string, string>;
}

/** `switchyard models list`: every model and version in a repository, its manifest, and where it is loaded. */
export async function listCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { repo: { type: 'string' }, json: { type: 'boolean' }, worker: { type: 'string', multiple: true } },
    strict: true,
  });
  const repo = resolve(values.repo ?? DEFAULT_MODELS_DIR);
  if (!(await stat(repo).then(() => true, () => false))) {
    process.stderr.write(`no model repository at ${repo}; run \`switchyard models build --out ${values.repo ?? DEFAULT_MODELS_DIR}\` first\n`);
    return 1;
  }
  const workers = values.worker ?? [];
  for (const w of workers) if (!/^https?:\/\//.test(w)) throw new UsageError(`--worker: expected a URL such as http://127.0.0.1:8000, received '${w}'`);
  const indexes = await Promise.all(workers.map((url) => workerIndex(url)));
  const models = [];
  for (const m of await scanRepository(repo)) {
    const kept = new Set(selectVersions(m.versions, m.config.versionPolicy));
    const versions: ListedVersion[] = [];
    for (const version of m.versions) {
      const states: Record<string, string> = {};
      workers.forEach((url, i) => {
        const index = indexes[i]!;
        states[url] = typeof index === 'string' ? index : (index.find((e) => e.name === m.name && e.version === version)?.state ?? 'ABSENT');
      });
      versions.push({ version, kept: kept.has(version), manifest: await readManifest(join(m.dir, version)).catch(() => undefined), workers: states });
    }
    models.push({ name: m.name, ensemble: m.config.ensemble !== undefined, policy: m.config.versionPolicy, versions });
  }
  if (values.json) {
    process.stdout.write(JSON.stringify({ repository: repo, models }, null, 2) + '\n');
    return 0;
  }
  const header = ['MODEL', 'VERSION', 'POLICY', 'SHA256', 'CREATED', 'SOURCE COMMIT', 'DATA', ...workers.map((w) => `ON ${w}`)];
  const rows = models.flatMap((m) => m.versions.map((v) => [
    m.name,
    v.version,
    v.kept ? 'loaded' : '-',
    v.manifest?.sha256.slice(0, 12) ?? (m.ensemble ? 'ensemble' : 'no manifest'),
    v.manifest?.created.slice(0, 19) ?? '-',
    v.manifest?.provenance.sourceCommit?.slice(0, 12) ?? '-',
    v.manifest?.provenance.dataVersion ?? '-',
    ...workers.map((w) => v.workers[w] ?? '-'),
  ]));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  for (const r of [header, ...rows]) process.stdout.write(r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd() + '\n');
  return 0;
}

/** A worker's repository index, or the reason it could not be read (shown in that worker's column). */
async function workerIndex(url: string): Promise<WorkerIndexEntry[] | string> {
  try {
    const res = await fetch(new URL('/v2/repository/index', url), { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' }, signal: AbortSignal.timeout(WORKER_TIMEOUT_MS) });
    if (res.status !== 200) return `HTTP ${res.status}`;
    return (await res.json()) as WorkerIndexEntry[];
  } catch {
    return 'UNREACHABLE';
  }
}
