/**
 * Lua scripts for the Redis experiment store. Each call is one script, so it is atomic: other
 * replicas never see half a batch, and exposures and outcomes are joined in one order. Redis
 * does NOT roll back a script that fails midway, so every script checks its input before its
 * first write.
 *
 * Numbers cross as strings: values arrive as JavaScript's shortest round-trip text and are
 * written back with %.17g, which round-trips a double exactly (Lua's tostring keeps only 14
 * digits, and integer replies would truncate).
 *
 * Both scripts keep the join rule described on ExperimentStore (store.ts) over these keys:
 *   exposed      hash  unit → variant it was first exposed to
 *   exposures    hash  variant → units first exposed to it
 *   multiArm     hash  unit → the second variant it was exposed to
 *   multiCounts  hash  first variant → its multi-arm units
 *   pending      hash  unit never exposed → outcomes it posted
 *   pendingTotal string  outcomes of all pending units
 *   metrics      set   metric names with at least one total
 *   totals       hash  "metric:unit" → total
 *   origins      hash  metric → its origin K, the first value posted for it (moments.ts, momentsAbout)
 *   moments      hash  "metric:variant" → "n mean m2 sum shiftedSum" over the units analysed there,
 *                      mean and m2 of x − K (a version before origins wrote four fields, K = 0)
 *   products     hash  "a:b:variant" → Σ a·b over the units analysed there (a before b in byte order)
 */

/**
 * The moment updates of moments.ts (addUnit, replaceUnit, removeUnit), with the same
 * operations in the same order, so both stores return identical numbers. A variant's field
 * is deleted when its last unit leaves.
 */
const MOMENTS = `
local function fmt(x) return string.format('%.17g', x) end
local function readMoments(key, field)
  local packed = redis.call('HGET', key, field)
  if not packed then return 0, 0, 0, 0, 0 end
  local a, b, c, d, e = string.match(packed, '^(%S+) (%S+) (%S+) (%S+) ?(%S*)$')
  if e == '' then e = d end
  return tonumber(a), tonumber(b), tonumber(c), tonumber(d), tonumber(e)
end
local function writeMoments(key, field, n, mean, m2, sum, shiftedSum)
  redis.call('HSET', key, field, fmt(n) .. ' ' .. fmt(mean) .. ' ' .. fmt(m2) .. ' ' .. fmt(sum) .. ' ' .. fmt(shiftedSum))
end
local function originOf(originsKey, metric)
  local origin = redis.call('HGET', originsKey, metric)
  if origin then return tonumber(origin) end
  return 0
end
local function addUnit(key, field, value, origin)
  local n, mean, m2, sum, shiftedSum = readMoments(key, field)
  local y = value - origin
  n = n + 1
  local d = y - mean
  mean = mean + d / n
  writeMoments(key, field, n, mean, m2 + d * (y - mean), sum + value, shiftedSum + y)
end
local function replaceUnit(key, field, previous, nextValue, origin)
  local delta = nextValue - previous
  if delta == 0 then return end
  local n, mean, m2, sum, shiftedSum = readMoments(key, field)
  local newMean = mean + delta / n
  writeMoments(key, field, n, newMean, m2 + delta * (((nextValue - origin) - newMean) + ((previous - origin) - mean)), sum + delta, shiftedSum + delta)
end
-- Products of two metrics' totals (memory.ts: addProduct, moveProducts, shiftProducts), same
-- operations in the same order. Names compare byte by byte, as JavaScript's < does on ASCII
-- (Lua's < follows the server's collation locale).
local function before(a, b)
  for i = 1, math.min(#a, #b) do
    local x, y = string.byte(a, i), string.byte(b, i)
    if x ~= y then return x < y end
  end
  return #a < #b
end
local function productField(a, b, variant)
  if before(a, b) then return a .. ':' .. b .. ':' .. variant end
  return b .. ':' .. a .. ':' .. variant
end
local function addProduct(key, field, x)
  if x == 0 then return end
  local current = redis.call('HGET', key, field)
  redis.call('HSET', key, field, fmt((current and tonumber(current) or 0) + x))
end
local function unitTotals(metricsKey, totalsKey, unit)
  local own = {}
  for _, metric in ipairs(redis.call('SMEMBERS', metricsKey)) do
    local total = redis.call('HGET', totalsKey, metric .. ':' .. unit)
    if total then own[#own + 1] = {metric, tonumber(total)} end
  end
  return own
end
local function moveProducts(productsKey, own, variant, sign)
  for i = 1, #own do
    for j = i + 1, #own do addProduct(productsKey, productField(own[i][1], own[j][1], variant), sign * (own[i][2] * own[j][2])) end
  end
end
local function shiftProducts(productsKey, metricList, totalsKey, unit, variant, metric, delta)
  if delta == 0 then return end
  for _, other in ipairs(metricList) do
    if other ~= metric then
      local total = redis.call('HGET', totalsKey, other .. ':' .. unit)
      if total then addProduct(productsKey, productField(metric, other, variant), delta * tonumber(total)) end
    end
  end
end
local function removeUnit(key, field, value, origin)
  local n, mean, m2, sum, shiftedSum = readMoments(key, field)
  if n <= 1 then
    redis.call('HDEL', key, field)
    return
  end
  local y = value - origin
  local n1 = n - 1
  local mean1 = mean - (y - mean) / n1
  writeMoments(key, field, n1, mean1, m2 - (y - mean) * (y - mean1), sum - value, shiftedSum - y)
end
`;

