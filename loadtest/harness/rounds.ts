/**
 * Helpers for benchmarks measured in alternating rounds: on a shared machine whose speed drifts
 * by ±20 % within a minute, a ratio of two figures measured back to back in one round is
 * steadier than a ratio of two figures measured minutes apart.
 */

/** The middle value of numbers already sorted ascending (the upper middle for an even count). */
export function median(sorted: readonly number[]): number {
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** The item whose key is the median of all keys. */
export function medianBy<T>(items: readonly T[], key: (item: T) => number): T {
  return [...items].sort((a, b) => key(a) - key(b))[Math.floor(items.length / 2)]!;
}

/** numerator[i] / denominator[i] for every round, sorted ascending. */
export function roundRatios(numerator: readonly number[], denominator: readonly number[]): number[] {
  return numerator.map((n, i) => n / denominator[i]!).sort((a, b) => a - b);
}
