/**
 * An A/B run: UNITS simulated users (the unit goes in UNIT_HEADER) send inference through an
 * experiment route, and each answer is followed by an outcome posted to the admin listener:
 * POST ADMIN_URL/v1/experiments/EXPERIMENT/outcomes {unit, metric, value}. The outcome is a
 * conversion (0 or 1) with probability BASE_RATE, plus LIFT for units the gateway put in
 * TREATMENT, so the experiment's results should find the lift you planted.
 *
 * Against the example experiment (node dist/cli/main.js up -c config/experiment.yaml):
 *
 *   k6 run -e EXPERIMENT=fraud-2026-11 -e METRIC=chargeback -e UNITS=2000 -e LIFT=-0.02 loadtest/k6/ab.ts
 *
 * Against Compose or Kubernetes the admin listener wants the gateway's bearer token:
 * -e ADMIN_TOKEN="$SWITCHYARD_ADMIN_TOKEN". Outcome posts are tagged traffic:admin, so they
 * count against switchyard_outcome_accepted and not against the inference thresholds.
 */
import { check } from 'k6';
import http from 'k6/http';
import { Counter, Rate } from 'k6/metrics';
import type { Options } from 'k6/options';
import { adminHeaders } from './lib/admin.ts';
import { ADMIN_URL, DURATION, envNumber, envString, MAX_ERROR_RATE, MAX_VUS, PRE_VUS, RATE } from './lib/env.ts';
import { ADMIN_TRAFFIC, infer, standardThresholds } from './lib/infer.ts';

const EXPERIMENT = envString('EXPERIMENT', 'fraud-2026-11');
const UNIT_HEADER = envString('UNIT_HEADER', 'x-user-id');
const UNITS = envNumber('UNITS', 1000);
const METRIC = envString('METRIC', 'chargeback');
const TREATMENT = envString('TREATMENT', 'treatment');
const BASE_RATE = envNumber('BASE_RATE', 0.1);
const LIFT = envNumber('LIFT', 0);

/** Outcomes posted, by variant and whether the admin API accepted them. */
const outcomes = new Counter('switchyard_outcomes');
const exposures = new Counter('switchyard_exposures');
/** Share of outcome posts the admin API answered 2xx. */
const accepted = new Rate('switchyard_outcome_accepted');

export const options: Options = {
  scenarios: {
    ab: { executor: 'constant-arrival-rate', rate: RATE, timeUnit: '1s', duration: DURATION, preAllocatedVUs: PRE_VUS, maxVUs: MAX_VUS },
  },
  thresholds: {
    ...standardThresholds(),
    switchyard_outcome_accepted: [`rate>${1 - MAX_ERROR_RATE}`],
  },
};

export default function ab(): void {
  const unit = `k6-unit-${Math.floor(Math.random() * UNITS)}`;
  const answer = infer({ [UNIT_HEADER]: unit });
  if (!answer.ok) return;
  const variant = answer.variant || 'unknown';
  exposures.add(1, { variant });
  const converted = Math.random() < BASE_RATE + (variant === TREATMENT ? LIFT : 0);
  const res = http.post(
    `${ADMIN_URL}/v1/experiments/${encodeURIComponent(EXPERIMENT)}/outcomes`,
    JSON.stringify({ unit, metric: METRIC, value: converted ? 1 : 0 }),
    { headers: adminHeaders(), tags: { name: 'post outcome', ...ADMIN_TRAFFIC } },
  );
  const ok = check(res, { 'outcome accepted': (r) => r.status >= 200 && r.status < 300 });
  accepted.add(ok, { variant });
  outcomes.add(1, { variant, accepted: String(ok) });
}
