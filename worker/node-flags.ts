import { setFlagsFromString } from 'node:v8';

/**
 * Node flags a worker process runs with. Every request leaves short-lived objects in V8's
 * young generation (the parsed JSON, tensors, promises, node's request and response). With
 * V8's default semi-spaces of 16 MiB, a worker answering ~23,000 fraud requests a second
 * scavenged about 40 times a second and promoted what was still in flight; with 64 MiB it
 * scavenged 16 times a second (docs/worker.md, "Node flags").
 *
 * `switchyard up` and the benchmarks start workers with these flags; a worker started by hand
 * takes them on node's command line or in NODE_OPTIONS, as the deploy/ manifests do.
 */
export const WORKER_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=64'];

/**
 * When V8 starts a full mark-compact on its own, in percent of the old generation's headroom
 * (its limit minus its size after the last GC) used up since then: a marking task at the soft
 * trigger, marking at once at the hard one. At V8's default (0, 0) marking starts as soon as
 * the headroom left is smaller than the young generation, and that headroom counts external
 * memory: node copies every request body chunk into a Buffer of its own, so 150 KB images
 * streaming in used up the few MiB of slack in a fraction of a second, and a worker that had
 * grown its young generation (fraud traffic, say) ran a full GC several times a second
 * for as long as images kept coming (docs/worker.md, "Node flags").
 *
 * Node refuses these in NODE_OPTIONS, but V8 reads them each time it decides, so the worker
 * sets them on itself at start (applyGcTriggers); no launcher has to pass them.
 */
export const GC_TRIGGER_FLAGS: readonly string[] = ['--incremental-marking-soft-trigger=90', '--incremental-marking-hard-trigger=97'];

/** Sets GC_TRIGGER_FLAGS in this process (every isolate, worker threads included); returns them, for the log. */
export function applyGcTriggers(setFlags: (flags: string) => void = setFlagsFromString): readonly string[] {
  for (const flag of GC_TRIGGER_FLAGS) setFlags(flag);
  return GC_TRIGGER_FLAGS;
}

/**
 * The semi-space size this process was started with, in MiB, from its command line or
 * NODE_OPTIONS (the command line wins, as in node); undefined when neither sets it (V8's default).
 */
export function maxSemiSpaceMb(execArgv: readonly string[] = process.execArgv, nodeOptions = process.env.NODE_OPTIONS ?? ''): number | undefined {
  const fromArgs = lastSemiSpace(execArgv);
  return fromArgs ?? lastSemiSpace(nodeOptions.split(/\s+/));
}

function lastSemiSpace(flags: readonly string[]): number | undefined {
  let found: number | undefined;
  for (const flag of flags) {
    const match = /^--max[-_]semi[-_]space[-_]size=(\d+)$/.exec(flag);
    if (match) found = Number(match[1]);
  }
  return found;
}
