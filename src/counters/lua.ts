/**
 * The Lua scripts behind every shared counter — each operation is one script, so it is atomic on the
 * server however many replicas run it at once — and how they are called: `EVALSHA`, falling back to
 * `EVAL` once when the server does not know the script yet (after a restart or `SCRIPT FLUSH`). Times come
 * from the server's clock (`TIME`), so replicas with skewed clocks share one window.
 */
import { createHash } from "node:crypto";
import type { Redis } from "ioredis";

/** A script and its SHA-1. */
export interface Script {
  readonly source: string;
  readonly sha: string;
}

function script(source: string): Script {
  return { source, sha: createHash("sha1").update(source).digest("hex") };
}

/**
 * Charges token buckets (GCRA in effect) all or nothing. KEYS: buckets. ARGV: window ms, then per
 * bucket its limit and the units needed. Returns `[admitted 0|1, now ms, available per bucket…]`: after
 * the charge when admitted, before it when not.
 */
export const CHARGE = script(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[1])
local avail = {}
local ok = 1
for i = 1, #KEYS do
  local limit = tonumber(ARGV[2 * i])
  local need = tonumber(ARGV[2 * i + 1])
  local s = redis.call('HMGET', KEYS[i], 'l', 'a', 'm')
  local level, at, was = tonumber(s[1]), tonumber(s[2]), tonumber(s[3])
  local a = limit
  if level ~= nil then
    a = math.min(was, level + (now - at) * was / window)
    if was ~= limit then a = math.max(-limit, limit - (was - a)) end
  end
  avail[i] = a
  if a < need then ok = 0 end
end
if ok == 1 then
  for i = 1, #KEYS do
    local limit = tonumber(ARGV[2 * i])
    avail[i] = math.max(-limit, avail[i] - tonumber(ARGV[2 * i + 1]))
    redis.call('HSET', KEYS[i], 'l', tostring(avail[i]), 'a', tostring(now), 'm', tostring(limit))
    redis.call('PEXPIRE', KEYS[i], 2 * window)
  end
end
local out = { ok, tostring(now) }
for i = 1, #KEYS do out[#out + 1] = tostring(avail[i]) end
return out
`);

/** Corrects token buckets by a delta (settlement to real usage). KEYS: buckets. ARGV: window ms, delta. */
const ADJUST_FN = `
local function adjust(KEYS, ARGV)
  local t = redis.call('TIME')
  local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  local window = tonumber(ARGV[1])
  local delta = tonumber(ARGV[2])
  for i = 1, #KEYS do
    local s = redis.call('HMGET', KEYS[i], 'l', 'a', 'm')
    local level, at, limit = tonumber(s[1]), tonumber(s[2]), tonumber(s[3])
    if level ~= nil then
      local a = math.min(limit, level + (now - at) * limit / window)
      redis.call('HSET', KEYS[i], 'l', tostring(math.max(-limit, a - delta)), 'a', tostring(now))
      redis.call('PEXPIRE', KEYS[i], 2 * window)
    end
  end
  return 1
end
`;

/**
 * Checks daily caps and reserves, all or nothing. KEYS: spend hashes of the call's scopes. ARGV: the
 * reservation (nano-EUR), the downshifted one (or -1), the downshift fraction, TTL seconds, the number of
 * caps, the replica's tag, then per cap the index of its key and the cap (nano-EUR). Each hash also keeps
 * what each replica holds (`r:<tag>`, `n:<tag>`), so a restarted replica can give back what it held.
 * Returns `[1, shifted 0|1]`, or `[0, cap number, spent, reserved, 0]` for the first cap used up, or
 * `[0, cap number, spent, reserved, 1]` for the first cap the reservation does not fit.
 */
export const RESERVE = script(`
local ncap = tonumber(ARGV[5])
local worst = 0
local held = {}
for j = 1, ncap do
  local key = KEYS[tonumber(ARGV[5 + 2 * j])]
  local cap = tonumber(ARGV[6 + 2 * j])
  local s = redis.call('HMGET', key, 'spent', 'reserved')
  local spent, reserved = tonumber(s[1] or '0'), tonumber(s[2] or '0')
  if spent + reserved >= cap then return { 0, j, tostring(spent), tostring(reserved), 0 } end
  held[j] = { spent, reserved, cap }
  worst = math.max(worst, (spent + reserved) / cap)
end
local eur = ARGV[1]
local shifted = 0
if tonumber(ARGV[2]) >= 0 and worst >= tonumber(ARGV[3]) then
  eur = ARGV[2]
  shifted = 1
end
-- A reservation is an upper bound of the call's cost: one that does not fit a cap is refused, so the
-- settled spend never passes it.
for j = 1, ncap do
  local h = held[j]
  if h[1] + h[2] + tonumber(eur) > h[3] then return { 0, j, tostring(h[1]), tostring(h[2]), 1 } end
end
for i = 1, #KEYS do
  redis.call('HINCRBY', KEYS[i], 'reserved', eur)
  redis.call('HINCRBY', KEYS[i], 'inflight', 1)
  redis.call('HINCRBY', KEYS[i], 'r:' .. ARGV[6], eur)
  redis.call('HINCRBY', KEYS[i], 'n:' .. ARGV[6], 1)
  redis.call('EXPIRE', KEYS[i], ARGV[4])
