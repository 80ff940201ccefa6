import type { ConfigFinding } from '../errors.js';
import { error } from '../errors.js';
import type { Check } from './context.js';

interface WithGrpc {
  readonly endpoints?: readonly string[] | undefined;
  readonly grpcEndpoints?: readonly string[] | undefined;
}

/**
 * `grpcEndpoints` pairs with `endpoints` by position (the same worker's gRPC address), so both
 * lists must be there and have the same length; a backend's also needs a model (gRPC calls are
 * v2 inference, never plain proxying).
 */
export const checkGrpcEndpoints: Check = (config) => {
  const findings: ConfigFinding[] = [];
  const pair = (at: PropertyKey[], item: WithGrpc): void => {
    if (item.grpcEndpoints === undefined) return;
    if (item.endpoints === undefined) {
      findings.push(error([...at, 'grpcEndpoints'], `is set but 'endpoints' is not; list each worker's HTTP URL in 'endpoints' and its gRPC host:port at the same position in 'grpcEndpoints'`));
    } else if (item.endpoints.length !== item.grpcEndpoints.length) {
      findings.push(error([...at, 'grpcEndpoints'], `has ${item.grpcEndpoints.length} address(es) but 'endpoints' has ${item.endpoints.length}; they pair by position (one worker each), so list the same number`));
    }
  };
  for (const [name, pool] of Object.entries(config.pools)) pair(['pools', name], pool);
  for (const [name, backend] of Object.entries(config.backends)) {
    pair(['backends', name], backend);
    if (backend.grpcEndpoints !== undefined && backend.model === undefined) {
      findings.push(error(['backends', name, 'grpcEndpoints'], `is set but 'model' is not; the gateway forwards gRPC only to model-aware backends, so add 'model'`));
    }
  }
  return findings;
};
