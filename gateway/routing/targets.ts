import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { CONTROL_VARIANT } from '../config/defaults.js';
import type { ExperimentUnit, RouteConfig } from '../config/schema.js';
import { startingWeight, stickySeed } from '../config/schema.js';
import type { Assignment } from '../pipeline/context.js';
import type { CompiledBackend } from '../upstream/backend.js';
import type { Split } from './assignment.js';
import { bucketOf, buildSplit, pickTarget, randomBucket } from './assignment.js';
import type { RouteOverride } from '../state/store.js';
import { DEFAULT_ROLLOUT_UNIT, readUnit } from './unit.js';

/** The request header that sends a request on a blue-green route to the preview colour. */
export const PREVIEW_HEADER = 'x-switchyard-preview';

export type TargetKind = 'backend' | 'canary' | 'blueGreen' | 'experiment';

/** A route's target as the admin API shows it, with live weights. */
export type TargetView =
  | { readonly kind: 'backend'; readonly backend: string }
  | { readonly kind: 'canary'; readonly stable: string; readonly canary: string; readonly weights: { stable: number; canary: number }; readonly overridden: boolean }
  | { readonly kind: 'blueGreen'; readonly active: string; readonly preview: string; readonly overridden: boolean }
  | { readonly kind: 'experiment'; readonly id: string; readonly weights: Record<string, number>; readonly overridden: boolean };

/**
 * A compiled route target. `select` runs per request and only reads; `apply` swaps in an admin
 * override (or, with undefined, goes back to the config) by replacing the precomputed split.
 */
export interface RouteTarget {
  readonly kind: TargetKind;
  /** Hash of the target's config: an override made for another fingerprint no longer applies. */
  readonly fingerprint: string;
  /** Every assignment `select` can return, for metric handles and readiness. */
  readonly assignments: readonly Assignment[];
  /** Names weights are given for (canary: stable, canary; experiment: variant names). */
  readonly weightNames: readonly string[];
  select(headers: IncomingHttpHeaders): Assignment;
  /** Experiments: the variant a unit id is assigned, by the same split `select` uses (the outcomes API). */
  variantOf?(unit: string): string;
  apply(override: RouteOverride | undefined): void;
  view(): TargetView;
}

export function targetFingerprint(route: RouteConfig): string {
  const r = route.rollout;
  const e = route.experiment;
  const subject =
    route.backend !== undefined ? { backend: route.backend }
    : r?.strategy === 'canary' ? { canary: r.canary, stable: r.stable, weight: startingWeight(r), seed: stickySeed(route), unit: unitOf(route) }
    : r?.strategy === 'blueGreen' ? { active: r.active, preview: r.preview }
    : { id: e?.id, seed: stickySeed(route), unit: e?.unit, variants: e?.variants };
  return createHash('sha256').update(JSON.stringify(subject)).digest('hex').slice(0, 16);
}

export function compileTarget(route: RouteConfig, backends: ReadonlyMap<string, CompiledBackend>, random: () => number): RouteTarget {
  const backend = (name: string): CompiledBackend => backends.get(name)!;
  const fingerprint = targetFingerprint(route);
  if (route.backend !== undefined) return singleTarget(fingerprint, { backend: backend(route.backend), variant: '' });
  const r = route.rollout;
  if (r?.strategy === 'canary') {
    return canaryTarget(fingerprint, stickySeed(route), unitOf(route), backend(r.stable), backend(r.canary), startingWeight(r), random);
  }
  if (r?.strategy === 'blueGreen') return blueGreenTarget(fingerprint, backend(r.active), backend(r.preview));
  const e = route.experiment!;
  const variants = e.variants.map((v) => ({ name: v.name, weight: v.weight, assignment: { backend: backend(v.backend), variant: v.name } }));
  return experimentTarget(fingerprint, e.id, stickySeed(route), e.unit, variants);
}

function unitOf(route: RouteConfig): ExperimentUnit {
  const unit = (route.rollout as { unit?: unknown } | undefined)?.unit;
  return typeof unit === 'object' && unit !== null && 'source' in unit ? (unit as ExperimentUnit) : DEFAULT_ROLLOUT_UNIT;
}

