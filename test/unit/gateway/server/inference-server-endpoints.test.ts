import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import type { GatewayRuntime } from '../../../../gateway/runtime.js';
import { answerInferenceServer } from '../../../../gateway/server/inference-server-endpoints.js';

/** Serves answerInferenceServer for one runtime on a free port; returns the status and body of GET path. */
async function get(runtime: GatewayRuntime, path: string): Promise<{ status: number; body: unknown }> {
  const server = createServer((req, res) => answerInferenceServer(res, req.method ?? 'GET', path, runtime));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`);
    return { status: res.status, body: await res.json() };
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

describe('the protocol\'s server-level REST answers', () => {
  it('are not ready (400, the protocol\'s 4xx) with the /readyz reasons, and still live', async () => {
    const runtime = { current: undefined, draining: false } as unknown as GatewayRuntime;
    assert.deepEqual(await get(runtime, '/v2/health/ready'), { status: 400, body: { error: 'not ready: no config is loaded yet', code: 'NOT_READY' } });
    assert.deepEqual(await get(runtime, '/v2/health/live'), { status: 200, body: { live: true } });
  });
});
