/**
 * Lua scripts for the Redis experiment store. Each call is one script, so it is atomic: other
 * replicas never see half a batch. Redis does NOT roll back a script that fails midway, so
 * every script checks its input before its first write.
 *
 * Numbers cross as strings: values arrive as JavaScript's shortest round-trip text and are
 * written back with %.17g, which round-trips a double exactly (Lua's tostring keeps only 14
 * digits, and integer replies would truncate).
 */

/** KEYS: stopped, exposed (unit → variant), exposures (variant → count). ARGV: unit, variant. Returns 1 when counted. */
export const RECORD_EXPOSURE = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
if redis.call('HSETNX', KEYS[2], ARGV[1], ARGV[2]) == 0 then return 0 end
redis.call('HINCRBY', KEYS[3], ARGV[2], 1)
return 1
`;

/** Fields per outcome in ARGV after the three leading ones. */
export const OUTCOME_ARITY = 5;

/**
 * KEYS: owners (unit → variant), totals ("metric:unit" → total), moments ("metric:variant" →
 * "n mean m2 sum"), idempotency (sorted set: key scored by expiry, ms).
 * ARGV: idempotency key or '', now (ms), ttl (ms), then per outcome: unit, variant, metric, value, combine.
 * Returns {accepted, duplicate (0|1)}. The moment updates are those of moments.ts, in the same order.
 */
export const RECORD_OUTCOMES = `
local key, now, ttl = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local count = (#ARGV - 3) / ${OUTCOME_ARITY}
for i = 0, count - 1 do
  if tonumber(ARGV[4 + i * ${OUTCOME_ARITY} + 3]) == nil then return redis.error_reply('ERR outcome value is not a number') end
end
if key ~= '' then
  redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', now)
  if redis.call('ZSCORE', KEYS[4], key) then return {0, 1} end
end
local function fmt(x) return string.format('%.17g', x) end
for i = 0, count - 1 do
  local b = 4 + i * ${OUTCOME_ARITY}
  local unit, variant, metric, value, combine = ARGV[b], ARGV[b + 1], ARGV[b + 2], tonumber(ARGV[b + 3]), ARGV[b + 4]
  local owner = redis.call('HGET', KEYS[1], unit)
  if not owner then
    redis.call('HSET', KEYS[1], unit, variant)
    owner = variant
  end
  local mfield = metric .. ':' .. owner
  local n, mean, m2, sum = 0, 0, 0, 0
  local packed = redis.call('HGET', KEYS[3], mfield)
  if packed then
    local a, c, d, e = string.match(packed, '^(%S+) (%S+) (%S+) (%S+)$')
    n, mean, m2, sum = tonumber(a), tonumber(c), tonumber(d), tonumber(e)
  end
  local tfield = metric .. ':' .. unit
  local previous = redis.call('HGET', KEYS[2], tfield)
  local nextValue
  if previous then
    previous = tonumber(previous)
    if combine == 'max' then nextValue = math.max(previous, value) else nextValue = previous + value end
    local delta = nextValue - previous
    if delta ~= 0 then
      local newMean = mean + delta / n
      m2 = m2 + delta * ((nextValue - newMean) + (previous - mean))
      mean = newMean
      sum = sum + delta
    end
  else
    nextValue = value
    n = n + 1
    local dev = nextValue - mean
    mean = mean + dev / n
    m2 = m2 + dev * (nextValue - mean)
    sum = sum + nextValue
  end
  redis.call('HSET', KEYS[2], tfield, fmt(nextValue))
  redis.call('HSET', KEYS[3], mfield, fmt(n) .. ' ' .. fmt(mean) .. ' ' .. fmt(m2) .. ' ' .. fmt(sum))
end
if key ~= '' then redis.call('ZADD', KEYS[4], now + ttl, key) end
return {count, 0}
`;
