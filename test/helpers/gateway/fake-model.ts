import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeModelOptions {
  /** Every n-th inference answers 500 (20: 5 % errors); 0: never. */
  errorEvery?: number;
  /** Class predicted for an input row, from its first value; default: class 1 when row[0] > 0.5. */
  classify?: (row: readonly number[]) => number;
  /** Delay before answering, ms. */
  delayMs?: number;
  /** Inference requests never get an answer (until close). */
  hang?: boolean;
}

export interface FakeModel {
  readonly url: string;
  /** Inference requests received. */
  readonly count: () => number;
  /** Change behaviour while running. */
  set(options: FakeModelOptions): void;
  close(): Promise<void>;
}

/**
 * An Open Inference Protocol v2 server for gateway tests that need real model answers without
 * onnxruntime: /v2/health/ready answers 200; .../infer answers each row of the first input with
 * two-class probabilities [1-p, p], p = 0.9 for the predicted class 1, else 0.1.
 */
export async function startFakeModel(options: FakeModelOptions = {}): Promise<FakeModel> {
  let current = options;
  let count = 0;
  const held: ServerResponse[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (!(req.url ?? '').endsWith('/infer')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{}');
        return;
      }
      count++;
      if (current.hang === true) {
        held.push(res);
        return;
      }
      const answer = (): void => {
        if (current.errorEvery !== undefined && current.errorEvery > 0 && count % current.errorEvery === 0) {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end('{"error":"injected"}');
          return;
        }
        const input = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { inputs: { shape: number[]; data: number[] }[] }).inputs[0]!;
        const width = input.shape[1] ?? 1;
        const data: number[] = [];
        for (let r = 0; r < input.data.length; r += width) {
          const row = input.data.slice(r, r + width);
          const cls = (current.classify ?? ((x) => (x[0]! > 0.5 ? 1 : 0)))(row);
          data.push(cls === 1 ? 0.1 : 0.9, cls === 1 ? 0.9 : 0.1);
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ model_name: 'm', outputs: [{ name: 'probabilities', datatype: 'FP32', shape: [data.length / 2, 2], data }] }));
      };
      if (current.delayMs !== undefined) setTimeout(answer, current.delayMs);
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    count: () => count,
    set: (o) => (current = o),
    close: () => new Promise((resolve) => {
      for (const res of held) res.destroy();
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** One inference request body with `rows` rows of two values; row i's first value is i's share of the rows. */
export function inferBody(values: readonly number[]): string {
  return JSON.stringify({ inputs: [{ name: 'input', datatype: 'FP32', shape: [1, values.length], data: values }] });
}

/**
 * A gateway config with model backends v1 (stable) and v2 (canary) of model 'fraud' and one
 * route 'fraud' on /v2/models/fraud whose rollout is `rollout` (inline YAML, or a block that
 * starts with a newline); `top` goes first (e.g. a store section).
 */
export function fraudCanaryYaml(stable: string, canary: string, rollout: string, top = ''): string {
  return `${top}
backends:
  v1: { endpoints: [${stable}], model: fraud, version: 1 }
  v2: { endpoints: [${canary}], model: fraud, version: 2 }
routes:
  - name: fraud
    match: { pathPrefix: /v2/models/fraud }
    rollout: ${rollout}
`;
}
