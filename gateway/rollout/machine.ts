import type { CanaryRolloutConfig } from '../config/schema.js';
import { startingWeight } from '../config/schema.js';
import type { AnalysisResult } from './analysis.js';

/**
 * - golden:      scoring the canary on its golden data set; canary at 0 %
 * - shadow:      canary at 0 %, answering copies of stable's requests; judged on agreement
 * - blocked:     the golden score or the shadow agreement was too low; the rollout did not start (canary at 0 %)
 * - progressing: walking the steps
 * - paused:      weights held; analysis still reported but acts on nothing
 * - aborted:     canary at 0 % until the YAML changes or a human resumes
 * - promoted:    canary at 100 %
 */
export type RolloutPhase = 'golden' | 'shadow' | 'blocked' | 'progressing' | 'paused' | 'aborted' | 'promoted';

export type RolloutActor = 'analysis' | 'human' | 'config' | 'golden';

export interface RolloutEvent {
  /** Epoch ms. */
  readonly at: number;
  readonly event: 'started' | 'step' | 'promoted' | 'aborted' | 'paused' | 'resumed' | 'failed_check' | 'would_abort' | 'golden_passed' | 'shadow_passed' | 'blocked';
  readonly by: RolloutActor;
  /** Canary weight after the event, percent. */
  readonly weight: number;
  readonly reason: string;
}

/** An analysis result as kept in the state: which interval, at which weight. */
export interface RecordedAnalysis extends AnalysisResult {
  /** Epoch ms the interval ended. */
  readonly at: number;
  readonly weight: number;
}

/** The rollout of one route. Plain JSON: the stores keep it as it is. */
export interface RolloutState {
  readonly route: string;
  /** The route target's fingerprint it runs against: another means the YAML changed, start over. */
  readonly fingerprint: string;
  readonly phase: RolloutPhase;
  /** Canary share now, percent. */
  readonly weight: number;
  /** Failed intervals in a row, and inconclusive intervals in a row. */
  readonly failures: number;
  readonly inconclusive: number;
  /** Epoch ms the current interval began (a step change or a resume begins a new one). */
  readonly intervalStartedAt: number;
  readonly startedAt: number;
  /** Why it is paused, aborted or blocked. */
  readonly reason: string | null;
  readonly analyses: readonly RecordedAnalysis[];
  readonly history: readonly RolloutEvent[];
}

/** Most analysis results and history events kept per rollout (the oldest go first). */
export const KEPT_ANALYSES = 50;
export const KEPT_EVENTS = 100;

export type RolloutCommand = 'promote' | 'abort' | 'pause' | 'resume';

/** The first step above a weight; undefined past the last. */
export function nextStep(config: CanaryRolloutConfig, weight: number): number | undefined {
  return (config.steps ?? []).find((s) => s > weight);
}

/** 1. A new rollout starts at its starting weight, or at 0 % while its golden data set is scored. */
export function startRollout(route: string, fingerprint: string, config: CanaryRolloutConfig, now: number): RolloutState {
  const golden = config.golden !== undefined;
  const phase = golden ? 'golden' : config.shadowPhase !== undefined ? 'shadow' : 'progressing';
  const weight = phase === 'progressing' ? startingWeight(config) : 0;
  const state: RolloutState = {
    route, fingerprint, phase, weight, failures: 0, inconclusive: 0,
    intervalStartedAt: now, startedAt: now, reason: null, analyses: [], history: [],
  };
  return withEvent(state, { at: now, event: 'started', by: 'config', weight, reason: golden ? 'scoring the canary on its golden data set first' : phase === 'shadow' ? 'shadow phase: the canary answers copies of stable\'s requests first' : `canary at ${weight}%` });
}

/** 2. The golden score decides whether the steps begin. */
export function goldenScored(state: RolloutState, config: CanaryRolloutConfig, score: number | undefined, detail: string, now: number): RolloutState {
  if (state.phase !== 'golden') return state;
  const min = config.golden?.minScore ?? 0;
  if (score === undefined || score < min) {
    const reason = score === undefined ? `the golden data set could not be scored: ${detail}` : `golden score ${round(score)} is below minScore ${min} (${detail}); the rollout did not start`;
    return withEvent({ ...state, phase: 'blocked', weight: 0, reason }, { at: now, event: 'blocked', by: 'golden', weight: 0, reason });
  }
  const shadow = config.shadowPhase !== undefined;
  const weight = shadow ? 0 : startingWeight(config);
  return withEvent({ ...state, phase: shadow ? 'shadow' : 'progressing', weight, intervalStartedAt: now, reason: null },
    { at: now, event: 'golden_passed', by: 'golden', weight, reason: `golden score ${round(score)} ≥ ${min} (${detail})` });
}

