import type { Logger } from '../../observability/logger.js';
import type { ModelRegistry } from './model-registry.js';

/** Seconds between repository polls in `--model-control poll` mode. */
export const DEFAULT_REPOSITORY_POLL_SECONDS = 10;

/**
 * Re-reads the repository on an interval (Triton's POLL mode): a version registered since the
 * last poll loads (and warms up) and the one the policy drops unloads. A poll never overlaps
 * the previous one, because registry changes run one at a time.
 */
export class RepositoryPoller {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(private readonly registry: ModelRegistry, private readonly intervalMs: number, private readonly log: Logger) {}

  start(): void {
    this.timer ??= setInterval(() => void this.pollOnce(), this.intervalMs);
    this.timer.unref();
  }

  /** One poll; concurrent callers share it. Failures are logged, never thrown. */
  pollOnce(): Promise<void> {
    this.running ??= this.registry.poll().catch((err: unknown) => {
      this.log.error({ err: (err as Error).message }, 'repository poll failed');
    }).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
