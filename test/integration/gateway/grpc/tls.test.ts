import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { credentials, type Client } from '@grpc/grpc-js';
import { healthService, inferenceService } from '../../../../protocol/grpc/load.js';
import { hasOpenssl, selfSigned } from '../../../helpers/gateway/self-signed.js';
import { startTestGateway } from '../../../helpers/gateway/start-test-gateway.js';

function unary(client: Client, method: string, request: object): Promise<unknown> {
  return new Promise((resolve, reject) => {
    (client as unknown as Record<string, (r: object, cb: (e: Error | null, res: unknown) => void) => void>)[method]!.call(client, request, (e, res) => (e ? reject(e) : resolve(res)));
  });
}

describe('TLS on the gateway\'s gRPC listener', { skip: !hasOpenssl() && 'the openssl CLI is not installed' }, () => {
  it('serves gRPC over TLS with listeners.grpc.tls; a plaintext client is refused', async () => {
    const cert = selfSigned('grpc');
    const gw = await startTestGateway(`
listeners:
  grpc: { tls: { cert: ${cert.certPath}, key: ${cert.keyPath} } }
backends:
  web: { endpoints: [http://127.0.0.1:1] }
routes:
  - { name: all, match: { pathPrefix: / }, backend: web }
`, { probe: { probe: async () => true } });
    const Inference = inferenceService();
    const Health = healthService();
    const secure = new Inference(`127.0.0.1:${gw.gateway.grpcPort}`, credentials.createSsl(cert.cert));
    const health = new Health(`127.0.0.1:${gw.gateway.grpcPort}`, credentials.createSsl(cert.cert));
    const plain = new Inference(`127.0.0.1:${gw.gateway.grpcPort}`, credentials.createInsecure());
    try {
      assert.deepEqual(await unary(secure, 'ServerLive', {}), { live: true });
      assert.deepEqual(await unary(health, 'Check', { service: '' }), { status: 'SERVING' });
      await assert.rejects(unary(plain, 'ServerLive', {}), { code: 14 });
    } finally {
      secure.close();
      health.close();
      plain.close();
      await gw.stop();
    }
  });
});
