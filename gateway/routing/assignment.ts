/**
 * Sticky assignment: a pure function from (seed, unit) to a target, the same in every replica,
 * in every process and in the outcomes API. THIS IS A COMPATIBILITY CONTRACT: changing the hash,
 * the key format or the order moves users between variants. Tests pin known buckets.
 *
 * 1. key    = UTF-8 bytes of `${seed}:${unit}`
 * 2. bucket = MurmurHash3_x86_32(key, seed 0) as an unsigned 32-bit integer, mod 10 000
 *             (Python: `mmh3.hash(f"{seed}:{unit}", 0, signed=False) % 10000`)
 * 3. the targets' weights (percent, 0.01 % resolution) become cumulative bucket bounds in a
 *    fixed order, NEWER FIRST: canary before stable; experiment treatments in declared order,
 *    then control last. The first target whose bound is above the bucket wins.
 *
 * Because the newer target owns the low buckets, raising its weight only ever moves units
 * from the older target to the newer one, never back and never between other units.
 */

/** Size of the bucket space: weights have a 0.01 % resolution. */
export const BUCKETS = 10_000;

export interface WeightedTarget {
  readonly name: string;
  /** Share of units, percent (0..100). */
  readonly weight: number;
}

/** Targets in assignment order with their cumulative upper bucket bounds. */
export interface Split {
  readonly names: readonly string[];
  /** bounds[i] is the first bucket NOT assigned to names[i]; the last bound is BUCKETS. */
  readonly bounds: readonly number[];
}

/** Builds the bucket map; `targets` must already be in assignment order (newer first). */
export function buildSplit(targets: readonly WeightedTarget[]): Split {
  const names: string[] = [];
  const bounds: number[] = [];
  let cumulative = 0;
  for (const t of targets) {
    cumulative += Math.round(t.weight * (BUCKETS / 100));
    names.push(t.name);
    bounds.push(Math.min(cumulative, BUCKETS));
  }
  // Rounding must never leave buckets unassigned: the last target takes the rest.
  if (bounds.length > 0) bounds[bounds.length - 1] = BUCKETS;
  return { names, bounds };
}

export function pickTarget(split: Split, bucket: number): string {
  const { bounds, names } = split;
  for (let i = 0; i < bounds.length; i++) if (bucket < bounds[i]!) return names[i]!;
  return names[names.length - 1]!;
}

export function bucketOf(seed: string, unit: string): number {
  return murmur3x86_32(Buffer.from(`${seed}:${unit}`, 'utf8'), 0) % BUCKETS;
}

/** A bucket for a request without a unit, from an injected source of [0, 1) randoms. */
export function randomBucket(random: () => number): number {
  return Math.min(BUCKETS - 1, Math.floor(random() * BUCKETS));
}

/** MurmurHash3, x86 32-bit variant (Austin Appleby), unsigned result. */
export function murmur3x86_32(key: Uint8Array, seed: number): number {
  const c1 = 0xcc9e2d51;
  const c2 = 0x1b873593;
  const length = key.length;
  const blocks = length & ~3;
  let h = seed >>> 0;
  for (let i = 0; i < blocks; i += 4) {
    let k = key[i]! | (key[i + 1]! << 8) | (key[i + 2]! << 16) | (key[i + 3]! << 24);
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  const tail = length & 3;
  if (tail > 0) {
    let k = 0;
    if (tail === 3) k ^= key[blocks + 2]! << 16;
    if (tail >= 2) k ^= key[blocks + 1]! << 8;
    k ^= key[blocks]!;
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
  }
  h ^= length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
