/**
 * What an Open Inference Protocol v2 JSON answer predicted, read from its first output:
 * a tensor [n, k] with k > 1 gives each row's top class (argmax); [n] or [n, 1] gives values.
 * Anything else (no outputs, binary data, strings) gives nothing: it is simply not compared.
 */
export interface Prediction {
  /** Top class index per row, for classifier outputs. */
  readonly classes: readonly number[] | undefined;
  /** All output values, flattened (rows × columns). */
  readonly values: readonly number[];
  /** Columns per row (1 for one-value outputs). */
  readonly width: number;
}

interface OutputTensor {
  readonly shape?: unknown;
  readonly data?: unknown;
}

export function readPrediction(body: Uint8Array | string): Prediction | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(typeof body === 'string' ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'));
  } catch {
    return undefined;
  }
  const outputs = (parsed as { outputs?: unknown } | null)?.outputs;
  if (!Array.isArray(outputs) || outputs.length === 0) return undefined;
  const first = outputs[0] as OutputTensor;
  if (!Array.isArray(first.shape) || !Array.isArray(first.data)) return undefined;
  const values = (first.data as unknown[]).flat(Infinity);
  if (!values.every((v): v is number => typeof v === 'number')) return undefined;
  const shape = first.shape as number[];
  const width = shape.length >= 2 ? shape.slice(1).reduce((a, b) => a * b, 1) : 1;
  if (width < 1 || values.length % width !== 0) return undefined;
  if (width === 1) return { classes: undefined, values, width };
  const classes: number[] = [];
  for (let row = 0; row < values.length; row += width) {
    let best = 0;
    for (let k = 1; k < width; k++) if (values[row + k]! > values[row + best]!) best = k;
    classes.push(best);
  }
  return { classes, values, width };
}

/** How two answers to the same input compare: top-class agreement per row and the mean absolute difference. */
export interface PairComparison {
  readonly rows: number;
  readonly agreeing: number;
  readonly meanAbsDiff: number;
}

export function comparePredictions(a: Prediction, b: Prediction): PairComparison | undefined {
  if (a.width !== b.width || a.values.length !== b.values.length || a.values.length === 0) return undefined;
  let diff = 0;
  for (let i = 0; i < a.values.length; i++) diff += Math.abs(a.values[i]! - b.values[i]!);
  const rows = a.values.length / a.width;
  let agreeing = rows;
  if (a.classes !== undefined && b.classes !== undefined) {
    agreeing = 0;
    for (let r = 0; r < rows; r++) if (a.classes[r] === b.classes[r]) agreeing++;
  }
  return { rows, agreeing, meanAbsDiff: diff / a.values.length };
}
