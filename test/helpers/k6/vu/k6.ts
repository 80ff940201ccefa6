import { blockFor, currentGroup, emit, setGroup } from './context.js';

/** k6's check: each named predicate is one `checks` sample (1 passed, 0 failed); true when all passed. */
export function check<T>(value: T, sets: Record<string, (v: T) => boolean>, tags: Record<string, string> = {}): boolean {
  let all = true;
  for (const [name, predicate] of Object.entries(sets)) {
    let ok = false;
    try {
      ok = predicate(value) === true;
    } catch {
      ok = false;
    }
    emit({ metric: 'checks', kind: 'rate', value: ok ? 1 : 0, tags: { check: name, ...tags } });
    all &&= ok;
  }
  return all;
}

/** k6's sleep, in seconds. */
export function sleep(seconds: number): void {
  blockFor(seconds * 1000);
}

/** k6's group: samples emitted inside carry group `::name` (nested: `::outer::inner`). */
export function group<T>(name: string, fn: () => T): T {
  const outer = currentGroup();
  setGroup(`${outer}::${name}`);
  try {
    return fn();
  } finally {
    setGroup(outer);
  }
}
