import type { StartGatewayOptions } from '../../../../gateway/start-gateway.js';
import { startTestGateway, type TestGateway } from '../../../helpers/gateway/start-test-gateway.js';
import { startGrpcTestWorker, type GrpcTestWorker } from '../../worker/grpc/grpc-worker.js';
import { GatewayClient } from './grpc-client.js';

/** A real worker (REST and gRPC) as pool `cpu`, a gateway in front of it, and a gRPC client of the gateway. */
export interface ModelStack {
  readonly worker: GrpcTestWorker;
  readonly gw: TestGateway;
  readonly client: GatewayClient;
  stop(): Promise<void>;
}

export async function startModelStack(models: readonly string[], yaml: string, options: Partial<StartGatewayOptions> = {}): Promise<ModelStack> {
  const worker = await startGrpcTestWorker(models);
  const gw = await startTestGateway(yaml, { poolEndpoints: { cpu: [worker.url] }, poolGrpcEndpoints: { cpu: [worker.address] }, ...options });
  const client = new GatewayClient(`127.0.0.1:${gw.gateway.grpcPort}`);
  return {
    worker, gw, client,
    async stop() {
      client.close();
      await gw.stop();
      await worker.drain();
    },
  };
}
