import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { describe, it } from 'node:test';
import { downstreamResponseHeaders, upstreamRequestHeaders } from '../../../../gateway/upstream/headers.js';

function fakeRequest(raw: string[]): IncomingMessage {
  const headers: Record<string, string> = {};
  for (let i = 0; i < raw.length; i += 2) headers[raw[i]!.toLowerCase()] = raw[i + 1]!;
  return { rawHeaders: raw, headers, socket: { remoteAddress: '192.0.2.7' } } as unknown as IncomingMessage;
}

describe('forwarded headers', () => {
  it('keeps end-to-end headers as sent, drops hop-by-hop ones and those Connection names, adds forwarding headers', () => {
    const req = fakeRequest([
      'Host', 'api.example.com', 'Connection', 'keep-alive, X-Drop-Me', 'X-Drop-Me', '1', 'Keep-Alive', 'timeout=5', 'TE', 'trailers',
      'Transfer-Encoding', 'chunked', 'Proxy-Authorization', 'x', 'Proxy-Foo', 'y', 'Upgrade', 'h2c', 'Expect', '100-continue',
      'Cookie', 'a=1', 'Cookie', 'b=2', 'X-Forwarded-For', '203.0.113.1', 'X-Request-Id', 'client-id',
    ]);
    assert.deepEqual(upstreamRequestHeaders(req, { requestId: 'rid', scheme: 'https' }), [
      'Host', 'api.example.com', 'Cookie', 'a=1', 'Cookie', 'b=2',
      'x-forwarded-for', '203.0.113.1, 192.0.2.7', 'x-forwarded-proto', 'https', 'x-forwarded-host', 'api.example.com', 'x-request-id', 'rid',
    ]);
  });

  it('keeps Connection and Upgrade for a protocol upgrade', () => {
    const req = fakeRequest(['Host', 'h', 'Connection', 'Upgrade', 'Upgrade', 'websocket']);
    assert.deepEqual(upstreamRequestHeaders(req, { requestId: 'r', scheme: 'http', keepUpgrade: true }).slice(0, 6), ['Host', 'h', 'Connection', 'Upgrade', 'Upgrade', 'websocket']);
  });

  it('drops hop-by-hop response headers', () => {
    assert.deepEqual(downstreamResponseHeaders({
      'content-type': 'text/plain', connection: 'keep-alive, x-hop', 'keep-alive': 'timeout=5', 'x-hop': '1', 'transfer-encoding': 'chunked', 'set-cookie': ['a=1', 'b=2'],
    }), { 'content-type': 'text/plain', 'set-cookie': ['a=1', 'b=2'] });
  });
});
