/**
 * How a caller tells the batcher it no longer wants an answer. An AbortSignal fits (the gRPC
 * listener uses one); the HTTP listener uses the lighter ClientGone below.
 */
export interface Cancellation {
  readonly aborted: boolean;
  readonly reason?: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/**
 * A cancellation with room for one listener (the batcher's), for the HTTP request path: an
 * AbortController per request, with its EventTarget, cost the worker about 5 % of its CPU
 * under fraud's load.
 */
export class ClientGone implements Cancellation {
  aborted = false;
  reason: unknown = undefined;
  private listener: (() => void) | undefined = undefined;

  addEventListener(_type: 'abort', listener: () => void, _options?: { once?: boolean }): void {
    if (this.listener !== undefined && this.listener !== listener) throw new Error('ClientGone holds one listener');
    this.listener = listener;
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    if (this.listener === listener) this.listener = undefined;
  }

  abort(reason: unknown = new Error('the client closed the connection')): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    const listener = this.listener;
    this.listener = undefined;
    listener?.();
  }
}
