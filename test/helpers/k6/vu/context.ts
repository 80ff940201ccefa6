import { parentPort, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import type { MetricKind } from '../thresholds.js';

/**
 * One VU's side of the stand-in: a worker thread, because k6's API is synchronous (http.post
 * returns the response) and Node's HTTP is not. A request goes to the runner on `port`, and
 * the VU blocks on `signal` (Atomics.wait) until the runner has posted the answer back.
 */

/** A request as the VU hands it to the runner. */
export interface VuRequest {
  readonly method: string;
  readonly url: string;
  readonly body: string | undefined;
  readonly headers: Readonly<Record<string, string>>;
  readonly tags: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
}

/** What the runner answers: k6's Response fields the scripts read. */
export interface VuResponse {
  readonly status: number;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly durationMs: number;
  readonly error: string;
}

/** A metric sample from a VU; the runner adds the scenario tag and stores it. */
export interface VuSample {
  readonly metric: string;
  readonly kind: MetricKind;
  readonly value: number;
  readonly tags: Readonly<Record<string, string>>;
}

interface Channel { readonly port: MessagePort; readonly signal: Int32Array }

let channel: Channel | undefined;
/** Tags k6 puts on every sample of the current iteration (group). */
let groupTag = '';
/** Milliseconds since the epoch when the VU's scenario started (k6/execution's scenario.startTime). */
let scenarioStart = 0;

export function connect(port: MessagePort, shared: SharedArrayBuffer): void {
  channel = { port, signal: new Int32Array(shared) };
}

export function setScenarioStart(ms: number): void {
  scenarioStart = ms;
}

export function scenarioStartTime(): number {
  return scenarioStart;
}

export function currentGroup(): string {
  return groupTag;
}

export function setGroup(name: string): void {
  groupTag = name;
}

/** Sends a sample to the runner (k6 tags every sample with its group, '' outside any). */
export function emit(sample: VuSample): void {
  parentPort?.postMessage({ kind: 'sample', sample: { ...sample, tags: { group: groupTag, ...sample.tags } } });
}

/** Sends `request` to the runner and blocks this VU until the answer is there, as k6 does. */
export function requestSync(request: VuRequest): VuResponse {
  if (channel === undefined) throw new Error('k6 stand-in: http called outside a VU');
  Atomics.store(channel.signal, 0, 0);
  channel.port.postMessage(request);
  Atomics.wait(channel.signal, 0, 0);
  const answer = receiveMessageOnPort(channel.port);
  if (answer === undefined) throw new Error('k6 stand-in: woken without an answer');
  return answer.message as VuResponse;
}

/** Blocks this VU for `ms` (k6's sleep blocks the VU, not the test). */
export function blockFor(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
