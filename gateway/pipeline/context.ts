import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { EventEmitter } from 'node:events';
import type { Writable } from 'node:stream';
import type { ResponseHeaders } from './filter.js';
import type { CompiledBackend } from '../upstream/backend.js';
import type { GrpcExchange } from '../grpc/exchange.js';

/** Where the target step sent a request: the backend, and the experiment variant if any. */
export interface Assignment {
  readonly backend: CompiledBackend;
  /** Experiment variant name; '' outside experiments (it is a metric label). */
  readonly variant: string;
}

/** What a filter needs to know about the route it runs on, without the compiled table itself. */
export interface RouteInfo {
  readonly name: string;
}

/**
 * Per-request state, the only place it lives. Filters read what they need and set what later
 * filters and the response writer read (`assignment`, `body`, `endpoint`). A class, so every
 * request has the same shape and the hot path stays monomorphic.
 */
export class RequestContext {
  /** Set by the target step. */
  assignment: Assignment | undefined = undefined;
  /**
   * Set by the target step when the request named a model version and went to the backend
   * serving it rather than where the route's split sends it: rollout analysis and experiment
   * exposure leave such a request out (it says nothing about the split).
   */
  routedByVersion = false;
  /** The request body, when a filter buffered it (model routes); otherwise it streams from `req`. */
  body: Buffer | undefined = undefined;
  /** Origin of the endpoint that served the request (set by the upstream step). */
  endpoint: string | undefined = undefined;
  /**
   * Set by the listener: writes the status and headers to the client and returns the response
   * for the body. The upstream step uses it for unbuffered bodies, so a plain route's answer
   * goes from the upstream socket to the client without an intermediate stream.
   */
  sink: ((status: number, headers: ResponseHeaders) => Writable) | undefined = undefined;
  /**
   * Emits 'abort' when the client leaves before its answer is finished (set by the listener);
   * the upstream pool listens for it on this EventEmitter.
   */
  clientGone: EventEmitter | undefined = undefined;
  /**
   * Set by the gRPC listener: the request is a gRPC call (`body` holds its serialized message)
   * and the chain's terminal step forwards it over gRPC instead of HTTP.
   */
  grpc: GrpcExchange | undefined = undefined;
  /**
   * The signal of the current upstream try, when a filter runs tries with their own timeouts
   * (retries); the upstream step uses it instead of `clientGone`.
   */
  upstreamSignal: EventEmitter | undefined = undefined;
  /** Origin the balancer should pass over if it has another choice (the endpoint a retried try failed on). */
  avoidEndpoint: string | undefined = undefined;
  /** Priority class (set by the priority filter): shedding refuses the lowest first. */
  priority: 'high' | 'normal' | 'low' = 'normal';

  constructor(
    readonly req: IncomingMessage,
    readonly route: RouteInfo,
    readonly requestId: string,
    /** Path without the query string. */
    readonly path: string,
    /** The query string with its '?', or ''. */
    readonly query: string,
    /** 'http' or 'https': the scheme of the listener the request came in on. */
    readonly scheme: 'http' | 'https',
    /** performance.now() when the request arrived, milliseconds. */
    readonly startedAt: number,
  ) {}

  get method(): string {
    return this.req.method ?? 'GET';
  }

  get headers(): IncomingHttpHeaders {
    return this.req.headers;
  }

  /** The client went away: its upload was cut off or its connection closed. (A request read whole is `destroyed` too, so that alone says nothing.) */
  get clientLeft(): boolean {
    return (this.req.destroyed && !this.req.complete) || this.req.socket?.destroyed === true;
  }
}
