import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ClientGone } from '../../../../worker/batching/cancellation.js';

describe('ClientGone', () => {
  it('calls its one listener once, with the reason kept', () => {
    const gone = new ClientGone();
    let calls = 0;
    const listener = (): void => void calls++;
    gone.addEventListener('abort', listener, { once: true });
    gone.abort();
    gone.abort();
    assert.equal(calls, 1);
    assert.equal(gone.aborted, true);
    assert.equal((gone.reason as Error).message, 'the client closed the connection');
  });

  it('forgets a removed listener and refuses a second one', () => {
    const gone = new ClientGone();
    let calls = 0;
    const first = (): void => void calls++;
    gone.addEventListener('abort', first);
    assert.throws(() => gone.addEventListener('abort', () => undefined), /ClientGone holds one listener/);
    gone.removeEventListener('abort', first);
    gone.abort(new Error('gone'));
    assert.equal(calls, 0);
    assert.equal((gone.reason as Error).message, 'gone');
  });
});
