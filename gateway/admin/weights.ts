import { SwitchyardError } from '../../protocol/errors.js';
import { GatewayErrorCode, invalidRequest } from '../errors.js';
import type { RouteTarget } from '../routing/targets.js';

const TOLERANCE = 1e-9;

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  return JSON.stringify(value);
}

function isPercent(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= 100;
}

/**
 * Validates the body of POST /admin/routes/NAME/weights against the route's target:
 * canary `{"canary": 30}`; experiment `{"weights": {"control": 50, "treatment": 50}}` naming
 * every variant, adding up to 100. Returns the weights to store; throws 400/409 with the reason.
 */
export function parseWeights(route: string, target: RouteTarget, body: unknown): Record<string, number> {
  const object = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined;
  if (target.kind === 'canary') {
    const canary = object?.canary;
    if (!isPercent(canary)) throw invalidRequest(`canary: expected a percentage from 0 to 100, as in {"canary": 30}; found ${describe(canary)}`);
    return { canary };
  }
  if (target.kind === 'experiment') return parseVariantWeights(target.weightNames, object?.weights);
  const hint = target.kind === 'blueGreen' ? `; a blue-green route changes with POST /admin/routes/${route}/switch` : '';
  throw new SwitchyardError(GatewayErrorCode.TARGET_MISMATCH, 409, `route '${route}' has a ${target.kind} target, which has no weights; weights apply to canary and experiment routes${hint}`);
}

function parseVariantWeights(variants: readonly string[], weights: unknown): Record<string, number> {
  const example = `{"weights": {${variants.map((v) => `"${v}": ${Math.floor(100 / variants.length)}`).join(', ')}}}`;
  if (typeof weights !== 'object' || weights === null || Array.isArray(weights)) {
    throw invalidRequest(`weights: expected a mapping of every variant to a percentage, as in ${example}; found ${describe(weights)}`);
  }
  const given = weights as Record<string, unknown>;
  const unknown = Object.keys(given).filter((name) => !variants.includes(name));
  if (unknown.length > 0) throw invalidRequest(`weights: unknown variant '${unknown[0]}'; the variants are ${variants.join(', ')}`);
  const result: Record<string, number> = {};
  for (const name of variants) {
    const value = given[name];
    if (!isPercent(value)) throw invalidRequest(`weights.${name}: expected a percentage from 0 to 100; found ${describe(value)}`);
    result[name] = value;
  }
  const total = Object.values(result).reduce((sum, w) => sum + w, 0);
  if (Math.abs(total - 100) > TOLERANCE) throw invalidRequest(`weights add up to ${Number(total.toFixed(4))}; they are percentages and must add up to 100`);
  return result;
}
