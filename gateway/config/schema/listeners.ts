import { z } from 'zod';
import {
  DEFAULT_ADMIN_HOST, DEFAULT_ADMIN_PORT, DEFAULT_GRPC_HOST, DEFAULT_GRPC_PORT, DEFAULT_HTTP_HOST, DEFAULT_HTTP_PORT,
  DEFAULT_MAX_BODY_BYTES, DEFAULT_REDIS_KEY_PREFIX,
} from '../defaults.js';
import { DEFAULT_CLIENT_BODY_TIMEOUT_MS, DEFAULT_CLIENT_HEADER_TIMEOUT_MS, DEFAULT_MAX_CLIENT_CONNECTIONS } from '../defaults.js';
import { DEFAULT_MAX_GRPC_CONNECTIONS } from '../defaults.js';
import { DEFAULT_MAX_CONCURRENT_STREAMS } from '../../../protocol/grpc/server-options.js';
import { expected } from './expect.js';
import { byteSize, durationMs } from './units.js';

/** A TCP port; 0 asks the OS for a free one (tests use that). */
export const portSchema = z
  .number({ error: expected('a port number from 0 to 65535') })
  .int({ error: expected('a whole port number from 0 to 65535') })
  .min(0, { error: expected('a port number from 0 to 65535') })
  .max(65535, { error: expected('a port number from 0 to 65535') });

const hostSchema = z.string({ error: expected("an address to listen on, such as '0.0.0.0' or '127.0.0.1'") })
  .min(1, { error: expected("an address to listen on, such as '0.0.0.0' or '127.0.0.1'") });

/** Certificate and key files in PEM; relative paths resolve against the config file's directory. */
const tlsSchema = z.strictObject({
  cert: z.string({ error: expected('the path of a PEM certificate file') }).min(1),
  key: z.string({ error: expected('the path of a PEM private key file') }).min(1),
});

function listener(host: string, port: number) {
  return z.strictObject({ host: hostSchema.default(host), port: portSchema.default(port) });
}

export const listenersSchema = z.strictObject({
  http: listener(DEFAULT_HTTP_HOST, DEFAULT_HTTP_PORT).extend({ tls: tlsSchema.optional() }).prefault({}),
  grpc: listener(DEFAULT_GRPC_HOST, DEFAULT_GRPC_PORT).extend({ tls: tlsSchema.optional() }).prefault({}),
  admin: listener(DEFAULT_ADMIN_HOST, DEFAULT_ADMIN_PORT).prefault({}),
});

export const limitsSchema = z.strictObject({
  /** Largest buffered request body, bytes. */
  maxBodyBytes: byteSize().default(DEFAULT_MAX_BODY_BYTES),
  /** Time a client has to send the request line and headers, ms; past it: 408 and the connection closed. */
  clientHeaderTimeout: durationMs().default(DEFAULT_CLIENT_HEADER_TIMEOUT_MS),
  /** Time a client has to send the whole request, ms; past it: 408 and the connection closed. */
  clientBodyTimeout: durationMs().default(DEFAULT_CLIENT_BODY_TIMEOUT_MS),
  /** Client connections held at once by the data listener; further ones are closed at once. */
  maxClientConnections: z.number({ error: expected('a whole number of connections, 1 or more') })
    .int({ error: expected('a whole number of connections, 1 or more') }).min(1, { error: expected('a whole number of connections, 1 or more') })
    .default(DEFAULT_MAX_CLIENT_CONNECTIONS),
  /** Client connections held at once by the gRPC listener; further ones are closed at accept. */
  maxGrpcConnections: wholeAtLeastOne('a whole number of connections, 1 or more').default(DEFAULT_MAX_GRPC_CONNECTIONS),
  /** Calls (HTTP/2 streams) one gRPC connection may have open at once; the client queues the rest. */
  maxGrpcStreamsPerConnection: wholeAtLeastOne('a whole number of streams, 1 or more').default(DEFAULT_MAX_CONCURRENT_STREAMS),
});

function wholeAtLeastOne(what: string) {
  return z.number({ error: expected(what) }).int({ error: expected(what) }).min(1, { error: expected(what) });
}

const REDIS_URL = "a Redis URL such as 'redis://127.0.0.1:6379' or 'rediss://user:pass@host:6380/0'";

export const storeSchema = z.strictObject({
  redis: z.string({ error: expected(REDIS_URL) }).refine(isRedisUrl, { error: expected(REDIS_URL) }),
  keyPrefix: z.string({ error: expected('a key prefix string') }).default(DEFAULT_REDIS_KEY_PREFIX),
});

function isRedisUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'redis:' || url.protocol === 'rediss:') && url.hostname !== '';
  } catch {
    return false;
  }
}

export type ListenersConfig = z.infer<typeof listenersSchema>;
export type ListenerConfig = ListenersConfig['admin'];
export type TlsConfig = z.infer<typeof tlsSchema>;
export type LimitsConfig = z.infer<typeof limitsSchema>;
export type StoreConfig = z.infer<typeof storeSchema>;

const GRPC_ADDRESS = "a gRPC address host:port such as '10.0.0.5:8001'";

/** Workers' gRPC addresses, host:port (no scheme: gRPC to workers is plaintext HTTP/2). */
export const grpcEndpointsSchema = z.array(
  z.string({ error: expected(GRPC_ADDRESS) }).regex(/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, { error: expected(GRPC_ADDRESS) }),
  { error: expected(`a list of addresses, each ${GRPC_ADDRESS}`) },
).min(1, { error: expected(`a list of addresses, each ${GRPC_ADDRESS}`) });
