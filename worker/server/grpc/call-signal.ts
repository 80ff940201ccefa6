import type { ServerDuplexStream, ServerUnaryCall } from '@grpc/grpc-js';

export interface CallSignal {
  readonly signal: AbortSignal;
  /** Stops watching the call (its answer is written). */
  dispose(): void;
}

type WatchedCall = Pick<ServerUnaryCall<unknown, unknown> | ServerDuplexStream<unknown, unknown>, 'getDeadline' | 'once' | 'off'>;

/**
 * An AbortSignal that fires when the client cancels the call or its deadline passes, so a
 * request still queued then is dropped instead of run (the batcher rejects it with
 * REQUEST_TIMEOUT, which becomes DEADLINE_EXCEEDED). grpc-js cancels a call at its deadline
 * too; the timer here makes the signal independent of that.
 */
export function callSignal(call: WatchedCall): CallSignal {
  const controller = new AbortController();
  const abort = (): void => controller.abort(new Error('the call was cancelled or its deadline passed'));
  call.once('cancelled', abort);
  const deadline = call.getDeadline();
  const at = deadline instanceof Date ? deadline.getTime() : deadline;
  let timer: NodeJS.Timeout | undefined;
  if (Number.isFinite(at)) {
    const ms = at - Date.now();
    if (ms <= 0) abort();
    else timer = setTimeout(abort, ms);
  }
  return {
    signal: controller.signal,
    dispose() {
      if (timer) clearTimeout(timer);
      call.off('cancelled', abort);
    },
  };
}
