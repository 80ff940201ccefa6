import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { adminExposureProblem, bearerMatches, isLoopback } from '../../../../gateway/admin/auth.js';

describe('admin authentication', () => {
  it('accepts only the exact bearer token', () => {
    assert.equal(bearerMatches('s3cret', 'Bearer s3cret'), true);
    assert.equal(bearerMatches('s3cret', 'bearer s3cret'), true);
    assert.equal(bearerMatches('s3cret', 'Bearer s3cre'), false);
    assert.equal(bearerMatches('s3cret', 'Bearer s3cret-and-more'), false);
    assert.equal(bearerMatches('s3cret', 's3cret'), false);
    assert.equal(bearerMatches('s3cret', undefined), false);
  });

  it('requires a token beyond loopback only', () => {
    assert.equal(isLoopback('127.0.0.1'), true);
    assert.equal(isLoopback('::1'), true);
    assert.equal(isLoopback('0.0.0.0'), false);
    assert.equal(adminExposureProblem('127.0.0.1', undefined), undefined);
    assert.equal(adminExposureProblem('0.0.0.0', 'token'), undefined);
    assert.match(adminExposureProblem('10.0.0.5', undefined) ?? '', /not loopback, and SWITCHYARD_ADMIN_TOKEN is not set/);
  });
});
