import type { ServerOptions } from '@grpc/grpc-js';

/**
 * Concurrent calls (HTTP/2 streams) one client connection may open; a client queues the ones
 * past it. High enough for the gateway, which sends all its calls to a worker on one connection.
 */
export const DEFAULT_MAX_CONCURRENT_STREAMS = 1_000;
/** The server pings a connection this long after the last PING answer, ms; keepalive's period. */
export const KEEPALIVE_TIME_MS = 60_000;
/** A keepalive PING unanswered for this long closes the connection (a client gone without a FIN), ms. */
export const KEEPALIVE_TIMEOUT_MS = 20_000;
/** A connection with no call open for this long gets GOAWAY and is closed, ms. */
export const MAX_CONNECTION_IDLE_MS = 5 * 60_000;

export interface GrpcServerLimits {
  /** Largest message either way, bytes. */
  readonly maxReceiveMessageBytes: number;
  readonly maxSendMessageBytes?: number;
  readonly maxConcurrentStreams?: number;
}

/**
 * The grpc-js options both gRPC servers (gateway and worker) start with: message sizes, a cap
 * on concurrent streams per connection, keepalive pings that close connections whose client is
 * gone, and an idle limit. Malformed clients are the SessionWatchdog's (listener-guard.ts).
 */
export function grpcServerOptions(limits: GrpcServerLimits): ServerOptions {
  return {
    'grpc.max_receive_message_length': limits.maxReceiveMessageBytes,
    ...(limits.maxSendMessageBytes === undefined ? {} : { 'grpc.max_send_message_length': limits.maxSendMessageBytes }),
    'grpc.max_concurrent_streams': limits.maxConcurrentStreams ?? DEFAULT_MAX_CONCURRENT_STREAMS,
    'grpc.keepalive_time_ms': KEEPALIVE_TIME_MS,
    'grpc.keepalive_timeout_ms': KEEPALIVE_TIMEOUT_MS,
    'grpc.max_connection_idle_ms': MAX_CONNECTION_IDLE_MS,
  };
}
