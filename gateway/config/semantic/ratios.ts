import type { ConfigFinding } from '../errors.js';
import { warning } from '../errors.js';
import { trim } from '../schema/ratios.js';
import type { Check } from './context.js';

/**
 * Traffic shares may be below 1 % (the split has 0.01 % resolution), so a lone share between 0
 * and 1 is not refused; but it is far more often a fraction written by mistake, so say what it
 * will do. Steps and variant weights, which add up or end at 100, are judged as a whole in
 * rollouts.ts and experiments.ts.
 */
export const checkSmallShares: Check = (config) => {
  const findings: ConfigFinding[] = [];
  config.routes.forEach((route, i) => {
    const weight = route.rollout?.strategy === 'canary' ? route.rollout.weight : undefined;
    if (weight !== undefined && weight > 0 && weight < 1) {
      findings.push(warning(['routes', i, 'rollout', 'weight'], `sends ${weight} % of traffic to the canary; weights are percentages, so if you meant ${trim(weight * 100)} %, write ${trim(weight * 100)}`));
    }
    const percent = route.shadow?.percent;
    if (percent !== undefined && percent > 0 && percent < 1) {
      findings.push(warning(['routes', i, 'shadow', 'percent'], `copies ${percent} % of requests to the shadow; if you meant ${trim(percent * 100)} %, write ${trim(percent * 100)}`));
    }
  });
  return findings;
};
