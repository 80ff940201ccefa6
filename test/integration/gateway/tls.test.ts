import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { Agent, fetch } from 'undici';
import { startEchoUpstream, type Echo, type EchoUpstream } from '../../helpers/gateway/echo-upstream.js';
import { hasOpenssl, selfSigned, type SelfSigned } from '../../helpers/gateway/self-signed.js';
import { startTestGateway, type TestGateway } from '../../helpers/gateway/start-test-gateway.js';

/** SHA-256 fingerprint of the certificate a TLS listener presents to a new connection. */
function servedFingerprint(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1', rejectUnauthorized: false }, () => {
      resolve(socket.getPeerCertificate().fingerprint256);
      socket.destroy();
    });
    socket.on('error', reject);
  });
}

describe('TLS on the listener and to upstreams', { skip: !hasOpenssl() && 'the openssl CLI is not installed' }, () => {
  let first: SelfSigned;
  let second: SelfSigned;
  let upstream: EchoUpstream;
  let gw: TestGateway;
  const yaml = (cert: SelfSigned, url: string): string => `
listeners:
  http: { tls: { cert: ${cert.certPath}, key: ${cert.keyPath} } }
backends:
  secure: { endpoints: [${url}] }
routes:
  - { name: all, match: { pathPrefix: / }, backend: secure }
`;

  before(async () => {
    first = selfSigned('first');
    second = selfSigned('second');
    upstream = await startEchoUpstream('secure', first);
    gw = await startTestGateway(yaml(first, upstream.url), { upstreamTls: { ca: first.cert } });
  });
  after(async () => {
    await gw.stop();
    await upstream.close();
  });

  it('serves HTTPS and proxies to an https upstream it trusts through its CA', async () => {
    assert.equal(gw.gateway.scheme, 'https');
    const dispatcher = new Agent({ connect: { ca: first.cert } });
    const res = await fetch(`${gw.url}/hello`, { dispatcher });
    assert.equal(res.status, 200);
    const echo = (await res.json()) as Echo;
    assert.equal(echo.url, '/hello');
    assert.equal(echo.headers['x-forwarded-proto'], 'https');
    await dispatcher.close();
  });

  it("verifies the upstream's certificate against the upstream's own name, not the client's Host", async () => {
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpsRequest(`${gw.url}/named`, { ca: first.cert, servername: 'localhost', headers: { host: 'api.example.com' } }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(answer.status, 200, answer.body);
    const echo = JSON.parse(answer.body) as Echo;
    assert.equal(echo.headers.host, new URL(upstream.url).host, 'an https upstream is addressed by its own name');
    assert.equal(echo.headers['x-forwarded-host'], 'api.example.com');
  });

  it('presents a new certificate to new connections after a reload', async () => {
    assert.equal(await servedFingerprint(gw.gateway.httpPort), new X509Certificate(first.cert).fingerprint256);
    await gw.rewrite(yaml(second, upstream.url));
    assert.equal(await servedFingerprint(gw.gateway.httpPort), new X509Certificate(second.cert).fingerprint256);
  });
});
