import { z } from 'zod';
import {
  DEFAULT_ANALYSIS_FAILURE_LIMIT, DEFAULT_ANALYSIS_MAX_ERROR_RATE, DEFAULT_ANALYSIS_MIN_REQUESTS, DEFAULT_ANALYSIS_MODE,
  DEFAULT_ROLLOUT_INTERVAL_MS,
} from '../defaults.js';
import { expected } from './expect.js';
import { durationMs } from './units.js';

const BACKEND = expected('the name of a backend');
const PERCENT = expected('a percentage from 0 to 100');

const percentSchema = z.number({ error: PERCENT }).min(0, { error: PERCENT }).max(100, { error: PERCENT });

/** What each canary interval is judged on; a failed interval counts toward failureLimit. */
export const analysisSchema = z.strictObject({
  /** Largest canary error rate, a fraction from 0 to 1 (0.01 = 1 %). */
  maxErrorRate: z.number({ error: expected('a fraction from 0 to 1, such as 0.01 for 1%') })
    .min(0, { error: expected('a fraction from 0 to 1, such as 0.01 for 1%') })
    .max(1, { error: expected('a fraction from 0 to 1, such as 0.01 for 1%') })
    .default(DEFAULT_ANALYSIS_MAX_ERROR_RATE),
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
  /** 'enforce' rolls back on failure; 'observe' only reports what it would have done. */
  mode: z.enum(['enforce', 'observe'], { error: expected("'enforce' or 'observe'") }).default(DEFAULT_ANALYSIS_MODE),
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
export type CanaryRolloutConfig = z.infer<typeof canarySchema>;
export type BlueGreenRolloutConfig = z.infer<typeof blueGreenSchema>;
export type RolloutConfig = z.infer<typeof rolloutSchema>;

/** The canary share a rollout starts at, percent: `weight`, else the first step, else 0. */
export function startingWeight(rollout: CanaryRolloutConfig): number {
  return rollout.weight ?? rollout.steps?.[0] ?? 0;
}
