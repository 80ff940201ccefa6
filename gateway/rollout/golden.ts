import { readFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import type { GatewayConfig, GoldenConfig } from '../config/schema.js';
import type { CompiledBackend } from '../upstream/backend.js';
import { pickEndpoint } from '../upstream/balancer.js';
import { readPrediction } from './prediction.js';

/**
 * A golden data set (models/<name>/golden.json, see docs/rollouts.md):
 *   { "input": "input", "datatype": "FP32", "rows": [[...], ...], "expected": [1, 0, ...], "tolerance": 0 }
 * `expected` is each row's top class (classifiers) or its value (one-value outputs, matched
 * within `tolerance`). The score is the share of rows that match.
 */
export interface GoldenSet {
  readonly input: string;
  readonly datatype: string;
  readonly rows: readonly (readonly number[])[];
  readonly expected: readonly number[];
  readonly tolerance: number;
}

/** Rows per inference request, under the demo models' max batch size (64). */
const ROWS_PER_REQUEST = 32;

export interface GoldenScore {
  readonly score: number | undefined;
  readonly detail: string;
}

/** Where a backend's golden file is: absolute as given, else under <pool models>/<model>/. */
export function goldenPath(golden: GoldenConfig, config: GatewayConfig, backendName: string): string | undefined {
  if (isAbsolute(golden.file)) return golden.file;
  const backend = config.backends[backendName];
  const models = backend?.pool === undefined ? undefined : config.pools[backend.pool]?.models;
  if (models === undefined || backend?.model === undefined) return undefined;
  return join(models, backend.model, golden.file);
}

export function parseGoldenSet(text: string): GoldenSet {
  const raw = JSON.parse(text) as Partial<GoldenSet>;
  if (!Array.isArray(raw.rows) || !Array.isArray(raw.expected) || raw.rows.length !== raw.expected.length || raw.rows.length === 0) {
    throw new Error('expected {"input", "rows": [[...]], "expected": [...]} with one expected value per row');
  }
  return { input: raw.input ?? 'input', datatype: raw.datatype ?? 'FP32', rows: raw.rows, expected: raw.expected, tolerance: raw.tolerance ?? 0 };
}

/** Scores a model-aware backend on its golden set; never throws (an unreadable set gives no score, with the reason). */
export async function scoreGolden(golden: GoldenConfig, config: GatewayConfig, backend: CompiledBackend): Promise<GoldenScore> {
  const path = goldenPath(golden, config, backend.name);
  if (path === undefined) return { score: undefined, detail: `backend '${backend.name}' has no pool repository; give golden.file as an absolute path` };
  let set: GoldenSet;
  try {
    set = parseGoldenSet(await readFile(path, 'utf8'));
  } catch (err) {
    return { score: undefined, detail: `${path}: ${(err as Error).message}` };
  }
  let matched = 0;
  try {
    for (let start = 0; start < set.rows.length; start += ROWS_PER_REQUEST) {
      const rows = set.rows.slice(start, start + ROWS_PER_REQUEST);
      const predicted = await infer(backend, set, rows);
      predicted.forEach((p, i) => {
        const want = set.expected[start + i]!;
        if (Math.abs(p - want) <= set.tolerance) matched++;
      });
    }
  } catch (err) {
    return { score: undefined, detail: `scoring on '${backend.name}' failed: ${(err as Error).message}` };
  }
  return { score: matched / set.rows.length, detail: `${matched} of ${set.rows.length} rows of ${path} matched` };
}

/** One v2 request with the rows as a batch; each row's top class (or value). */
async function infer(backend: CompiledBackend, set: GoldenSet, rows: readonly (readonly number[])[]): Promise<number[]> {
  const endpoint = pickEndpoint(backend.endpoints, Math.random);
  if (endpoint === undefined) throw new Error('no healthy endpoint');
  const path = `/v2/models/${backend.model}${backend.version === undefined ? '' : `/versions/${backend.version}`}/infer`;
  const body = JSON.stringify({ inputs: [{ name: set.input, datatype: set.datatype, shape: [rows.length, rows[0]!.length], data: rows.flat() }] });
  const response = await endpoint.pool.request({ method: 'POST', path, headers: { 'content-type': 'application/json' }, body });
  const text = await response.body.text();
  if (response.statusCode !== 200) throw new Error(`HTTP ${response.statusCode}: ${text.slice(0, 200)}`);
  const prediction = readPrediction(text);
  if (prediction === undefined) throw new Error('the answer has no readable v2 output');
  return prediction.classes !== undefined ? [...prediction.classes] : [...prediction.values];
}
