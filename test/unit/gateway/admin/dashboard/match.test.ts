import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeMatch } from '../../../../../gateway/admin/dashboard/lib/match.js';

describe('a route match in words', () => {
  it('writes the path prefix, the host and each header', () => {
    assert.equal(describeMatch({ pathPrefix: '/v2/models/fraud' }), 'paths under /v2/models/fraud');
    assert.equal(describeMatch({ pathPrefix: '/' }), 'every path');
    assert.equal(describeMatch({ pathPrefix: '/api', host: 'api.example.com', headers: { 'x-preview': '1', 'x-tenant': 'acme' } }),
      'paths under /api, host api.example.com, header x-preview = 1, header x-tenant = acme');
  });
});
