import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findRoute, hostOf } from '../../../../gateway/routing/match.js';

const routes = [
  { name: 'admin-host', match: { pathPrefix: '/', host: 'admin.example.com' } },
  { name: 'beta', match: { pathPrefix: '/api', headers: { 'x-beta': '1' } } },
  { name: 'api', match: { pathPrefix: '/api' } },
  { name: 'fraud', match: { pathPrefix: '/v2/models/fraud' } },
];
const find = (path: string, headers: Record<string, string> = {}) => findRoute(routes, path, headers)?.name;

describe('route matching', () => {
  it('matches whole path segments, first match wins', () => {
    assert.equal(find('/api'), 'api');
    assert.equal(find('/api/x/y'), 'api');
    assert.equal(find('/apis'), undefined);
    assert.equal(find('/v2/models/fraud/infer'), 'fraud');
    assert.equal(find('/v2/models/fraudster/infer'), undefined);
  });

  it('matches the host without its port, case-insensitively', () => {
    assert.equal(find('/anything', { host: 'Admin.Example.com:8443' }), 'admin-host');
    assert.equal(find('/api', { host: 'other.example.com' }), 'api');
    assert.equal(hostOf({ host: '[::1]:8080' }), '[::1]');
    assert.equal(hostOf({}), '');
  });

  it('requires every listed header value exactly', () => {
    assert.equal(find('/api/x', { 'x-beta': '1' }), 'beta');
    assert.equal(find('/api/x', { 'x-beta': '2' }), 'api');
  });
});

describe('route matching of KServe v1 custom verbs', () => {
  const v1 = [{ name: 'iris', match: { pathPrefix: '/v1/models/iris' } }];
  it('takes a colon as the end of the last segment', () => {
    assert.equal(findRoute(v1, '/v1/models/iris:predict', {})?.name, 'iris');
    assert.equal(findRoute(v1, '/v1/models/iris', {})?.name, 'iris');
    assert.equal(findRoute(v1, '/v1/models/iris2:predict', {}), undefined);
    assert.equal(findRoute(v1, '/v1/models/iriss', {}), undefined);
  });
});
