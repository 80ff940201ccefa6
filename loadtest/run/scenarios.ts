import { generateTransactions } from '../../worker/demo-models/build.js';
import type { RequestSpec } from '../harness/http-sender.js';
import type { Sample } from '../harness/recorder.js';
import { EXPERIMENT_ROUTE_HEADER } from '../harness/stack.js';

export const SCENARIOS = ['steady', 'spike', 'soak', 'canary', 'ab'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export interface ScenarioOptions {
  readonly model: string;
  readonly adminUrl: string;
  /** The harness started the stack, so the experiment route needs its routing header. */
  readonly ownStack: boolean;
  /** NAME:VALUE pairs sent with every request. */
  readonly extraHeaders: readonly string[];
  readonly experiment: string;
  readonly units: number;
  readonly metric: string;
  readonly baseRate: number;
  readonly lift: number;
}

export interface Scenario {
  readonly request: (i: number) => RequestSpec;
  readonly after?: (sample: Sample, headers: Record<string, string>, i: number) => Promise<void>;
  /** A/B: outcome posts by status, filled while the run goes. */
  readonly outcomes: Record<string, number>;
}

/**
 * bench-cnn: one 3×224×224 image per request over the binary tensor extension (a JSON header,
 * then the raw 8-bit pixels), 4 different images. About 150 KB each and ~8 ms of inference on
 * 2 cores: the model that overloads this machine at about 120 requests/s.
 */
function imageBodies(): { headers: Record<string, string>; bodies: Buffer[] } {
  const bytes = 3 * 224 * 224;
  const header = Buffer.from(JSON.stringify({
    inputs: [{ name: 'image', datatype: 'UINT8', shape: [1, 3, 224, 224], parameters: { binary_data_size: bytes } }],
    outputs: [{ name: 'probabilities', parameters: { binary_data: false } }],
  }));
  const bodies = Array.from({ length: 4 }, (_, k) => Buffer.concat([header, Buffer.from(new Uint8Array(3 * 224 * 224).map((_, i) => (i * (k + 3)) % 255))]));
  return { headers: { 'content-type': 'application/octet-stream', 'inference-header-content-length': String(header.length) }, bodies };
}

/** Pre-encoded bodies, one row each, cycled: fraud rows from the demo generator, iris rows fixed. */
function bodies(model: string): string[] {
  const rows = model === 'fraud'
    ? generateTransactions(256, { seed: 17 })
    : [[5.1, 3.5, 1.4, 0.2], [6.7, 3.0, 5.2, 2.3], [5.9, 3.0, 4.2, 1.5], [6.3, 2.9, 5.6, 1.8]];
  return rows.map((row) => JSON.stringify({ inputs: [{ name: 'input', datatype: 'FP32', shape: [1, row.length], data: row }] }));
}

function headerPairs(pairs: readonly string[]): Record<string, string> {
  return Object.fromEntries(pairs.map((p) => {
    const at = p.indexOf(':');
    if (at <= 0) throw new Error(`--header takes NAME:VALUE, received '${p}'`);
    return [p.slice(0, at).trim().toLowerCase(), p.slice(at + 1).trim()];
  }));
}

/** The request (and, for A/B, the outcome post) each scenario sends. */
export function buildScenario(name: ScenarioName, options: ScenarioOptions): Scenario {
  const images = options.model === 'bench-cnn' ? imageBodies() : undefined;
  const encoded: (string | Buffer)[] = images?.bodies ?? bodies(options.model);
  const path = `/v2/models/${options.model}/infer`;
  const headers = { ...(images?.headers ?? { 'content-type': 'application/json' }), ...headerPairs(options.extraHeaders) };
  const outcomes: Record<string, number> = {};
  if (name !== 'ab') return { request: (i) => ({ path, headers, body: encoded[i % encoded.length] }), outcomes };

  // A/B: unit i mod UNITS (a deterministic spread, so every unit returns); a conversion with
  // probability baseRate, plus lift in the treatment, posted to the admin listener.
  const unitOf = (i: number) => `loadtest-unit-${(i * 7919) % options.units}`;
  const abHeaders = { ...headers, ...(options.ownStack ? { [EXPERIMENT_ROUTE_HEADER]: 'ab' } : {}) };
  const outcomesUrl = `${options.adminUrl}/v1/experiments/${encodeURIComponent(options.experiment)}/outcomes`;
  return {
    outcomes,
    request: (i) => ({ path, headers: { ...abHeaders, 'x-user-id': unitOf(i) }, body: encoded[i % encoded.length] }),
    async after(sample, responseHeaders, i) {
      if (sample.status < 200 || sample.status >= 300) return;
      const treated = responseHeaders['x-switchyard-variant'] === 'treatment';
      const value = Math.random() < options.baseRate + (treated ? options.lift : 0) ? 1 : 0;
      let key: string;
      try {
        const res = await fetch(outcomesUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ unit: unitOf(i), metric: options.metric, value }) });
        await res.arrayBuffer();
        key = String(res.status);
      } catch {
        key = 'conn';
      }
      outcomes[key] = (outcomes[key] ?? 0) + 1;
    },
  };
}
