import type { CircuitBreakerConfig } from '../../config/schema.js';

export type BreakerState = 'closed' | 'open' | 'half-open';

/** What the breaker says about a request about to be sent. */
export type Admission = 'allow' | 'probe' | 'reject';

export interface BreakerTransition {
  readonly from: BreakerState;
  readonly to: BreakerState;
  /** Why, for the log: 'consecutive failures', 'failure rate', 'probe failed', 'probe succeeded', 'open time over'. */
  readonly reason: string;
  /** When the breaker opens: how long it stays open, ms. */
  readonly openForMs?: number;
}

/** Buckets of the rolling window: the window is split in this many, so it slides by a tenth. */
const WINDOW_BUCKETS = 10;

/**
 * One backend's circuit breaker (linkerd's and resilience4j's shape), on an injected clock:
 *
 * 1. closed: every result is counted in a rolling window (WINDOW_BUCKETS buckets over
 *    `window` ms) and in a run of consecutive failures. `consecutiveFailures` failures in a
 *    row, or a failure share of at least `failureRate` once the window holds `minRequests`
 *    results, open the breaker.
 * 2. open: requests are refused until `openUntil`. The n-th opening in a row lasts
 *    openFor × 2^(n-1), at most maxOpenFor.
 * 3. half-open (after the open time): exactly one request goes through as a probe; the others
 *    are refused. The probe's success closes the breaker (and resets the doubling); its
 *    failure opens it again for twice as long. A probe that ends neither way (cancelled,
 *    rejected) frees the slot for the next request.
 *
 * Only `failure` and `timeout` verdicts count as failures (see countsAgainstBackend).
 */
export class CircuitBreaker {
  state: BreakerState = 'closed';
  /** Epoch ms until which an open breaker refuses. */
  openUntil = 0;
  private consecutive = 0;
  /** Openings since the breaker was last closed by a successful probe. */
  private openings = 0;
  private probeInFlight = false;
  private readonly bucketMs: number;
  private readonly totals = new Array<number>(WINDOW_BUCKETS).fill(0);
  private readonly failures = new Array<number>(WINDOW_BUCKETS).fill(0);
  private readonly bucketIds = new Array<number>(WINDOW_BUCKETS).fill(-1);

  constructor(
    readonly config: CircuitBreakerConfig,
    private readonly onTransition: (t: BreakerTransition) => void = () => undefined,
  ) {
    this.bucketMs = Math.max(1, config.window / WINDOW_BUCKETS);
  }

  /** Asks whether a request may go now. 'probe' means the caller must report it back with `probe: true`. */
  admit(now: number): Admission {
    if (this.state === 'closed') return 'allow';
    if (this.state === 'open') {
      if (now < this.openUntil) return 'reject';
      this.move('half-open', 'open time over');
    }
    if (this.probeInFlight) return 'reject';
    this.probeInFlight = true;
    return 'probe';
  }

  /** Seconds until a refused request is worth trying again (at least 1), for Retry-After. */
  retryAfterSeconds(now: number): number {
    return Math.max(1, Math.ceil((this.openUntil - now) / 1000));
  }

  /** Records the verdict of an admitted request. `failed`: it counts against the backend; undefined: it counts neither way. */
  record(now: number, failed: boolean | undefined, probe: boolean): void {
    if (probe) {
      this.probeInFlight = false;
      if (this.state !== 'half-open' || failed === undefined) return;
      if (failed) this.open(now, 'probe failed');
      else {
        this.openings = 0;
        this.resetCounts();
        this.move('closed', 'probe succeeded');
      }
      return;
    }
    if (failed === undefined || this.state !== 'closed') return;
    const i = this.bucket(now);
    this.totals[i]!++;
    if (failed) {
      this.failures[i]!++;
      this.consecutive++;
    } else this.consecutive = 0;
    if (this.consecutive >= this.config.consecutiveFailures) return this.open(now, 'consecutive failures');
    if (!failed) return;
    const { total, failed: bad } = this.windowCounts(now);
    if (total >= this.config.minRequests && bad / total >= this.config.failureRate) this.open(now, 'failure rate');
  }

  private open(now: number, reason: string): void {
    this.openings++;
    const openForMs = Math.min(this.config.maxOpenFor, this.config.openFor * 2 ** (this.openings - 1));
    this.openUntil = now + openForMs;
    this.probeInFlight = false;
    this.move('open', reason, openForMs);
  }

  private move(to: BreakerState, reason: string, openForMs?: number): void {
    const from = this.state;
    this.state = to;
    this.onTransition(openForMs === undefined ? { from, to, reason } : { from, to, reason, openForMs });
  }

  private resetCounts(): void {
    this.consecutive = 0;
    this.totals.fill(0);
    this.failures.fill(0);
    this.bucketIds.fill(-1);
  }

  /** The bucket for `now`, cleared first if it last held an older slice of time. */
  private bucket(now: number): number {
    const id = Math.floor(now / this.bucketMs);
    const i = id % WINDOW_BUCKETS;
    if (this.bucketIds[i] !== id) {
      this.bucketIds[i] = id;
      this.totals[i] = 0;
      this.failures[i] = 0;
    }
    return i;
  }

  private windowCounts(now: number): { total: number; failed: number } {
    const newest = Math.floor(now / this.bucketMs);
    let total = 0;
    let failed = 0;
    for (let i = 0; i < WINDOW_BUCKETS; i++) {
      if (newest - this.bucketIds[i]! >= WINDOW_BUCKETS) continue;
      total += this.totals[i]!;
      failed += this.failures[i]!;
    }
    return { total, failed };
  }
}
