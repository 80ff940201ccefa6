/** Edit distance with adjacent transpositions (optimal string alignment), for "did you mean". */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * The one candidate close enough to be a typo of `name`, or undefined. Names that differ only
 * in their digits ('fraud-v3' vs 'fraud-v1') are different versions, not typos, so they are
 * never suggested; and when two candidates are equally close, neither is.
 */
export function didYouMean(name: string, candidates: Iterable<string>): string | undefined {
  const lower = name.toLowerCase();
  // Up to a third of the name may be wrong, at least one character, at most three.
  const limit = Math.min(3, Math.max(1, Math.floor(name.length / 3)));
  let best: string | undefined;
  let bestDistance = Infinity;
  let tie = false;
  for (const candidate of candidates) {
    if (candidate === name) continue;
    if (candidate.replace(/\d+/g, '#') === name.replace(/\d+/g, '#')) continue;
    const distance = candidate.toLowerCase() === lower ? 0 : editDistance(lower, candidate.toLowerCase());
    if (distance > limit) continue;
    if (distance < bestDistance) [best, bestDistance, tie] = [candidate, distance, false];
    else if (distance === bestDistance) tie = true;
  }
  return tie ? undefined : best;
}

/** "backend 'x' is not defined; did you mean 'y'? Defined backends: a, b" and its variants. */
export function unknownNameMessage(kind: string, plural: string, name: string, defined: readonly string[]): string {
  const suggestion = didYouMean(name, defined);
  const head = `${kind} '${name}' is not defined`;
  const list = defined.length === 0 ? `no ${plural} are defined` : `defined ${plural}: ${defined.join(', ')}`;
  return suggestion === undefined ? `${head}; ${list}` : `${head}; did you mean '${suggestion}'? (${list})`;
}
