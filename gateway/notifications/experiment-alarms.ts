import type { Logger } from '../../observability/logger.js';
import type { ExperimentReport, ExperimentService } from '../experiments/service.js';
import type { ExperimentNotification } from './events.js';

export interface ExperimentAlarmDeps {
  readonly experiments: Pick<ExperimentService, 'list' | 'results'>;
  /** Only the replica that runs the rollout analysis (holds the lease) raises alarms, so each is sent once. */
  readonly leading: () => boolean;
  readonly notify: (n: ExperimentNotification) => void;
  readonly log: Logger;
  /** Epoch ms. */
  readonly now: () => number;
}

/**
 * Guardrail harm: a metric that must not get worse, significantly worse in a variant. The
 * config has no guardrail metrics yet, so this hook finds none; when `metrics[].guardrail`
 * exists, this is where its comparisons are read (same once-per-episode rule as SRM).
 */
export function guardrailHarm(results: ExperimentReport): ExperimentNotification[] {
  void results;
  return [];
}

/**
 * Looks at every experiment's results and raises an alarm when a check turns bad: once per
 * episode, not once per look (a mismatch that clears and comes back alarms again). What was
 * already raised is kept in this replica's memory, so a new analysis leader may raise an
 * ongoing alarm once more.
 */
export class ExperimentAlarms {
  private readonly raised = new Set<string>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: ExperimentAlarmDeps) {}

  /** Checks every `intervalMs`; a failed look (store down) is logged and tried again at the next. */
  start(intervalMs: number): void {
    this.stop();
    this.timer = setInterval(() => void this.check().catch((err: unknown) => this.deps.log.warn({ err }, 'experiment alarms: the results could not be read; trying again at the next check')), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  async check(): Promise<void> {
    if (!this.deps.leading()) return;
    for (const listed of await this.deps.experiments.list()) {
      const results = await this.deps.experiments.results(listed.id);
      const alarms = [...sampleRatioAlarm(results, this.deps.now()), ...guardrailHarm(results)];
      const now = new Set(alarms.map((a) => `${a.type}:${a.experiment}`));
      for (const key of [...this.raised].filter((k) => k.endsWith(`:${listed.id}`) && !now.has(k))) this.raised.delete(key);
      for (const alarm of alarms) {
        const key = `${alarm.type}:${alarm.experiment}`;
        if (this.raised.has(key)) continue;
        this.raised.add(key);
        this.deps.log.warn({ event: 'experiment_alarm', type: alarm.type, experiment: alarm.experiment }, alarm.summary);
        this.deps.notify(alarm);
      }
    }
  }
}

function sampleRatioAlarm(results: ExperimentReport, at: number): ExperimentNotification[] {
  const srm = results.sampleRatio;
  if (!srm.mismatch) return [];
  const observed = Object.entries(srm.observed).map(([v, n]) => `${v} ${n}`).join(', ');
  return [{
    type: 'experiment.sample_ratio_mismatch', experiment: results.experimentId, route: results.route, at,
    summary: `Experiment ${results.experimentId}: sample ratio mismatch (exposures ${observed}; p = ${srm.pValue?.toPrecision(3)}); its results are not trustworthy until the split is fixed`,
    detail: { observed: srm.observed, expected: srm.expected, chiSquare: srm.chiSquare, pValue: srm.pValue },
  }];
}
