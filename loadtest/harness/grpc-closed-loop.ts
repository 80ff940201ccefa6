import { Client, credentials, Metadata, status as Status, type ServiceError } from '@grpc/grpc-js';
import type { ClosedLoopResult } from './closed-loop.js';
import { summarise } from './percentiles.js';

export interface GrpcClosedLoopOptions {
  /** host:port of a gRPC server. */
  readonly address: string;
  /** Full method path, e.g. /inference.GRPCInferenceService/ModelInfer. */
  readonly method: string;
  /** Serialized request messages, sent in turn by every client. */
  readonly messages: readonly Buffer[];
  /** Calls in flight at once (each client sends its next call when the last returns). */
  readonly concurrency: number;
  /** HTTP/2 connections the clients share (one grpc-js channel each). */
  readonly channels?: number;
  readonly durationSeconds: number;
  readonly warmupSeconds?: number;
}

const passthrough = (b: Buffer): Buffer => b;

async function once(clients: readonly Client[], options: GrpcClosedLoopOptions, seconds: number): Promise<ClosedLoopResult> {
  const latencies: number[] = [];
  const errors: Record<string, number> = {};
  const until = performance.now() + seconds * 1000;
  const started = performance.now();
  const loop = async (index: number): Promise<void> => {
    const client = clients[index % clients.length]!;
    let turn = index;
    while (performance.now() < until) {
      const message = options.messages[turn++ % options.messages.length]!;
      const sent = performance.now();
      const err = await new Promise<ServiceError | null>((resolve) => {
        client.makeUnaryRequest(options.method, passthrough, passthrough, message, new Metadata(), {}, (e) => resolve(e));
      });
      if (err === null) latencies.push(performance.now() - sent);
      else errors[Status[err.code] ?? String(err.code)] = (errors[Status[err.code] ?? String(err.code)] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, (_, i) => loop(i)));
  const elapsed = (performance.now() - started) / 1000;
  return { connections: options.concurrency, seconds: elapsed, requests: latencies.length, requestsPerSecond: latencies.length / elapsed, latency: summarise(latencies), errors };
}

/**
 * Closed-loop load over gRPC, the twin of closedLoop (autocannon) for unary calls: messages are
 * serialized once beforehand and answers are not decoded, so the client spends its time on
 * the transport, as autocannon does with fixed bodies.
 */
export async function grpcClosedLoop(options: GrpcClosedLoopOptions): Promise<ClosedLoopResult> {
  const clients = Array.from({ length: options.channels ?? 4 }, (_, i) =>
    // A distinct channel option per client keeps grpc-js from sharing one subchannel (one connection) among them.
    new Client(options.address, credentials.createInsecure(), { 'grpc.max_receive_message_length': -1, 'grpc-node.bench_channel': i }));
  try {
    if ((options.warmupSeconds ?? 0) > 0) await once(clients, options, options.warmupSeconds!);
    return await once(clients, options, options.durationSeconds);
  } finally {
    for (const c of clients) c.close();
  }
}
