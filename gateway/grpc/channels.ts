import { Client, credentials, type ChannelOptions } from '@grpc/grpc-js';
import type { GatewayConfig } from '../config/schema.js';
import type { PoolEndpoints } from '../upstream/backend.js';

/**
 * One grpc-js client (one HTTP/2 channel, multiplexing every call) per worker gRPC address,
 * kept for the gateway's lifetime: a reload that drops an address leaves its channel idle,
 * and grpc-js closes idle connections on its own (grpc.client_idle_timeout_ms, 30 min).
 */
export class GrpcChannels {
  private readonly clients = new Map<string, Client>();

  constructor(private readonly options: ChannelOptions = {}) {}

  get(address: string): Client {
    let client = this.clients.get(address);
    if (client === undefined) {
      client = new Client(address, credentials.createInsecure(), this.options);
      this.clients.set(address, client);
    }
    return client;
  }

  close(): void {
    for (const client of this.clients.values()) client.close();
    this.clients.clear();
  }
}

/**
 * gRPC address per HTTP origin: a worker is known by its HTTP endpoint (probes, balancing and
 * in-flight counts live there) and its gRPC address is looked up here. Sources, pairing by
 * position with the HTTP URLs: the pools `switchyard up` started, `pools.NAME.grpcEndpoints`
 * and `backends.NAME.grpcEndpoints`.
 */
export function grpcAddressBook(config: GatewayConfig, poolEndpoints: PoolEndpoints, poolGrpcEndpoints: PoolEndpoints): Map<string, string> {
  const book = new Map<string, string>();
  const pair = (urls: readonly string[] | undefined, addresses: readonly string[] | undefined): void => {
    if (urls === undefined || addresses === undefined) return;
    urls.forEach((url, i) => {
      const address = addresses[i];
      if (address !== undefined) book.set(new URL(url).origin, address);
    });
  };
  for (const [name, pool] of Object.entries(config.pools)) {
    const started = poolEndpoints[name];
    if (started !== undefined && started.length > 0) pair(started, poolGrpcEndpoints[name]);
    else pair(pool.endpoints, pool.grpcEndpoints);
  }
  for (const backend of Object.values(config.backends)) pair(backend.endpoints, backend.grpcEndpoints);
  return book;
}