function singleTarget(fingerprint: string, assignment: Assignment): RouteTarget {
  return {
    kind: 'backend', fingerprint, assignments: [assignment], weightNames: [],
    select: () => assignment,
    apply: () => undefined,
    view: () => ({ kind: 'backend', backend: assignment.backend.name }),
  };
}

/** Canary owns the low buckets (newer first), so raising its weight only moves stable → canary. */
function canaryTarget(
  fingerprint: string, seed: string, unit: ExperimentUnit, stable: CompiledBackend, canary: CompiledBackend, configWeight: number, random: () => number,
): RouteTarget {
  const toStable: Assignment = { backend: stable, variant: '' };
  const toCanary: Assignment = { backend: canary, variant: '' };
  let weight = configWeight;
  let overridden = false;
  let split: Split = canarySplit(weight);
  return {
    kind: 'canary', fingerprint, assignments: [toStable, toCanary], weightNames: ['stable', 'canary'],
    select(headers) {
      if (weight <= 0) return toStable;
      if (weight >= 100) return toCanary;
      const id = readUnit(unit, headers);
      const bucket = id === undefined ? randomBucket(random) : bucketOf(seed, id);
      return pickTarget(split, bucket) === 'canary' ? toCanary : toStable;
    },
    apply(override) {
      const w = override?.weights?.canary;
      // The controller's steps are the rollout working as configured; only an operator's weight is an override.
      overridden = w !== undefined && override?.by !== 'rollout';
      weight = w ?? configWeight;
      split = canarySplit(weight);
    },
    view: () => ({ kind: 'canary', stable: stable.name, canary: canary.name, weights: { stable: 100 - weight, canary: weight }, overridden }),
  };
}

function canarySplit(canaryWeight: number): Split {
  return buildSplit([{ name: 'canary', weight: canaryWeight }, { name: 'stable', weight: 100 - canaryWeight }]);
}

function blueGreenTarget(fingerprint: string, blue: CompiledBackend, green: CompiledBackend): RouteTarget {
  const configured: Assignment = { backend: blue, variant: '' };
  const other: Assignment = { backend: green, variant: '' };
  let active = configured;
  let preview = other;
  return {
    kind: 'blueGreen', fingerprint, assignments: [configured, other], weightNames: [],
    select: (headers) => (headers[PREVIEW_HEADER] === '1' ? preview : active),
    apply(override) {
      const switched = override?.active !== undefined && override.active === green.name;
      active = switched ? other : configured;
      preview = switched ? configured : other;
    },
    view: () => ({ kind: 'blueGreen', active: active.backend.name, preview: preview.backend.name, overridden: active !== configured }),
  };
}

interface VariantTarget {
  readonly name: string;
  readonly weight: number;
  readonly assignment: Assignment;
}

/** Treatments in declared order own the low buckets, control the rest; no unit: control, not hashed. */
function experimentTarget(fingerprint: string, id: string, seed: string, unit: ExperimentUnit, variants: readonly VariantTarget[]): RouteTarget {
  const ordered = [...variants.filter((v) => v.name !== CONTROL_VARIANT), ...variants.filter((v) => v.name === CONTROL_VARIANT)];
  const byName = new Map(variants.map((v) => [v.name, v.assignment]));
  const control = byName.get(CONTROL_VARIANT)!;
  const configured = Object.fromEntries(variants.map((v) => [v.name, v.weight]));
  let weights: Record<string, number> = configured;
  let overridden = false;
  let split = buildSplit(ordered.map((v) => ({ name: v.name, weight: weights[v.name]! })));
  return {
    kind: 'experiment', fingerprint, assignments: variants.map((v) => v.assignment), weightNames: variants.map((v) => v.name),
    select(headers) {
      const unitId = readUnit(unit, headers);
      if (unitId === undefined) return control;
      return byName.get(pickTarget(split, bucketOf(seed, unitId)))!;
    },
    variantOf: (unitId) => pickTarget(split, bucketOf(seed, unitId)),
    apply(override) {
      overridden = override?.weights !== undefined;
      weights = override?.weights ?? configured;
      split = buildSplit(ordered.map((v) => ({ name: v.name, weight: weights[v.name] ?? 0 })));
    },
    view: () => ({ kind: 'experiment', id, weights: { ...weights }, overridden }),
  };
}
