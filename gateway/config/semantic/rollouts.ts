import type { ConfigFinding } from '../errors.js';
import { error, warning } from '../errors.js';
import type { CanaryRolloutConfig, GatewayConfig } from '../schema.js';
import { startingWeight } from '../schema.js';
import type { Check } from './context.js';
import { trim } from '../schema/ratios.js';

/** A rollout moves traffic between two different backends, through steps that only go up. */
export const checkRollouts: Check = (config, context) =>
  config.routes.flatMap((route, i) => {
    const at = ['routes', i, 'rollout'];
    const rollout = route.rollout;
    if (rollout === undefined) return [];
    if (rollout.strategy === 'blueGreen') {
      return rollout.active === rollout.preview
        ? [error([...at, 'preview'], `is the same backend as active ('${rollout.active}'); a blue-green switch needs two different backends`)]
        : [];
    }
    const findings: ConfigFinding[] = [];
    if (rollout.stable === rollout.canary) {
      findings.push(error([...at, 'canary'], `is the same backend as stable ('${rollout.stable}'); a canary needs a different backend to move traffic to`));
    }
    findings.push(...checkSteps(rollout, at));
    if (rollout.steps === undefined && context.written?.([...at, 'analysis']) === true) findings.push(analysisWithoutSteps(route.name, rollout, at));
    findings.push(...checkPredictionChecks(config, rollout, at));
    return findings;
  });

function checkSteps(rollout: CanaryRolloutConfig, at: readonly PropertyKey[]): ConfigFinding[] {
  const steps = rollout.steps;
  if (steps === undefined) return [];
  if (steps.length === 0) return [error([...at, 'steps'], 'is empty; list the canary percentages, e.g. [5, 25, 50, 100], or remove steps to promote by hand')];
  for (let k = 1; k < steps.length; k++) {
    if (steps[k]! <= steps[k - 1]!) {
      return [error([...at, 'steps', k], `must be greater than the step before it (${steps[k - 1]}); steps only go up, e.g. [5, 25, 50, 100]; found ${steps[k]}`)];
    }
  }
  const last = steps[steps.length - 1]!;
  if (last !== 100) {
    const fractions = last <= 1 ? `; these read like fractions: steps are percentages, so write [${steps.map((s) => trim(s * 100)).join(', ')}]` : '';
    return [error([...at, 'steps', steps.length - 1], `the last step is ${last}; steps end at 100 so that a healthy canary is fully promoted${fractions}`)];
  }
  return [];
}

/**
 * The controller only drives canaries with steps; without them nothing judges an interval, so
 * `analysis` would read as a safety net that is not there.
 */
function analysisWithoutSteps(route: string, rollout: CanaryRolloutConfig, at: readonly PropertyKey[]): ConfigFinding {
  return warning([...at, 'analysis'], `is never run: a canary without steps stays at ${startingWeight(rollout)}% on '${rollout.canary}' until its weights are changed by hand (POST /admin/routes/${route}/weights) or in this file, and nothing rolls it back; add steps, e.g. [5, 25, 50, 100], for the controller to move it one step per interval and judge each one`);
}

/**
 * Prediction checks read v2 inference answers, which only model-aware backends give; on other
 * backends they never have data, so every interval would be inconclusive and the rollout pause.
 */
function checkPredictionChecks(config: GatewayConfig, rollout: CanaryRolloutConfig, at: readonly PropertyKey[]): ConfigFinding[] {
  const modelAware = [rollout.stable, rollout.canary].every((name) => config.backends[name]?.model !== undefined);
  if (modelAware) return [];
  const keys: [readonly PropertyKey[], boolean][] = [
    [['analysis', 'maxPredictionShift'], rollout.analysis.maxPredictionShift !== undefined],
    [['analysis', 'maxDisagreement'], rollout.analysis.maxDisagreement !== undefined],
    [['shadowPhase'], rollout.shadowPhase !== undefined],
    [['golden'], rollout.golden !== undefined],
  ];
  return keys.filter(([, set]) => set).map(([path]) => warning([...at, ...path],
    'compares v2 inference answers, but stable or canary is not a model-aware backend (no model:); it will never have data, so the rollout would pause'));
}
