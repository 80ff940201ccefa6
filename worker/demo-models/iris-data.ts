import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const IRIS_FEATURES = ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'] as const;
export const IRIS_SPECIES = ['setosa', 'versicolor', 'virginica'] as const;

export interface IrisData {
  /** Centimetres, in the order of IRIS_FEATURES. */
  readonly rows: number[][];
  /** Index into IRIS_SPECIES. */
  readonly labels: number[];
}

/** Parses Fisher's Iris CSV (header `sepal_length,...,species`, 150 rows). */
export function parseIrisCsv(text: string): IrisData {
  const [header, ...lines] = text.trim().split(/\r?\n/);
  if (header !== [...IRIS_FEATURES, 'species'].join(',')) throw new Error(`unexpected iris.csv header: ${header}`);
  const rows: number[][] = [];
  const labels: number[] = [];
  lines.forEach((line, i) => {
    const cells = line.split(',');
    const label = IRIS_SPECIES.indexOf(cells[4] as (typeof IRIS_SPECIES)[number]);
    const row = cells.slice(0, 4).map(Number);
    if (label < 0 || row.length !== 4 || row.some((v) => !Number.isFinite(v))) {
      throw new Error(`iris.csv line ${i + 2} is not 4 numbers and a species: ${line}`);
    }
    rows.push(row);
    labels.push(label);
  });
  return { rows, labels };
}

/**
 * Where data/iris.csv is: next to this module when run from source (tsx), or in the source
 * tree when run from dist/ (tsc does not copy data files).
 */
export function irisCsvPath(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, 'data', 'iris.csv'), join(here, '..', '..', '..', 'worker', 'demo-models', 'data', 'iris.csv')];
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`iris.csv not found; looked in ${candidates.join(', ')}`);
  return found;
}

export function loadIris(): IrisData {
  return parseIrisCsv(readFileSync(irisCsvPath(), 'utf8'));
}