end
return { 1, shifted }
`);

/**
 * Releases a reservation and books a cost. KEYS: n reservation hashes (none without a reservation), then
 * n booking hashes. ARGV: n reserved, reservation (nano-EUR), cost (nano-EUR), TTL seconds, the replica's
 * tag. Returns each booking hash's spent after the booking.
 */
const SETTLE_FN = `
local function release(key, tag, n, held)
  local mine = redis.call('HINCRBY', key, 'n:' .. tag, -n)
  if mine <= 0 then redis.call('HDEL', key, 'n:' .. tag, 'r:' .. tag)
  elseif held ~= '0' then redis.call('HINCRBY', key, 'r:' .. tag, '-' .. held) end
  local left = redis.call('HINCRBY', key, 'inflight', -n)
  if left <= 0 then
    redis.call('HSET', key, 'inflight', 0, 'reserved', 0)
  elseif held ~= '0' and redis.call('HINCRBY', key, 'reserved', '-' .. held) < 0 then
    redis.call('HSET', key, 'reserved', 0)
  end
end

local function settle(KEYS, ARGV)
  local n = tonumber(ARGV[1])
  for i = 1, n do release(KEYS[i], ARGV[5], 1, ARGV[2]) end
  local out = {}
  for i = n + 1, #KEYS do
    out[#out + 1] = tostring(redis.call('HINCRBY', KEYS[i], 'spent', ARGV[3]))
    redis.call('EXPIRE', KEYS[i], ARGV[4])
  end
  return out
end
`;

/**
 * Settlements of several calls in one script: token-bucket adjustments (`a`, as above) and spend
 * settlements (`s`). ARGV: the number of operations, then per operation its kind, its key count and its
 * argument count followed by its arguments; KEYS: every operation's keys in order. Returns each
 * operation's result.
 */
export const SETTLE_BATCH = script(
  ADJUST_FN + SETTLE_FN + `
local out = {}
local k, a = 1, 2
for op = 1, tonumber(ARGV[1]) do
  local kind, nk, na = ARGV[a], tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2])
  a = a + 3
  local keys, args = {}, {}
  for i = 1, nk do keys[i] = KEYS[k + i - 1] end
  for i = 1, na do args[i] = ARGV[a + i - 1] end
  k, a = k + nk, a + na
  if kind == 'a' then out[op] = adjust(keys, args) else out[op] = settle(keys, args) end
end
return out
`,
);

/**
 * Gives back what a replica held before it restarted (its calls in flight then will never settle). KEYS:
 * spend hashes. ARGV: the replica's tag. Returns the most calls given back on one hash (every call holds
 * on each of its scopes).
 */
export const RECOVER = script(
  SETTLE_FN + `
local freed = 0
for i = 1, #KEYS do
  local s = redis.call('HMGET', KEYS[i], 'n:' .. ARGV[1], 'r:' .. ARGV[1])
  if s[1] then
    local n = tonumber(s[1])
    if n > 0 then
      release(KEYS[i], ARGV[1], n, s[2] or '0')
      freed = math.max(freed, n)
    end
    redis.call('HDEL', KEYS[i], 'n:' .. ARGV[1], 'r:' .. ARGV[1])
  end
end
return freed
`,
);

/**
 * Raises a day's spent to a rebuild's figures unless another replica did it first; never lowers one (a
 * replica may see only its own records). KEYS: the day's marker, then spend hashes. ARGV: TTL seconds,
 * then spent (nano-EUR) per hash. Returns 1 when this call seeded the day.
 */
export const REBUILD = script(`
if redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) == false then return 0 end
for i = 2, #KEYS do
  local now = tonumber(redis.call('HGET', KEYS[i], 'spent') or '0')
  if tonumber(ARGV[i]) > now then redis.call('HSET', KEYS[i], 'spent', ARGV[i]) end
  redis.call('EXPIRE', KEYS[i], ARGV[1])
end
return 1
`);

/**
 * Counts one use of a token unless that passes its maximum. KEYS: the counter. ARGV: maximum (-1 for
 * none), the count the store knows (a floor). Returns the new count, or -1 when exhausted. The counter
 * lives 30 days after its last use; the store's count is the floor after that.
 */
export const TAKE = script(`
local n = math.max(tonumber(redis.call('GET', KEYS[1]) or '0'), tonumber(ARGV[2]))
local max = tonumber(ARGV[1])
if max >= 0 and n + 1 > max then return -1 end
redis.call('SET', KEYS[1], tostring(n + 1), 'EX', 2592000)
return n + 1
`);

/** Runs `s` by SHA, loading it once when the server lacks it. */
export async function evalScript(
  redis: Redis,
  s: Script,
  keys: readonly string[],
  args: readonly (string | number)[],
): Promise<unknown> {
  try {
    return await redis.evalsha(s.sha, keys.length, ...keys, ...args);
  } catch (err) {
    if (!String((err as Error)?.message).startsWith("NOSCRIPT")) throw err;
    return await redis.eval(s.source, keys.length, ...keys, ...args);
  }
}
