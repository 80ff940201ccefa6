import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SESSION_COOKIE, SessionBook, sessionCookie, sessionFromCookies } from '../../../../../gateway/admin/dashboard/session.js';

describe('dashboard sessions', () => {
  it('hands out random 256-bit values in an HttpOnly, SameSite=Strict cookie', () => {
    const book = new SessionBook(() => 0);
    const a = book.open();
    const b = book.open();
    assert.match(a, /^[0-9a-f]{64}$/);
    assert.notEqual(a, b);
    assert.equal(sessionCookie(a), `${SESSION_COOKIE}=${a}; Path=/; HttpOnly; SameSite=Strict`);
    assert.equal(sessionFromCookies(`x=1; ${SESSION_COOKIE}=${a}; y=2`), a);
    assert.equal(sessionFromCookies('x=1'), '');
    assert.equal(sessionFromCookies(undefined), '');
  });

  it('matches an open session among other cookies, and nothing else', () => {
    const book = new SessionBook(() => 0);
    const value = book.open();
    assert.equal(book.matches(`a=1; ${SESSION_COOKIE}=${value}; b=2`), true);
    assert.equal(book.matches(`${SESSION_COOKIE}=${'0'.repeat(64)}`), false);
    assert.equal(book.matches(`${SESSION_COOKIE}=`), false);
    assert.equal(book.matches('a=1'), false);
    assert.equal(book.matches(undefined), false);
  });

  it('ends a session on sign-out: the same cookie replayed is refused, other sessions stay', () => {
    const book = new SessionBook(() => 0);
    const mine = book.open();
    const other = book.open();
    book.close(`${SESSION_COOKIE}=${mine}`);
    assert.equal(book.matches(`${SESSION_COOKIE}=${mine}`), false);
    assert.equal(book.matches(`${SESSION_COOKIE}=${other}`), true);
    assert.equal(book.size, 1);
  });

  it('ends a session maxAge after sign-in (fake clock)', () => {
    let now = 1_000;
    const book = new SessionBook(() => now, 60_000);
    const value = book.open();
    now = 60_999;
    assert.equal(book.matches(`${SESSION_COOKIE}=${value}`), true);
    now = 61_000;
    assert.equal(book.matches(`${SESSION_COOKIE}=${value}`), false);
    assert.equal(book.size, 0, 'an expired session is forgotten');
  });

  it('holds at most maxSessions, ending the oldest first', () => {
    const book = new SessionBook(() => 0, 60_000, 2);
    const first = book.open();
    const second = book.open();
    const third = book.open();
    assert.equal(book.size, 2);
    assert.equal(book.matches(`${SESSION_COOKIE}=${first}`), false);
    assert.equal(book.matches(`${SESSION_COOKIE}=${second}`), true);
    assert.equal(book.matches(`${SESSION_COOKIE}=${third}`), true);
  });
});
