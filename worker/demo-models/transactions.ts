import { mulberry32, normal, type Random } from './random.js';

/**
 * Synthetic card transactions laid out like the public credit-card fraud data set
 * (ULB, Kaggle): `time` in seconds since the first transaction of a two-day window,
 * 28 anonymised PCA components `v1`..`v28` whose spread shrinks with the index, and the
 * `amount` in euros. Nothing is downloaded: rows and labels come from the model below.
 *
 * Labels: a hidden risk score (a few components, night time, very small and very large
 * amounts) plus noise; fraud when it is positive. The fraud share is about 13%, far above
 * the real 0.17%, so that a demo of a few hundred requests shows both classes.
 *
 * Drift (`drifted: true`): amounts rise, v3 and v7 shift, and fraudsters change tactics
 * (v14, v10 and night time matter less; v3, v7 and large amounts more); the fraud share is
 * about 25%. Version 2 of the fraud model is trained on drifted data, version 1 on the
 * original data. "Current traffic" is the original distribution (the default).
 */
export const TRANSACTION_FEATURES: readonly string[] = [
  'time',
  ...Array.from({ length: 28 }, (_, i) => `v${i + 1}`),
  'amount',
];

/** Two days, the span of the public data set, in seconds. */
export const TIME_SPAN_SECONDS = 172_800;
const SECONDS_PER_DAY = 86_400;

/** Standard deviation of v1..v28: about 1.95 for v1 down to about 0.32 for v28, as in the public data. */
export function componentStd(k: number): number {
  return 1.95 * 0.935 ** (k - 1);
}

export interface TransactionOptions {
  readonly seed: number;
  /** Draw from the drifted distribution (the data version 2 is trained on). Default false. */
  readonly drifted?: boolean;
}

export interface LabelledTransactions {
  readonly rows: number[][];
  /** 0 = legit, 1 = fraud. */
  readonly labels: number[];
}

interface Regime {
  /** Mean and spread of ln(amount in euros). */
  readonly amountLogMean: number;
  readonly amountLogStd: number;
  /** Mean shift of a component, in units of its standard deviation, by component number. */
  readonly componentShift: Readonly<Record<number, number>>;
  /** Risk per standard deviation of a component, by component number. */
  readonly componentRisk: Readonly<Record<number, number>>;
  readonly nightRisk: number;
  /** Risk per unit of ln(amount) above ln(200 €). */
  readonly largeAmountRisk: number;
  /** Risk of amounts under 2 € (card testing). */
  readonly cardTestingRisk: number;
  readonly bias: number;
}

const ORIGINAL: Regime = {
  amountLogMean: 3.1,
  amountLogStd: 1.5,
  componentShift: {},
  componentRisk: { 14: -1.1, 12: -0.8, 10: -0.6, 4: 0.7, 11: 0.5, 17: -0.4 },
  nightRisk: 1.2,
  largeAmountRisk: 0.3,
  cardTestingRisk: 1.0,
  bias: -2.3,
};

const DRIFTED: Regime = {
  amountLogMean: 3.5,
  amountLogStd: 1.5,
  componentShift: { 3: 0.6, 7: -0.5 },
  componentRisk: { 14: -0.3, 12: -0.6, 10: -0.2, 4: 0.7, 11: 0.5, 3: 1.3, 7: -1.0 },
  nightRisk: 0.5,
  largeAmountRisk: 0.9,
  cardTestingRisk: 1.0,
  bias: -2.8,
};

/** Noise added to the risk score before thresholding, so classes overlap a little. */
const LABEL_NOISE_STD = 0.4;

/** Rows of 30 features (see TRANSACTION_FEATURES): the "current traffic" tests, benchmarks and the demo send. */
export function generateTransactions(count: number, options: TransactionOptions): number[][] {
  return generateLabelledTransactions(count, options).rows;
}

export function generateLabelledTransactions(count: number, options: TransactionOptions): LabelledTransactions {
  const random = mulberry32(options.seed);
  const regime = options.drifted ? DRIFTED : ORIGINAL;
  const rows: number[][] = [];
  const labels: number[] = [];
  for (let n = 0; n < count; n++) {
    const row = sampleRow(random, regime);
    rows.push(row);
    labels.push(risk(row, regime) + LABEL_NOISE_STD * normal(random) > 0 ? 1 : 0);
  }
  return { rows, labels };
}

function sampleRow(random: Random, regime: Regime): number[] {
  const row = [sampleTime(random)];
  for (let k = 1; k <= 28; k++) {
    row.push((normal(random) + (regime.componentShift[k] ?? 0)) * componentStd(k));
  }
  const amount = Math.exp(regime.amountLogMean + regime.amountLogStd * normal(random));
  // Cents, capped at the largest amount in the public data set (25 691.16 €).
  row.push(Math.min(Math.round(amount * 100) / 100, 25_691.16));
  return row;
}

/** Seconds in [0, TIME_SPAN_SECONDS), busier by day than at night (fewest at 04:00). */
function sampleTime(random: Random): number {
  for (;;) {
    const t = Math.floor(random() * TIME_SPAN_SECONDS);
    const busy = (1 - Math.cos((2 * Math.PI * (hourOfDay(t) - 4)) / 24)) / 2;
    if (random() < 0.25 + 0.75 * busy) return t;
  }
}

function hourOfDay(seconds: number): number {
  return (seconds % SECONDS_PER_DAY) / 3600;
}

function risk(row: readonly number[], regime: Regime): number {
  let score = regime.bias;
  for (const [k, weight] of Object.entries(regime.componentRisk)) {
    score += (weight * (row[Number(k)] as number)) / componentStd(Number(k));
  }
  const hour = hourOfDay(row[0] as number);
  if (hour < 6) score += regime.nightRisk;
  const amount = row[29] as number;
  if (amount < 2) score += regime.cardTestingRisk;
  score += regime.largeAmountRisk * Math.max(0, Math.log(Math.max(amount, 0.01)) - Math.log(200));
  return score;
}
