import { z } from 'zod';
import { DEFAULT_POOL_DEVICE, DEFAULT_POOL_ON_GPU_UNAVAILABLE, DEFAULT_POOL_PORT, DEFAULT_POOL_REPLICAS } from '../defaults.js';
import { expected } from './expect.js';
import { grpcEndpointsSchema, portSchema } from './listeners.js';

const DEVICE_RULE = "'cpu', 'cuda:N' or 'tensorrt:N' (N is the GPU index)";

/** Worker processes `switchyard up` starts; backends refer to a pool by its name. */
export const poolSchema = z.strictObject({
  /** Model repository directory; relative paths resolve against the config file's directory. */
  models: z.string({ error: expected('the path of a model repository directory') }).min(1, { error: expected('the path of a model repository directory') }),
  replicas: z.number({ error: expected('a whole number of worker processes, 1 or more') })
    .int({ error: expected('a whole number of worker processes, 1 or more') })
    .min(1, { error: expected('a whole number of worker processes, 1 or more') })
    .default(DEFAULT_POOL_REPLICAS),
  device: z.string({ error: expected(DEVICE_RULE) }).regex(/^(cpu|cuda:\d+|tensorrt:\d+)$/, { error: expected(DEVICE_RULE) }).default(DEFAULT_POOL_DEVICE),
  /** When the GPU provider cannot load: 'fallback' runs on CPU and says so, 'fail' stops the worker with the reason (same key as model.yaml). */
  onGpuUnavailable: z.enum(['fallback', 'fail'], { error: expected("'fallback' or 'fail'") }).default(DEFAULT_POOL_ON_GPU_UNAVAILABLE),
  /**
   * Worker URLs of a pool that runs elsewhere (another machine, a Kubernetes Service). When set,
   * `switchyard up` starts no processes for this pool and the gateway sends its traffic here.
   */
  endpoints: z.array(z.string({ error: expected("an http:// or https:// URL such as 'http://10.0.0.5:8000'") })).min(1).optional(),
  /**
   * gRPC addresses (host:port) of the same workers, in the order of `endpoints`: the gateway's
   * gRPC listener forwards there. Absent: gRPC calls to this pool are answered UNAVAILABLE.
   */
  grpcEndpoints: grpcEndpointsSchema.optional(),
  /** Worker HTTP port; 0 picks a free one. A fixed port needs replicas: 1. */
  httpPort: portSchema.default(DEFAULT_POOL_PORT),
  /** Worker gRPC port; 0 picks a free one. A fixed port needs replicas: 1. */
  grpcPort: portSchema.default(DEFAULT_POOL_PORT),
});

export type PoolConfig = z.infer<typeof poolSchema>;
