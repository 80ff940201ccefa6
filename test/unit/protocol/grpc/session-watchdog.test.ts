import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { constants, type ServerHttp2Session } from 'node:http2';
import { describe, it } from 'node:test';
import { MAX_PING_STRIKES, MIN_CLIENT_PING_INTERVAL_MS, SessionWatchdog, sessionIsDead, type SessionCloseReason } from '../../../../protocol/grpc/session-watchdog.js';

/** A stand-in for a ServerHttp2Session: what the watchdog reads and calls, set by the test. */
class FakeSession extends EventEmitter {
  destroyed = false;
  readonly socket = { bytesRead: 0, remoteAddress: '127.0.0.1', _handle: { writeQueueSize: 0 } };
  readonly state = { outboundQueueSize: 0 };
  readonly pings: ((err: Error | null) => void)[] = [];
  goaways: number[] = [];

  ping(callback: (err: Error | null) => void): boolean {
    this.pings.push(callback);
    return true;
  }

  goaway(code: number): void {
    this.goaways.push(code);
  }

  destroy(): void {
    this.destroyed = true;
    this.emit('close');
  }

  get asSession(): ServerHttp2Session {
    return this as unknown as ServerHttp2Session;
  }
}

/** A watchdog whose sweeps the test runs by hand (the timer's period is a day). */
function watchdog(now: () => number = () => 0): { dog: SessionWatchdog; closed: SessionCloseReason[] } {
  const closed: SessionCloseReason[] = [];
  const dog = new SessionWatchdog({ sweepMs: 86_400_000, now, onClose: (reason) => closed.push(reason) });
  return { dog, closed };
}

describe('sessionIsDead', () => {
  it('is true only for an unanswered PING still queued in nghttp2 while the socket has nothing to write', () => {
    assert.equal(sessionIsDead({ acked: false, outboundQueue: 1, socketQueue: 0 }), true);
    assert.equal(sessionIsDead({ acked: true, outboundQueue: 1, socketQueue: 0 }), false, 'answered');
    assert.equal(sessionIsDead({ acked: false, outboundQueue: 0, socketQueue: 0 }), false, 'sent, the answer on its way');
    assert.equal(sessionIsDead({ acked: false, outboundQueue: 1, socketQueue: 65_536 }), false, 'a slow reader: still writing');
  });
});

describe('SessionWatchdog', () => {
  it('probes a session once after its bytes stop, and destroys it when the PING never leaves nghttp2', () => {
    const { dog, closed } = watchdog();
    const s = new FakeSession();
    dog.watch(s.asSession);
    s.socket.bytesRead = 38;
    dog.sweep();
    assert.equal(s.pings.length, 0, 'bytes came since the last sweep: not quiet yet');
    dog.sweep();
    assert.equal(s.pings.length, 1, 'quiet: one probe');
    s.state.outboundQueueSize = 1;
    dog.sweep();
    assert.equal(s.destroyed, true);
    assert.deepEqual(closed, ['protocol_error']);
    assert.equal(dog.size, 0);
  });

  it('leaves a live session alone and does not probe it again until more bytes come', () => {
    const { dog, closed } = watchdog();
    const s = new FakeSession();
    dog.watch(s.asSession);
    s.socket.bytesRead = 100;
    dog.sweep();
    dog.sweep();
    s.pings[0]!(null);
    for (let i = 0; i < 5; i++) dog.sweep();
    assert.equal(s.pings.length, 1, 'one probe per burst of bytes');
    s.socket.bytesRead = 200;
    dog.sweep();
    dog.sweep();
    assert.equal(s.pings.length, 2);
    assert.equal(s.destroyed, false);
    assert.deepEqual(closed, []);
  });

  it('leaves a slow reader alone: the PING waits behind bytes the socket is still writing', () => {
    const { dog, closed } = watchdog();
    const s = new FakeSession();
    dog.watch(s.asSession);
    s.socket.bytesRead = 100;
    dog.sweep();
    dog.sweep();
    s.state.outboundQueueSize = 1;
    s.socket._handle.writeQueueSize = 1 << 20;
    for (let i = 0; i < 5; i++) dog.sweep();
    assert.equal(s.destroyed, false);
    assert.deepEqual(closed, []);
  });

  it('sends a new probe when bytes came after an unanswered one (they may be what ended the session)', () => {
    const { dog, closed } = watchdog();
    const s = new FakeSession();
    dog.watch(s.asSession);
    dog.sweep();
    assert.equal(s.pings.length, 1, 'a new session is probed at the first quiet sweep');
    s.socket.bytesRead = 38;
    dog.sweep();
    dog.sweep();
    assert.equal(s.pings.length, 2);
    s.state.outboundQueueSize = 1;
    dog.sweep();
    assert.deepEqual(closed, ['protocol_error']);
  });

  it(`answers PINGs closer than ${MIN_CLIENT_PING_INTERVAL_MS} ms with no call open, past ${MAX_PING_STRIKES} strikes, with GOAWAY ENHANCE_YOUR_CALM`, () => {
    let now = 0;
    const { dog, closed } = watchdog(() => now);
    const s = new FakeSession();
    dog.watch(s.asSession);
    s.emit('ping');
    for (let strike = 1; strike <= MAX_PING_STRIKES; strike++) {
      now += 1_000;
      s.emit('ping');
      assert.equal(s.destroyed, false, `strike ${strike} is allowed`);
    }
    now += 1_000;
    s.emit('ping');
    assert.deepEqual(s.goaways, [constants.NGHTTP2_ENHANCE_YOUR_CALM]);
    assert.equal(s.destroyed, true);
    assert.deepEqual(closed, ['too_many_pings']);
  });

  it('counts no strikes for PINGs while a call is open, nor for PINGs the interval apart', () => {
    let now = 0;
    const { dog, closed } = watchdog(() => now);
    const s = new FakeSession();
    dog.watch(s.asSession);
    const stream = new EventEmitter();
    s.emit('stream', stream);
    for (let i = 0; i < 10; i++) {
      now += 100;
      s.emit('ping');
    }
    stream.emit('close');
    for (let i = 0; i < 10; i++) {
      now += MIN_CLIENT_PING_INTERVAL_MS;
      s.emit('ping');
    }
    assert.equal(s.destroyed, false);
    assert.deepEqual(closed, []);
  });
});
