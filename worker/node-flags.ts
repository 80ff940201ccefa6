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
