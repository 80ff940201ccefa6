import type { GatewayConfig, RouteConfig } from '../gateway/config/schema.js';
import { generateTransactions } from '../worker/demo-models/transactions.js';

/** Seed of the fraud row the banner sends: any row of the synthetic traffic will do. */
const EXAMPLE_FRAUD_SEED = 7;

/** An input row for each demo model the banner knows how to call, by model name. */
function exampleRow(model: string): number[] | undefined {
  if (model === 'iris') return [5.1, 3.5, 1.4, 0.2];
  if (model === 'fraud') return generateTransactions(1, { seed: EXAMPLE_FRAUD_SEED })[0]!.map((x) => Math.round(x * 100) / 100);
  return undefined;
}

/** The model a route serves, when it is a v2 model route (pathPrefix /v2/models/NAME). */
function routeModel(route: RouteConfig): string | undefined {
  return /^\/v2\/models\/([^/]+)\/?$/.exec(route.match.pathPrefix)?.[1];
}

/**
 * The "Try:" command of `switchyard up`'s banner, derived from the loaded config: an inference
 * request to a route that serves a demo model (the one with the shortest input), with the experiment's unit header when
 * the route is an experiment (so the request is counted); else a plain request to the first
 * route. Undefined when the config has no route.
 */
export function tryCommand(config: GatewayConfig, httpPort: number): string | undefined {
  const routes = config.routes;
  // The shortest example reads best in a banner (iris's 4 numbers rather than fraud's 30).
  const served = routes
    .filter((r) => { const m = routeModel(r); return m !== undefined && exampleRow(m) !== undefined; })
    .reduce<RouteConfig | undefined>((best, r) => (best === undefined || exampleRow(routeModel(r)!)!.length < exampleRow(routeModel(best)!)!.length ? r : best), undefined);
  if (served === undefined) {
    const first = routes[0];
    return first === undefined ? undefined : `curl -si localhost:${httpPort}${first.match.pathPrefix}`;
  }
  const model = routeModel(served)!;
  const row = exampleRow(model)!;
  const unit = served.experiment?.unit;
  const unitHeader = unit?.source === 'header' ? ` -H '${unit.name}: user-42'` : unit?.source === 'cookie' ? ` -H 'cookie: ${unit.name}=user-42'` : '';
  const body = JSON.stringify({ inputs: [{ name: 'input', datatype: 'FP32', shape: [1, row.length], data: row }] });
  return `curl -s localhost:${httpPort}/v2/models/${model}/infer -H 'content-type: application/json'${unitHeader} \\\n    -d '${body}'`;
}
