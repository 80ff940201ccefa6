import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatConfigError } from '../../../../gateway/config/errors.js';
import { parseConfig } from '../../../../gateway/config/load.js';
import { grpcAddressBook } from '../../../../gateway/grpc/channels.js';

function check(text: string): string[] {
  const result = parseConfig(text, 'gw.yaml', { baseDir: '/etc/switchyard', fileExists: () => false });
  return result.ok ? [] : result.errors.map((e) => formatConfigError(e));
}

const ROUTE = `routes:\n  - { name: r, match: { pathPrefix: / }, backend: b }\n`;

describe('grpcEndpoints in the config', () => {
  it('pairs with endpoints by position: both lists, same length; model-aware backends only; host:port', () => {
    assert.deepEqual(check(`pools:
  remote: { models: ./m, endpoints: [http://10.0.0.5:8000, http://10.0.0.6:8000], grpcEndpoints: [10.0.0.5:8001] }
  local: { models: ./m, grpcEndpoints: [10.0.0.5:8001] }
backends:
  b: { pool: remote, model: fraud }
  web: { endpoints: [http://10.0.0.9:80], grpcEndpoints: ["grpc://10.0.0.9:81"] }
  web2: { endpoints: [http://10.0.0.9:80], grpcEndpoints: [10.0.0.9:81] }
${ROUTE}`), [
      "gw.yaml:6:59: backends.web.grpcEndpoints[0]: expected a gRPC address host:port such as '10.0.0.5:8001'; found 'grpc://10.0.0.9:81'",
    ]);
    assert.deepEqual(check(`pools:
  remote: { models: ./m, endpoints: [http://10.0.0.5:8000, http://10.0.0.6:8000], grpcEndpoints: [10.0.0.5:8001] }
  local: { models: ./m, grpcEndpoints: [10.0.0.5:8001] }
backends:
  b: { pool: remote, model: fraud }
  web2: { endpoints: [http://10.0.0.9:80], grpcEndpoints: [10.0.0.9:81] }
${ROUTE}`), [
      "gw.yaml:2:83: pools.remote.grpcEndpoints: has 1 address(es) but 'endpoints' has 2; they pair by position (one worker each), so list the same number",
      "gw.yaml:3:25: pools.local.grpcEndpoints: is set but 'endpoints' is not; list each worker's HTTP URL in 'endpoints' and its gRPC host:port at the same position in 'grpcEndpoints'",
      "gw.yaml:6:44: backends.web2.grpcEndpoints: is set but 'model' is not; the gateway forwards gRPC only to model-aware backends, so add 'model'",
    ]);
  });

  it('knows each worker\'s gRPC address by its HTTP origin: started pools, then configured ones', () => {
    const result = parseConfig(`pools:
  up: { models: ./m }
  remote: { models: ./m, endpoints: [http://10.0.0.5:8000/], grpcEndpoints: [10.0.0.5:8001] }
backends:
  b: { pool: up, model: fraud }
  c: { endpoints: [http://10.0.0.7:8000], grpcEndpoints: ["[::1]:8001"], model: iris }
${ROUTE}`, 'gw.yaml', { baseDir: '/', fileExists: () => false });
    assert.ok(result.ok);
    const book = grpcAddressBook(result.config, { up: ['http://127.0.0.1:4000', 'http://127.0.0.1:4001'] }, { up: ['127.0.0.1:5000', '127.0.0.1:5001'] });
    assert.deepEqual([...book], [
      ['http://127.0.0.1:4000', '127.0.0.1:5000'], ['http://127.0.0.1:4001', '127.0.0.1:5001'],
      ['http://10.0.0.5:8000', '10.0.0.5:8001'], ['http://10.0.0.7:8000', '[::1]:8001'],
    ]);
  });
});
