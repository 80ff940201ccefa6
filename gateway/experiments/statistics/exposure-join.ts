import type { ExperimentSummary } from '../store/store.js';
import type { ExperimentDefinition, ExposureJoin } from './types.js';

/**
 * Above this share of units, what the join left out is a warning, not only a count: 1 % of
 * units posting outcomes without an exposure, or exposed to two arms, is more than a few late
 * or mistyped ids and can move a mean by as much as a small effect.
 */
export const LEFT_OUT_WARNING_SHARE = 0.01;

export const JOIN_RULE = 'A unit counts in the arm it was first exposed to, with its outcomes (0 where it posted none, for missing: zero); '
  + 'outcomes of units never exposed, and units exposed to more than one arm, are counted and left out.';

/** Units analysed in a variant: first exposed there, and to no other arm. */
export function analysedUnits(summary: ExperimentSummary, variant: string): number {
  const stored = Object.hasOwn(summary.variants, variant) ? summary.variants[variant] : undefined;
  return stored === undefined ? 0 : stored.exposures - (stored.multiArm ?? 0);
}

/** What the join analysed and what it left out, with the warnings that go with it. */
export function exposureJoinOf(definition: ExperimentDefinition, summary: ExperimentSummary): { join: ExposureJoin; warnings: string[] } {
  const names = definition.variants.map((v) => v.name);
  const own = (name: string) => (Object.hasOwn(summary.variants, name) ? summary.variants[name] : undefined);
  const analysed = Object.fromEntries(names.map((name) => [name, analysedUnits(summary, name)]));
  const multiByVariant = Object.fromEntries(names.map((name) => [name, own(name)?.multiArm ?? 0]));
  const exposed = names.reduce((total, name) => total + (own(name)?.exposures ?? 0), 0);
  const multiUnits = names.reduce((total, name) => total + multiByVariant[name]!, 0);
  const never = summary.neverExposed ?? { units: 0, outcomes: 0 };
  const analysedTotal = exposed - multiUnits;
  const neverShare = share(never.units, analysedTotal + never.units);
  const multiShare = share(multiUnits, exposed);

  const neverText = `${count(never.outcomes, 'outcome')} from ${count(never.units, 'unit')} never exposed`;
  const multiText = `${count(multiUnits, 'unit')} exposed to more than one arm`;
  const warnings: string[] = [];
  if (neverShare !== null && neverShare > LEFT_OUT_WARNING_SHARE) {
    warnings.push(`${neverText} (${percent(neverShare)} of units) left out of the analysis: outcomes count only for units the gateway exposed. `
      + 'Check that outcomes carry the unit id the route reads, and that exposures are being recorded.');
  }
  if (multiShare !== null && multiShare > LEFT_OUT_WARNING_SHARE) {
    warnings.push(`${multiText} (${percent(multiShare)} of exposed units) left out of the analysis: the split moved them, `
      + 'usually because weights changed mid-experiment; the arms are compared without them.');
  }
  return {
    join: {
      rule: JOIN_RULE,
      analysedUnits: analysed,
      neverExposed: { units: never.units, outcomes: never.outcomes, share: neverShare },
      multiArm: { units: multiUnits, byVariant: multiByVariant, share: multiShare },
      leftOut: `${neverText}; ${multiText}`,
    },
    warnings,
  };
}

function share(part: number, whole: number): number | null {
  return whole === 0 ? null : part / whole;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function percent(x: number): string {
  return `${Number((x * 100).toPrecision(3))} %`;
}
