import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UsageError } from '../../../cli/command.js';
import { takeGlobalOptions } from '../../../cli/global-options.js';

describe('global options', () => {
  it('takes --log-format out wherever it stands, in both spellings', () => {
    assert.deepEqual(takeGlobalOptions(['--log-format', 'json', 'up', '-c', 'x.yaml']), { logFormat: 'json', rest: ['up', '-c', 'x.yaml'] });
    assert.deepEqual(takeGlobalOptions(['up', '--log-format=pretty']), { logFormat: 'pretty', rest: ['up'] });
    assert.deepEqual(takeGlobalOptions(['rollout', 'list']), { logFormat: undefined, rest: ['rollout', 'list'] });
  });

  it('stops at --', () => {
    assert.deepEqual(takeGlobalOptions(['x', '--', '--log-format', 'json']), { logFormat: undefined, rest: ['x', '--', '--log-format', 'json'] });
  });

  it('names the expected values when the format is unknown or missing', () => {
    assert.throws(() => takeGlobalOptions(['up', '--log-format', 'xml']), new UsageError("--log-format: expected json or pretty, received 'xml'"));
    assert.throws(() => takeGlobalOptions(['up', '--log-format']), new UsageError("--log-format: expected json or pretty, received ''"));
  });
});
