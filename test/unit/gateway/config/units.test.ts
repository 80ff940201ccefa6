import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseByteSize, parseDuration } from '../../../../gateway/config/schema.js';
import { didYouMean } from '../../../../gateway/config/suggest.js';

describe('units', () => {
  it('parses durations to milliseconds', () => {
    assert.deepEqual(['500ms', '30s', '10m', '1h', '1m30s', '1.5s'].map(parseDuration), [500, 30_000, 600_000, 3_600_000, 90_000, 1_500]);
    assert.deepEqual(['30', '30 sec', '', 's'].map(parseDuration), [undefined, undefined, undefined, undefined]);
  });

  it('parses sizes to bytes', () => {
    assert.deepEqual([4194304, '4MiB', '512KiB', '1GiB', '2kb', '10', '4 MiB'].map(parseByteSize), [4194304, 4194304, 524288, 1073741824, 2000, 10, 4194304]);
    assert.deepEqual([-1, 1.5, '4 megs', 'MiB'].map(parseByteSize), [undefined, undefined, undefined, undefined]);
  });
});

describe('didYouMean', () => {
  it('suggests one close name, never a different version or a tie', () => {
    assert.equal(didYouMean('pathprefix', ['pathPrefix', 'host', 'headers']), 'pathPrefix');
    assert.equal(didYouMean('fruad-v1', ['fraud-v1', 'fraud-v2']), 'fraud-v1');
    assert.equal(didYouMean('fraud-v3', ['fraud-v1', 'fraud-v2']), undefined);
    assert.equal(didYouMean('ab', ['ac', 'ad']), undefined);
    assert.equal(didYouMean('shadow', ['name', 'match', 'backend']), undefined);
  });
});
