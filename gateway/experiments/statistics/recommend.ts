import { formatSrmP } from './srm.js';
import type { Comparison, GuardrailCheck, MetricResult, Recommendation, SampleRatioCheck } from './types.js';

export interface RecommendInput {
  readonly sampleRatio: SampleRatioCheck;
  readonly primary: MetricResult | undefined;
  readonly metrics: readonly MetricResult[];
  /** Every guardrail × treatment; a harmed one blocks shipping that treatment. */
  readonly guardrails: readonly GuardrailCheck[];
  /** Planned units per variant for the primary metric; null when unknown. */
  readonly unitsPerVariant: number | null;
  readonly mde: number;
  /** Always-valid intervals: results may be acted on at any look. */
  readonly sequential: boolean;
}

function percent(x: number): string {
  return `${Number((x * 100).toPrecision(3))} %`;
}

/**
 * The plain-words call, in this order:
 *  1. investigate      the split of exposures does not match the weights (SRM): nothing is trustworthy;
 *  2. ship             a treatment is significantly better on the primary metric (the largest lift wins);
 *     a treatment that significantly harms a guardrail is never shipped: with none of the better
 *     ones left, keep control, naming the guardrail, its estimate, interval and p;
 *     fixed horizon: only once every arm has the planned units, else keep collecting (reading a
 *     fixed-horizon test before its planned size inflates false positives); sequential: at any look;
 *  3. keep control     a treatment is significantly worse and none is better;
 *  4. keep collecting  inconclusive and short of the planned units per variant;
 *  5. keep control     inconclusive at the planned size: any effect is smaller than the MDE.
 * Significance is after the correction (multiple-comparisons.ts); guardrails are not corrected.
 */
export function recommend(input: RecommendInput): Recommendation {
  const none = { variant: null, unitsStillNeeded: null };
  if (input.sampleRatio.mismatch) {
    return {
      action: 'investigate', ...none,
      reason: `The exposures do not match the configured weights (sample ratio mismatch, p ${formatSrmP(input.sampleRatio.pValue)}), so results are not trustworthy: `
        + 'look for assignment, redirect, bot-filtering or exposure-logging problems before reading any metric.',
    };
  }
  const primary = input.primary;
  if (primary === undefined) return { action: 'keep collecting', ...none, reason: 'The experiment has no metrics: add one to decide.' };

  const better = primary.comparisons.filter((c) => c.verdict === 'better');
  if (better.length > 0) {
    const harms = (c: Comparison) => input.guardrails.filter((g) => g.harmed && g.variant === c.variant);
    const shippable = better.filter((c) => harms(c).length === 0);
    if (shippable.length === 0) return blockedByGuardrails(primary, better, harms);
    const best = shippable.reduce((a, b) => (lift(b) > lift(a) ? b : a));
    const harmed = input.metrics.filter((m) => m !== primary && m.role !== 'guardrail' && m.comparisons.some((c) => c.variant === best.variant && c.verdict === 'worse'));
    const early = input.sequential ? null : shipTooEarly(input, primary, best);
    if (early !== null) return early;
    const caveat = harmed.length === 0 ? '' : ` But it is significantly worse on ${harmed.map((m) => m.name).join(', ')}: weigh that before shipping.`;
    return {
      action: 'ship', variant: best.variant, unitsStillNeeded: null,
      reason: `${best.variant} is significantly better than control on ${primary.name} (${describeLift(best.relativeLift?.estimate)}, adjusted p = ${best.adjustedPValue?.toPrecision(3)}).${caveat}`,
    };
  }
  const worse = primary.comparisons.filter((c) => c.verdict === 'worse');
  if (worse.length > 0) {
    return {
      action: 'keep control', ...none,
      reason: `${worse.map((c) => c.variant).join(', ')} ${worse.length === 1 ? 'is' : 'are'} significantly worse than control on ${primary.name} and no treatment is better.`,
    };
  }
  if (input.unitsPerVariant === null) {
    return {
      action: 'keep collecting', ...none,
      reason: `No significant difference on ${primary.name} yet; the planned sample size is unknown until control has a baseline with some variation.`,
    };
  }
  const planned = Math.ceil(input.unitsPerVariant);
  const stillNeeded = Object.fromEntries(primary.variants.map((v) => [v.variant, Math.max(0, planned - v.n)]));
  const most = Math.max(...Object.values(stillNeeded));
  if (most > 0) {
    return {
      action: 'keep collecting', variant: null, unitsStillNeeded: stillNeeded,
      reason: `No significant difference on ${primary.name} yet. Detecting a ${percent(input.mde)} relative change needs ${planned} units per variant: up to ${most} more.`,
    };
  }
  return {
    action: 'keep control', ...none,
    reason: `No significant difference on ${primary.name} after the planned ${planned} units per variant: any effect is likely smaller than the ${percent(input.mde)} minimum detectable effect.`,
  };
}

/** Every better treatment harms a guardrail: keep control, and say which guardrail and by how much. */
function blockedByGuardrails(primary: MetricResult, better: readonly Comparison[], harms: (c: Comparison) => readonly GuardrailCheck[]): Recommendation {
  const why = better.map((c) => `${c.variant} is significantly better on ${primary.name} (${describeLift(c.relativeLift?.estimate)}, adjusted p = ${c.adjustedPValue?.toPrecision(3)}) `
    + `but significantly worse on guardrail ${harms(c).map((g) => g.summary).join('; and on guardrail ')}`);
  return {
    action: 'keep control', variant: null, unitsStillNeeded: null,
    reason: `Shipping is blocked by a guardrail: ${why.join('. ')}. A significant harm on a guardrail (two-sided test at alpha, not corrected) blocks "ship".`,
  };
}

/** Keep collecting when a fixed-horizon test turned significant before its planned size. */
function shipTooEarly(input: RecommendInput, primary: MetricResult, best: Comparison): Recommendation | null {
  const arms = primary.variants.filter((v) => v.variant === best.variant || !primary.comparisons.some((c) => c.variant === v.variant));
  const reached = Math.min(...arms.map((v) => v.n));
  const advice = 'reading a fixed-horizon test early inflates false positives; keep collecting, or set sequential: true to read results at any look.';
  if (input.unitsPerVariant === null) {
    return {
      action: 'keep collecting', variant: null, unitsStillNeeded: null,
      reason: `${best.variant} is significant on ${primary.name} at ${reached} units per variant, but the planned sample size is unknown; ${advice}`,
    };
  }
  const planned = Math.ceil(input.unitsPerVariant);
  if (reached >= planned) return null;
  return {
    action: 'keep collecting', variant: null,
    unitsStillNeeded: Object.fromEntries(arms.map((v) => [v.variant, Math.max(0, planned - v.n)])),
    reason: `${best.variant} is significant on ${primary.name} at ${reached} of ${planned} planned units per variant; ${advice}`,
  };
}

function lift(c: MetricResult['comparisons'][number]): number {
  return Math.abs(c.relativeLift?.estimate ?? c.difference.estimate ?? 0);
}

function describeLift(estimate: number | undefined): string {
  if (estimate === undefined) return 'lift undefined: control mean is 0';
  return `${estimate >= 0 ? '+' : ''}${percent(estimate)} relative`;
}
