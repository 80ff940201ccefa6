import assert from 'node:assert/strict';

/** |actual − expected| ≤ tolerance·|expected| (or ≤ tolerance when expected is 0). */
export function assertClose(actual: number | null | undefined, expected: number, tolerance: number, label = 'value'): void {
  assert.ok(typeof actual === 'number', `${label}: expected a number near ${expected}, got ${String(actual)}`);
  const scale = expected === 0 ? 1 : Math.abs(expected);
  const error = Math.abs(actual - expected) / scale;
  assert.ok(error <= tolerance, `${label}: ${actual} vs ${expected} (relative error ${error.toExponential(2)} > ${tolerance})`);
}

/** Both ends of an interval. */
export function assertIntervalClose(actual: readonly [number, number] | null | undefined, expected: readonly [number, number], tolerance: number, label = 'interval'): void {
  assert.ok(actual, `${label}: expected an interval, got ${String(actual)}`);
  assertClose(actual[0], expected[0], tolerance, `${label} lower`);
  assertClose(actual[1], expected[1], tolerance, `${label} upper`);
}