/**
 * 3. At the end of each interval, the analysis decides (only while progressing; otherwise the
 *    result is recorded and nothing moves):
 *    - pass: failures and inconclusive reset; the next step, or promoted when the next step is
 *      100 % (at 100 % nothing is left to compare against) or there is no next step
 *    - fail: failures + 1; at failureLimit the canary is aborted to 0 % (observe mode: a
 *      would_abort event, failures reset, the weight holds)
 *    - inconclusive: inconclusive + 1; at maxInconclusive the rollout pauses for a human
 */
export function intervalEnded(state: RolloutState, config: CanaryRolloutConfig, result: AnalysisResult, now: number): RolloutState {
  const recorded = { ...state, analyses: keep([...state.analyses, { ...result, at: now, weight: state.weight }], KEPT_ANALYSES), intervalStartedAt: now };
  if (state.phase === 'shadow') return shadowIntervalEnded(recorded, state, config, result, now);
  if (state.phase !== 'progressing') return recorded;
  const analysis = config.analysis;
  if (result.verdict === 'pass') {
    const next = nextStep(config, state.weight);
    if (next === undefined || next >= 100) {
      return withEvent({ ...recorded, phase: 'promoted', weight: 100, failures: 0, inconclusive: 0, reason: null },
        { at: now, event: 'promoted', by: 'analysis', weight: 100, reason: `every step passed at ${state.weight}%` });
    }
    return withEvent({ ...recorded, weight: next, failures: 0, inconclusive: 0 }, { at: now, event: 'step', by: 'analysis', weight: next, reason: `passed at ${state.weight}%` });
  }
  if (result.verdict === 'fail') {
    const failures = state.failures + 1;
    if (failures < analysis.failureLimit) {
      return withEvent({ ...recorded, failures, inconclusive: 0 },
        { at: now, event: 'failed_check', by: 'analysis', weight: state.weight, reason: `${result.reason} (${failures} of failureLimit ${analysis.failureLimit})` });
    }
    const reason = `${result.reason}; ${failures} failed intervals in a row reached failureLimit ${analysis.failureLimit}`;
    if (analysis.mode === 'observe') {
      return withEvent({ ...recorded, failures: 0, inconclusive: 0 }, { at: now, event: 'would_abort', by: 'analysis', weight: state.weight, reason: `observe mode, weight kept: ${reason}` });
    }
    return withEvent({ ...recorded, phase: 'aborted', weight: 0, failures, inconclusive: 0, reason }, { at: now, event: 'aborted', by: 'analysis', weight: 0, reason });
  }
  const inconclusive = state.inconclusive + 1;
  if (inconclusive < analysis.maxInconclusive) return { ...recorded, inconclusive };
  const reason = `${inconclusive} inconclusive intervals in a row (maxInconclusive ${analysis.maxInconclusive}): ${result.reason}; resume once traffic is there, or promote or abort by hand`;
  return withEvent({ ...recorded, phase: 'paused', inconclusive, reason }, { at: now, event: 'paused', by: 'analysis', weight: state.weight, reason });
}

/**
 * 4. A human decides:
 *    - promote: the next step now (progressing or paused), or 100 % with `full`, or past the last step
 *    - abort: canary to 0 %, aborted
 *    - pause: weights held
 *    - resume: a paused rollout goes on at its weight; an aborted or blocked one starts again
 *      from its starting weight (skipping the golden gate: a human decided)
 *    Throws RolloutCommandError when the command does not apply to the phase.
 */
