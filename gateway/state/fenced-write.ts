import type { Redis } from 'ioredis';

/**
 * Sets or deletes keys, and publishes a notice, only while Redis's own clock is at or before a
 * deadline. KEYS: the keys to change. ARGV[1]: the deadline (ms since the epoch, Redis's
 * clock); ARGV[2]: a channel or ''; ARGV[3]: the message; ARGV[3 + i]: the value for KEYS[i],
 * or '' to delete it. Returns how many keys it changed, or -1 (nothing done) past the deadline.
 * One script, so the keys change together or not at all.
 */
export const FENCED_WRITE = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
if now > tonumber(ARGV[1]) then return -1 end
local changed = 0
for i, key in ipairs(KEYS) do
  local value = ARGV[3 + i]
  if value == '' then
    changed = changed + redis.call('DEL', key)
  else
    redis.call('SET', key, value)
    changed = changed + 1
  end
end
if changed > 0 and ARGV[2] ~= '' then redis.call('PUBLISH', ARGV[2], ARGV[3]) end
return changed
`;

/** One key to set to `value` (a non-empty string), or to delete (`value` null). */
export interface KeyChange {
  readonly key: string;
  readonly value: string | null;
}

/** Redis ran the write after its deadline: it did nothing. */
export class WriteTooLate extends Error {
  constructor(deadline: number) {
    super(`Redis ran the write after its deadline (${deadline} ms, Redis clock); nothing was changed`);
    this.name = 'WriteTooLate';
  }
}

/**
 * A write that cannot land after its caller has given up on it. A command sent to a Redis that
 * hangs (SIGSTOP, swapping, a network partition) waits in the socket and runs whenever Redis
 * resumes, long after the client timed out and answered 503; a reconnecting client may also
 * resend it. So the write carries a deadline on Redis's own clock, and the script refuses to
 * run past it:
 *   1. Ask Redis for its time t0 (TIME). No answer within the command timeout: nothing was sent.
 *   2. Send the script with deadline t0 + fenceMs, where fenceMs < the command timeout.
 *   3. The caller gives up on it no sooner than a command timeout after t0 (it received t0 before
 *      sending), so any run after that reads Redis's clock past the deadline and does nothing.
 * The deadline is on one clock, Redis's, so skew between gateway hosts and Redis cannot move it.
 * Returns how many keys changed.
 */
export async function fencedWrite(redis: Redis, changes: readonly KeyChange[], fenceMs: number, notice?: { channel: string; message: string }): Promise<number> {
  const [seconds, micros] = (await redis.time()) as [string | number, string | number];
  const deadline = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000) + fenceMs;
  // Only a connected client writes the script to the socket at once; otherwise it would queue
  // it for after a reconnect.
  if (redis.status !== 'ready') throw new Error(`redis connection is ${redis.status}`);
  const args = [String(deadline), notice?.channel ?? '', notice?.message ?? '', ...changes.map((c) => c.value ?? '')];
  const changed = Number(await redis.eval(FENCED_WRITE, changes.length, ...changes.map((c) => c.key), ...args));
  if (changed < 0) throw new WriteTooLate(deadline);
  return changed;
}
