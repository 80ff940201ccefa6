import type { ServerMetadataJson } from '../../protocol/v2-types.js';
import { SERVER_NAME, SERVER_VERSION } from '../../worker/server/http-server.js';
import type { GatewayRuntime } from '../runtime.js';
import { readiness, type Readiness } from './readiness.js';

/**
 * Open Inference Protocol v2 extensions the gateway serves its clients itself: binary tensor
 * bodies (and answers) pass through model routes byte for byte. The worker's others (the model
 * repository API) are not routed by the gateway unless a route sends /v2/repository somewhere.
 */
export const GATEWAY_EXTENSIONS: readonly string[] = ['binary_tensor_data'];

/**
 * The server-level answers of the protocol (ServerLive, ServerReady, ServerMetadata), one
 * function each; the REST and gRPC listeners only put them into their own shapes. Readiness is
 * the gateway's `/readyz` rule, not re-decided here.
 */
export function serverLive(): boolean {
  return true;
}

export function serverReadiness(runtime: GatewayRuntime): Readiness {
  return readiness(runtime.current, runtime.draining);
}

export function serverMetadata(): ServerMetadataJson {
  return { name: SERVER_NAME, version: SERVER_VERSION, extensions: [...GATEWAY_EXTENSIONS] };
}
