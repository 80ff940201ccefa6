import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatBackends } from '../../../cli/commands/backends.js';
import type { BackendReport } from '../../../gateway/health/backend-report.js';

describe('switchyard backends table', () => {
  it('prints one row per endpoint under its backend, with state, since and reason', () => {
    const backends: BackendReport[] = [
      {
        name: 'fraud-v1', model: 'fraud', version: '1', live: true, breaker: 'closed', routes: [],
        endpoints: [
          { origin: 'http://10.0.0.5:8000', state: 'up', reason: null, since: '2026-12-08T00:30:00.000Z', checkedAt: null },
          { origin: 'http://10.0.0.6:8000', state: 'ejected', reason: 'consecutive5xx', since: '2026-12-08T00:31:00.000Z', checkedAt: null },
        ],
      },
      {
        name: 'fraud-v2', model: 'fraud', version: '2', live: false, breaker: null, routes: [],
        endpoints: [{ origin: 'http://10.0.0.7:8000', state: 'down', reason: 'connect ECONNREFUSED', since: '2026-12-08T00:32:00.000Z', checkedAt: null }],
      },
      { name: 'spare', model: null, version: null, live: false, breaker: null, routes: [], endpoints: [] },
    ];
    assert.equal(formatBackends(backends), [
      'BACKEND   LIVE  BREAKER  ENDPOINT              STATE    SINCE                     REASON',
      'fraud-v1  yes   closed   http://10.0.0.5:8000  up       2026-12-08T00:30:00.000Z',
      '                         http://10.0.0.6:8000  ejected  2026-12-08T00:31:00.000Z  consecutive5xx',
      'fraud-v2  no    -        http://10.0.0.7:8000  down     2026-12-08T00:32:00.000Z  connect ECONNREFUSED',
      'spare     no    -        -                     -        -',
      '',
    ].join('\n'));
  });
});
