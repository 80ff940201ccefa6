import type { Logger } from '../../observability/logger.js';
import type { ExperimentMetrics } from './metrics.js';
import type { ExperimentStore } from './store/store.js';

/** How long this replica remembers a unit it has already counted, ms; see ExposureRecorder. */
export const EXPOSURE_MEMORY_MS = 30_000;
/** Most units remembered per generation (two generations are kept): bounds memory to about 2 × this. */
export const EXPOSURE_MEMORY_UNITS = 100_000;
/** At most one warning per this long when the store drops exposures, ms. */
const WARN_EVERY_MS = 10_000;

export interface ExposureRecorderOptions {
  readonly store: ExperimentStore;
  readonly metrics: ExperimentMetrics;
  readonly log: Logger;
  /** Epoch ms. */
  readonly now: () => number;
  readonly memoryMs?: number;
  readonly memoryUnits?: number;
}

/**
 * Counts the units an experiment route assigns, once per experiment, off the request path: the
 * store call is not awaited, so a slow or dead Redis never delays or fails inference; what it
 * could not count is counted as dropped (metric and a rate-limited warning).
 *
 * The store is the source of truth for "once" (its exposed set), and for units seen in two arms.
 * This replica also remembers the (unit, variant) pairs it sent recently, in two generations
 * that rotate every `memoryMs`, so a user sending a burst of requests costs one store call, not
 * one per request. A unit whose call failed is forgotten, so its next request tries again.
 */
export class ExposureRecorder {
  private current = new Set<string>();
  private previous = new Set<string>();
  private rotatedAt: number;
  private lastWarnAt = -Infinity;
  private readonly memoryMs: number;
  private readonly memoryUnits: number;

  constructor(private readonly options: ExposureRecorderOptions) {
    this.memoryMs = options.memoryMs ?? EXPOSURE_MEMORY_MS;
    this.memoryUnits = options.memoryUnits ?? EXPOSURE_MEMORY_UNITS;
    this.rotatedAt = options.now();
  }

  /** Called per request on experiment routes that read a unit; returns at once. */
  record(experimentId: string, variant: string, unit: string): void {
    // The variant is part of the key: a unit the split moves to another arm (weights changed)
    // reaches the store again at once, which marks it multi-arm.
    const key = `${experimentId}\n${unit}\n${variant}`;
    if (this.remembers(key)) return;
    this.current.add(key);
    void this.options.store.recordExposure(experimentId, variant, unit).then(
      (counted) => {
        if (counted) this.options.metrics.exposureCounted(experimentId, variant);
      },
      (err: unknown) => {
        this.current.delete(key);
        this.previous.delete(key);
        this.options.metrics.exposureDropped(experimentId);
        this.warn(err, experimentId);
      },
    );
  }

  /** After a reset through this replica: count every unit again. */
  forget(experimentId: string): void {
    const prefix = `${experimentId}\n`;
    for (const set of [this.current, this.previous]) for (const key of set) if (key.startsWith(prefix)) set.delete(key);
  }

  private remembers(key: string): boolean {
    const now = this.options.now();
    if (now - this.rotatedAt >= this.memoryMs || this.current.size >= this.memoryUnits) {
      // Two rotations without seeing a unit forget it; a reset elsewhere is noticed within 2 × memoryMs.
      this.previous = now - this.rotatedAt >= 2 * this.memoryMs ? new Set() : this.current;
      this.current = new Set();
      this.rotatedAt = now;
    }
    return this.current.has(key) || this.previous.has(key);
  }

  private warn(err: unknown, experiment: string): void {
    const now = this.options.now();
    if (now - this.lastWarnAt < WARN_EVERY_MS) return;
    this.lastWarnAt = now;
    this.options.log.warn({ err, experiment, event: 'exposure_dropped' }, 'experiment store unavailable: exposures are not being counted (inference is unaffected)');
  }
}
