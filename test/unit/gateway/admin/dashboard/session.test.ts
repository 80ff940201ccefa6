import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SESSION_COOKIE, sessionCookie, sessionMatches, sessionValue } from '../../../../../gateway/admin/dashboard/session.js';

describe('dashboard session cookie', () => {
  it('holds a hash of the token, HttpOnly and SameSite=Strict', () => {
    const value = sessionValue('s3cret');
    assert.match(value, /^[0-9a-f]{64}$/);
    assert.ok(!value.includes('s3cret'));
    assert.equal(sessionCookie('s3cret'), `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict`);
  });
  it('matches only the session of the configured token, among other cookies', () => {
    assert.equal(sessionMatches('s3cret', `a=1; ${SESSION_COOKIE}=${sessionValue('s3cret')}; b=2`), true);
    assert.equal(sessionMatches('other', `${SESSION_COOKIE}=${sessionValue('s3cret')}`), false);
    assert.equal(sessionMatches('s3cret', `${SESSION_COOKIE}=`), false);
    assert.equal(sessionMatches('s3cret', 'a=1'), false);
    assert.equal(sessionMatches('s3cret', undefined), false);
    // The token itself is not a session.
    assert.equal(sessionMatches('s3cret', `${SESSION_COOKIE}=s3cret`), false);
  });
});
