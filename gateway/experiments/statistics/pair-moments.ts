import type { VariantSummary } from '../store/store.js';
import { productKey } from '../store/store.js';
import { armOf } from './arms.js';

/**
 * Two metrics over the same units of one arm: every analysed unit, a missing total counted as
 * 0. Means, sample variances and the sample covariance (n − 1 denominators), the inputs of the
 * delta method (ratio.ts) and of CUPED (cuped.ts).
 */
export interface PairMoments {
  readonly n: number;
  readonly meanX: number;
  readonly meanY: number;
  readonly sumX: number;
  readonly sumY: number;
  readonly varianceX: number;
  readonly varianceY: number;
  readonly covariance: number;
}

const ZERO_FILLED = { kind: 'mean', missing: 'zero' } as const;

/**
 * The covariance is (Σxy − Σx·Σy/n)/(n − 1) from the store's product sum; the variances come
 * from the stored Welford moments (arms.ts), so they keep their digits for large values while
 * the covariance, a raw sum, is exact to about 1e-16 of Σxy.
 */
export function pairMoments(variant: VariantSummary | undefined, units: number, x: string, y: string): PairMoments {
  const own = (name: string) => (variant !== undefined && Object.hasOwn(variant.metrics, name) ? variant.metrics[name] : undefined);
  const ax = armOf(own(x), units, { name: x, ...ZERO_FILLED });
  const ay = armOf(own(y), units, { name: y, ...ZERO_FILLED });
  const products = variant?.products ?? {};
  const key = productKey(x, y);
  const sumXY = Object.hasOwn(products, key) ? products[key]! : 0;
  const n = ax.n;
  const covariance = n < 2 ? 0 : (sumXY - (ax.sum * ay.sum) / n) / (n - 1);
  return { n, meanX: ax.mean, meanY: ay.mean, sumX: ax.sum, sumY: ay.sum, varianceX: ax.variance, varianceY: ay.variance, covariance };
}
