import { z } from 'zod';
import {
  DEFAULT_ANALYSIS_FAILURE_LIMIT, DEFAULT_ANALYSIS_MAX_ERROR_RATE, DEFAULT_ANALYSIS_MIN_REQUESTS, DEFAULT_ANALYSIS_MODE,
  DEFAULT_ROLLOUT_INTERVAL_MS, DEFAULT_ANALYSIS_MAX_INCONCLUSIVE, DEFAULT_GOLDEN_FILE,
} from '../defaults.js';
import { expected } from './expect.js';
import { fraction, percentage } from './ratios.js';
import { durationMs } from './units.js';

const BACKEND = expected('the name of a backend');
const FRACTION = expected('a fraction from 0 to 1, such as 0.05 for 5%');

const percentSchema = percentage();

/** What each canary interval is judged on; a failed interval counts toward failureLimit. */
export const analysisSchema = z.strictObject({
  /** Largest canary error rate, a fraction from 0 to 1 (0.01 = 1 %). */
  maxErrorRate: fraction({ example: 0.01, oneMeans: 'would let every canary request fail' }).default(DEFAULT_ANALYSIS_MAX_ERROR_RATE),
  /** Largest canary p99 latency, milliseconds; absent: latency is not judged. */
  maxP99Ms: z.number({ error: expected('a latency in milliseconds, above 0') }).positive({ error: expected('a latency in milliseconds, above 0') }).optional(),
  /** Requests the canary must serve in an interval before that interval is judged. */
  minRequests: z.number({ error: expected('a whole number of requests, 0 or more') })
    .int({ error: expected('a whole number of requests, 0 or more') })
    .min(0, { error: expected('a whole number of requests, 0 or more') })
    .default(DEFAULT_ANALYSIS_MIN_REQUESTS),
  /** Failed intervals in a row that roll the canary back. */
  failureLimit: z.number({ error: expected('a whole number of failed intervals, 1 or more') })
    .int({ error: expected('a whole number of failed intervals, 1 or more') })
    .min(1, { error: expected('a whole number of failed intervals, 1 or more') })
    .default(DEFAULT_ANALYSIS_FAILURE_LIMIT),
  /**
   * Largest difference between canary and stable predictions over an interval, for v2 inference
   * routes: for classifiers (outputs [n, k>1]) the largest difference in the share of any predicted
   * top class (a fraction, 0.05 = 5 points); for one-value outputs the absolute difference of the
   * mean output. Absent: not judged.
   */
  maxPredictionShift: z.number({ error: FRACTION }).min(0, { error: FRACTION }).optional(),
  /**
   * Largest share (0..1) of canary requests on which stable, sent the same input after the canary
   * answered, predicts a different top class. Setting it sends each canary request's copy to
   * stable (off the request path, like a shadow). Absent: not judged, no copies.
   */
  maxDisagreement: fraction({ example: 0.05, oneMeans: 'would let every canary answer disagree' }).optional(),
  /** Inconclusive intervals in a row (too few requests) after which the rollout pauses for a human. */
  maxInconclusive: z.number({ error: expected('a whole number of intervals, 1 or more') })
    .int({ error: expected('a whole number of intervals, 1 or more') })
    .min(1, { error: expected('a whole number of intervals, 1 or more') })
    .default(DEFAULT_ANALYSIS_MAX_INCONCLUSIVE),
  /** 'enforce' rolls back on failure; 'observe' only reports what it would have done. */
  mode: z.enum(['enforce', 'observe'], { error: expected("'enforce' or 'observe'") }).default(DEFAULT_ANALYSIS_MODE),
});

/**
 * Inputs with expected outputs, kept in the model repository (format: docs/rollouts.md). The
 * canary is scored on it before traffic moves; below `minScore` the rollout does not start.
 */
export const goldenSchema = z.strictObject({
  /** File name under <pool models>/<canary model>/, or an absolute path. Default golden.json. */
  file: z.string({ error: expected('a file name such as golden.json') }).min(1).default(DEFAULT_GOLDEN_FILE),
  /** Share of rows (0..1) whose prediction must match the expected output. */
  minScore: fraction({ example: 0.8 }),
});

/**
 * A shadow phase before the first step: the canary stays at 0 % while copies of stable's
 * requests are sent to it (after stable answered) and the two answers compared per row.
 */
export const shadowPhaseSchema = z.strictObject({
  /** Share of rows (0..1) on which the canary must predict stable's top class. */
  minAgreement: fraction({ example: 0.95 }),
  /** Rows compared in one interval before the phase is judged; fewer: inconclusive. Default 100. */
  minRequests: z.number({ error: expected('a whole number of requests, 1 or more') }).int().min(1, { error: expected('a whole number of requests, 1 or more') }).default(100),
});

/**
 * A weighted canary. Traffic starts at `weight` % on the canary (default: the first step) and
 * moves through the steps above it, one per `interval`, while analysis passes. Without steps
 * the weight only changes through `switchyard rollout promote`.
 */
export const canarySchema = z.strictObject({
  strategy: z.literal('canary'),
  stable: z.string({ error: BACKEND }),
  canary: z.string({ error: BACKEND }),
  /** Starting canary share, percent. */
  weight: percentSchema.optional(),
  /** Canary shares, percent, increasing and ending at 100. */
  steps: z.array(percentSchema, { error: expected('a list of percentages such as [5, 25, 50, 100]') }).optional(),
  /** Time spent at each step before analysis decides, milliseconds. */
  interval: durationMs().default(DEFAULT_ROLLOUT_INTERVAL_MS),
  analysis: analysisSchema.prefault({}),
  /** A golden data set the canary must score on before its first step; absent: no gate. */
  golden: goldenSchema.optional(),
  /** A shadow phase with an agreement threshold before the first step; absent: none. */
  shadowPhase: shadowPhaseSchema.optional(),
});

/** Two full deployments; all traffic goes to `active` until `switchyard rollout switch`. */
export const blueGreenSchema = z.strictObject({
  strategy: z.literal('blueGreen'),
  active: z.string({ error: BACKEND }),
  preview: z.string({ error: BACKEND }),
});

const ROLLOUT_MAPPING = expected('a mapping with strategy: canary or strategy: blueGreen');
const STRATEGY = expected("strategy 'canary' or 'blueGreen'");

export const rolloutSchema = z.discriminatedUnion('strategy', [canarySchema, blueGreenSchema], {
  // A missing or misspelt strategy is reported on the strategy key, with the choices.
  error: (issue) =>
    issue.code === 'invalid_union' ? STRATEGY({ input: (issue.input as { strategy?: unknown }).strategy }) : ROLLOUT_MAPPING(issue),
});

export type AnalysisConfig = z.infer<typeof analysisSchema>;
export type GoldenConfig = z.infer<typeof goldenSchema>;
export type CanaryRolloutConfig = z.infer<typeof canarySchema>;
export type BlueGreenRolloutConfig = z.infer<typeof blueGreenSchema>;
export type RolloutConfig = z.infer<typeof rolloutSchema>;

/** The canary share a rollout starts at, percent: `weight`, else the first step, else 0. */
export function startingWeight(rollout: CanaryRolloutConfig): number {
  return rollout.weight ?? rollout.steps?.[0] ?? 0;
}