export function applyCommand(
  state: RolloutState, config: CanaryRolloutConfig, command: RolloutCommand, now: number, options: { full?: boolean; reason?: string } = {},
): RolloutState {
  const why = options.reason ?? 'by hand';
  const fresh = { failures: 0, inconclusive: 0, intervalStartedAt: now };
  switch (command) {
    case 'promote': {
      if (state.phase === 'promoted') throw new RolloutCommandError(`route '${state.route}' is already promoted`);
      const next = options.full === true ? 100 : nextStep(config, state.weight) ?? 100;
      if (next >= 100) return withEvent({ ...state, ...fresh, phase: 'promoted', weight: 100, reason: null }, { at: now, event: 'promoted', by: 'human', weight: 100, reason: why });
      return withEvent({ ...state, ...fresh, phase: 'progressing', weight: next, reason: null }, { at: now, event: 'step', by: 'human', weight: next, reason: why });
    }
    case 'abort':
      if (state.phase === 'aborted') throw new RolloutCommandError(`route '${state.route}' is already aborted`);
      return withEvent({ ...state, ...fresh, phase: 'aborted', weight: 0, reason: `aborted by hand: ${why}` }, { at: now, event: 'aborted', by: 'human', weight: 0, reason: why });
    case 'pause':
      if (state.phase !== 'progressing' && state.phase !== 'golden' && state.phase !== 'shadow') throw new RolloutCommandError(`route '${state.route}' is ${state.phase}; only a progressing rollout pauses`);
      return withEvent({ ...state, phase: 'paused', reason: `paused by hand: ${why}` }, { at: now, event: 'paused', by: 'human', weight: state.weight, reason: why });
    case 'resume': {
      if (state.phase === 'paused') {
        return withEvent({ ...state, ...fresh, phase: 'progressing', reason: null }, { at: now, event: 'resumed', by: 'human', weight: state.weight, reason: why });
      }
      if (state.phase === 'aborted' || state.phase === 'blocked') {
        const weight = startingWeight(config);
        return withEvent({ ...state, ...fresh, phase: 'progressing', weight, reason: null }, { at: now, event: 'resumed', by: 'human', weight, reason: `${why}; starting again at ${weight}%` });
      }
      throw new RolloutCommandError(`route '${state.route}' is ${state.phase}; only a paused, aborted or blocked rollout resumes`);
    }
  }
}

/**
 * 3a. In the shadow phase the interval is judged on the pairs only: fewer than minRequests
 *     rows compared is inconclusive (pausing after maxInconclusive, as above); agreement at or
 *     above minAgreement starts the steps; below it the rollout is blocked with the figures.
 */
function shadowIntervalEnded(recorded: RolloutState, state: RolloutState, config: CanaryRolloutConfig, result: AnalysisResult, now: number): RolloutState {
  const phase = config.shadowPhase!;
  const { compared, disagreeing } = result.pairs;
  if (compared < phase.minRequests) {
    const inconclusive = state.inconclusive + 1;
    if (inconclusive < config.analysis.maxInconclusive) return { ...recorded, inconclusive };
    const reason = `${inconclusive} shadow intervals in a row compared fewer than ${phase.minRequests} rows (last: ${compared}); resume once traffic is there`;
    return withEvent({ ...recorded, phase: 'paused', inconclusive, reason }, { at: now, event: 'paused', by: 'analysis', weight: 0, reason });
  }
  const agreement = (compared - disagreeing) / compared;
  if (agreement >= phase.minAgreement) {
    const weight = startingWeight(config);
    return withEvent({ ...recorded, phase: 'progressing', weight, inconclusive: 0, failures: 0, reason: null },
      { at: now, event: 'shadow_passed', by: 'analysis', weight, reason: `agreement ${round(agreement)} ≥ ${phase.minAgreement} over ${compared} rows` });
  }
  const reason = `shadow agreement ${round(agreement)} is below minAgreement ${phase.minAgreement} (${compared - disagreeing} of ${compared} rows); the rollout did not start`;
  return withEvent({ ...recorded, phase: 'blocked', weight: 0, reason }, { at: now, event: 'blocked', by: 'analysis', weight: 0, reason });
}

/** A command that does not apply to the rollout's phase (409). */
export class RolloutCommandError extends Error {}

function withEvent(state: RolloutState, event: RolloutEvent): RolloutState {
  return { ...state, history: keep([...state.history, event], KEPT_EVENTS) };
}

function keep<T>(items: T[], max: number): T[] {
  return items.length > max ? items.slice(items.length - max) : items;
}

function round(x: number): number {
  return Number(x.toFixed(4));
}
