/**
 * Seeded random numbers for the demo models. Every model is built from these, never from
 * Math.random, so the same build gives byte-identical files.
 */

/** A source of uniform numbers in [0, 1). */
export type Random = () => number;

/**
 * mulberry32: a 32-bit state generator, plenty for sampling demo data and initial weights,
 * and small enough to read at a glance.
 */
export function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  return function next(): number {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard normal sample (Box-Muller; one of the pair is dropped to keep the state trivial). */
export function normal(random: Random): number {
  // 1 - u keeps the logarithm finite: u is in [0, 1).
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** A fresh array of `count` normal samples with the given standard deviation. */
export function normalArray(random: Random, count: number, std: number): Float32Array {
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = normal(random) * std;
  return out;
}

/** Fisher-Yates shuffle of `items` in place. */
export function shuffle<T>(random: Random, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const tmp = items[i] as T;
    items[i] = items[j] as T;
    items[j] = tmp;
  }
  return items;
}
