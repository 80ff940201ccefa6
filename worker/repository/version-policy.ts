import type { VersionPolicy } from './model-config.js';

/** Orders versions numerically when they are numbers (Triton's convention), else as text. */
export function compareVersions(a: string, b: string): number {
  const na = Number(a);
  const nb = Number(b);
  if (Number.isFinite(na) && Number.isFinite(nb)) return na - nb;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The versions a policy keeps loaded, in ascending order. */
export function selectVersions(available: readonly string[], policy: VersionPolicy): string[] {
  const sorted = [...available].sort(compareVersions);
  if ('all' in policy) return sorted;
  if ('latest' in policy) return sorted.slice(Math.max(0, sorted.length - policy.latest));
  const wanted = new Set(policy.specific);
  return sorted.filter((v) => wanted.has(v));
}
