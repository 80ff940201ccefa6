import { Pool } from 'undici';
import type { Logger } from '../observability/logger.js';
import { generateTransactions } from '../worker/demo-models/transactions.js';

/** Requests per second `switchyard up --demo-traffic` sends when no rate is given. */
export const DEFAULT_DEMO_RPS = 40;
/** Seed of the "current traffic" the fraud build measured v1 and v2 on (worker/demo-models/fraud.ts). */
const CURRENT_TRAFFIC_SEED = 401;
const ROWS = 2_000;

export interface DemoTraffic {
  /** Requests sent and answers by status class so far. */
  counts(): { sent: number; ok: number; failed: number };
  stop(): Promise<void>;
}

/**
 * A small, steady load on the demo's fraud route so its canary analysis has something to judge:
 * one transaction per request from the same synthetic "current traffic" the fraud build
 * measured v1 and v2 on, at `rps` requests per second, no unit header (split at random).
 * Not a benchmark: loadtest/ is.
 */
export function startDemoTraffic(gatewayUrl: string, rps: number, log: Logger): DemoTraffic {
  const rows = generateTransactions(ROWS, { seed: CURRENT_TRAFFIC_SEED });
  const pool = new Pool(gatewayUrl, { connections: 8 });
  let sent = 0;
  let ok = 0;
  let failed = 0;
  let next = 0;
  const timer = setInterval(() => {
    const row = rows[next++ % rows.length]!;
    sent++;
    const body = JSON.stringify({ inputs: [{ name: 'input', datatype: 'FP32', shape: [1, row.length], data: row }] });
    void pool.request({ method: 'POST', path: '/v2/models/fraud/infer', headers: { 'content-type': 'application/json' }, body })
      .then(async (res) => {
        await res.body.dump();
        if (res.statusCode < 400) ok++;
        else failed++;
      })
      .catch(() => failed++);
  }, 1000 / rps);
  timer.unref();
  log.info({ event: 'demo_traffic', rps, route: 'fraud' }, `sending ${rps} fraud requests/s to ${gatewayUrl} (--demo-traffic)`);
  return {
    counts: () => ({ sent, ok, failed }),
    stop: async () => {
      clearInterval(timer);
      await pool.close();
    },
  };
}