/**
 * KEYS: stopped, exposed, exposures, multiArm, multiCounts, pending, pendingTotal, metrics,
 * totals, moments, products, origins. ARGV: unit, variant. Returns 1 when the unit was counted (its first
 * exposure), 2 when this call marked it multi-arm, else 0.
 */
export const RECORD_EXPOSURE = `${MOMENTS}
local unit, variant = ARGV[1], ARGV[2]
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local first = redis.call('HGET', KEYS[2], unit)
if first then
  if first == variant or redis.call('HSETNX', KEYS[4], unit, variant) == 0 then return 0 end
  redis.call('HINCRBY', KEYS[5], first, 1)
  local own = unitTotals(KEYS[8], KEYS[9], unit)
  for _, entry in ipairs(own) do removeUnit(KEYS[10], entry[1] .. ':' .. first, entry[2], originOf(KEYS[12], entry[1])) end
  moveProducts(KEYS[11], own, first, -1)
  return 2
end
redis.call('HSET', KEYS[2], unit, variant)
redis.call('HINCRBY', KEYS[3], variant, 1)
local pending = redis.call('HGET', KEYS[6], unit)
if pending then
  redis.call('HDEL', KEYS[6], unit)
  redis.call('DECRBY', KEYS[7], pending)
  local own = unitTotals(KEYS[8], KEYS[9], unit)
  for _, entry in ipairs(own) do addUnit(KEYS[10], entry[1] .. ':' .. variant, entry[2], originOf(KEYS[12], entry[1])) end
  moveProducts(KEYS[11], own, variant, 1)
end
return 1
`;

/** Fields per outcome in ARGV after the three leading ones. */
export const OUTCOME_ARITY = 5;

/**
 * KEYS: owners (unit → variant assigned at its first outcome), idempotency (sorted set: key
 * scored by expiry, ms), exposed, multiArm, pending, pendingTotal, metrics, totals, moments, products, origins.
 * ARGV: idempotency key or '', now (ms), ttl (ms), then per outcome: unit, variant, metric, value, combine.
 * Returns {accepted, duplicate (0|1)}.
 */
export const RECORD_OUTCOMES = `${MOMENTS}
local key, now, ttl = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local count = (#ARGV - 3) / ${OUTCOME_ARITY}
for i = 0, count - 1 do
  if tonumber(ARGV[4 + i * ${OUTCOME_ARITY} + 3]) == nil then return redis.error_reply('ERR outcome value is not a number') end
end
if key ~= '' then
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
  if redis.call('ZSCORE', KEYS[2], key) then return {0, 1} end
end
-- Read once per post: the metric names (kept up to date below) and each metric's origin, which never changes once set.
local metricList = nil
local origins = {}
for i = 0, count - 1 do
  local b = 4 + i * ${OUTCOME_ARITY}
  local unit, variant, metric, value, combine = ARGV[b], ARGV[b + 1], ARGV[b + 2], tonumber(ARGV[b + 3]), ARGV[b + 4]
  redis.call('HSETNX', KEYS[1], unit, variant)
  -- A metric's first value is its origin; a metric that predates origins keeps 0.
  if redis.call('SADD', KEYS[7], metric) == 1 then
    redis.call('HSETNX', KEYS[11], metric, fmt(value))
    if metricList then metricList[#metricList + 1] = metric end
  end
  local tfield = metric .. ':' .. unit
  local previous = redis.call('HGET', KEYS[8], tfield)
  local nextValue = value
  if previous then
    previous = tonumber(previous)
    if combine == 'max' then nextValue = math.max(previous, value) else nextValue = previous + value end
  end
  redis.call('HSET', KEYS[8], tfield, fmt(nextValue))
  local arm = redis.call('HGET', KEYS[3], unit)
  if not arm then
    redis.call('HINCRBY', KEYS[5], unit, 1)
    redis.call('INCR', KEYS[6])
  elseif redis.call('HEXISTS', KEYS[4], unit) == 0 then
    local mfield = metric .. ':' .. arm
    local origin = origins[metric]
    if origin == nil then
      origin = originOf(KEYS[11], metric)
      origins[metric] = origin
    end
    if previous then replaceUnit(KEYS[9], mfield, previous, nextValue, origin) else addUnit(KEYS[9], mfield, nextValue, origin) end
    if not metricList then metricList = redis.call('SMEMBERS', KEYS[7]) end
    shiftProducts(KEYS[10], metricList, KEYS[8], unit, arm, metric, previous and (nextValue - previous) or nextValue)
  end
end
if key ~= '' then redis.call('ZADD', KEYS[2], now + ttl, key) end
return {count, 0}
`;
