import { GCRA_RESOLUTION_MS } from '../algorithms/gcra.js';
import { SLIDING_WINDOW_BUCKETS } from '../algorithms/sliding-window.js';
import { LUA_TEXT } from './lua-fragments.js';

/**
 * Refunds give back to a fixed window only when its end, read as `TIME + PTTL`, is within this
 * of the hit's `window`. Both are the key's expiry read on Redis' clock, a few ms apart at most;
 * a later window opens once this one has ended and lasts a period, ≥ 1 s, so it ends ≥ 1 s later.
 */
export const FIXED_WINDOW_TOLERANCE_MS = 500;

/**
 * What both scripts share. `ARGV[2]` is the time GCRA and sliding windows are counted at, for
 * tests only (empty: Redis `TIME`). Fixed windows always read Redis' clock (`wall`), which their
 * expiry follows, so a time passed by a test never moves their ends. Then, per policy, the
 * readers of its key (another algorithm's value reads as nothing) and the algorithms' helpers,
 * step for step as in the pure functions, in the same double arithmetic.
 *
 * The algorithms return a hit as numbers, `{limited, count, remaining, resetMs, retryAfterMs,
 * window}`, which `encode` turns into the reply only for the hits replied (formatting costs about
 * 0.4 µs a number): a fixed window's numbers are integers, replied as such; the others' may have
 * fractions, replied as `%.17g` text, which reads back as the same double.
 */
const COMMON = `
${LUA_TEXT}
local epsilon = ${GCRA_RESOLUTION_MS}
local slots = ${SLIDING_WINDOW_BUCKETS + 1}
local time = redis.call('TIME')
local wall = tonumber(time[1]) * 1000 + tonumber(time[2]) / 1000
local now = tonumber(ARGV[2]) or wall
local function idle(p) return {false, 0, p.limit, 0, 0} end
local function encode(p, hit)
  local limited = hit[1] and 1 or 0
  if p.kind == 'f' then return {limited, hit[2], hit[3], hit[4], hit[5], hit[6]} end
  local window = hit[6] and text(hit[6])
  return {limited, text(hit[2]), text(hit[3]), text(hit[4]), text(hit[5]), window}
end

local read = {}
-- A fixed window: an integer counter with a TTL (the one-policy script's format).
function read.f(p)
  local value = redis.pcall('GET', p.key)
  local count = type(value) == 'string' and tonumber(value) or nil
  if count == nil or count ~= math.floor(count) then return {} end
  return {count = count, ttl = redis.call('PTTL', p.key)}
end
-- GCRA: 'g' and the theoretical arrival time (the one-policy script's format).
function read.g(p)
  local value = redis.pcall('GET', p.key)
  if type(value) ~= 'string' or string.sub(value, 1, 1) ~= 'g' then return {} end
  return {tat = tonumber(string.sub(value, 2))}
end
-- The sliding window: a hash, 'b' the sub-window length, 'n' the newest one, '0'…'10' the ring.
function read.s(p)
  local s = {bucket = p.period / (slots - 1), newest = -math.huge, counts = {}, changed = {}}
  for i = 0, slots - 1 do s.counts[i] = 0 end
  local fields = redis.pcall('HGETALL', p.key)
  s.other = fields.err ~= nil
  if s.other then return s end
  s.present = #fields > 0
  local stored = {}
  for i = 1, #fields, 2 do stored[fields[i]] = tonumber(fields[i + 1]) end
  -- A ring kept for another period starts afresh.
  s.kept = stored['b'] == s.bucket
  if s.kept then
    s.newest = stored['n'] or s.newest
    for i = 0, slots - 1 do s.counts[i] = stored[tostring(i)] or 0 end
  end
  return s
end

local function held(ahead, interval) return math.max(0, math.ceil((ahead - epsilon) / interval)) end
local function units_free(tat, interval, burst)
  return math.floor((now - tat + burst * interval + epsilon) / interval)
end
local function gcra_state(tat, interval, burst)
  return {false, held(tat - now, interval), units_free(tat, interval, burst), tat - now, 0}
end

local function slot(index) return ((index % slots) + slots) % slots end
-- Notes which sub-windows change, so that a kept ring writes only those.
local function put(s, index, count)
  if s.counts[slot(index)] ~= count then s.changed[slot(index)] = true end
  s.counts[slot(index)] = count
end
local function advance(s)
  local current = math.max(math.floor(now / s.bucket), s.newest)
  local expired = math.min(current - s.newest, slots)
  for step = 1, expired do put(s, current - expired + step, 0) end
  s.newest = current
  return current
end
local function total(s)
  local count = 0
  for i = 0, slots - 1 do count = count + s.counts[i] end
  return count
end
local function leaves_at(s, index) return (index + slots) * s.bucket end
local function until_empty(s)
  for index = s.newest, s.newest - slots + 1, -1 do
    if s.counts[slot(index)] > 0 then return leaves_at(s, index) - now end
  end
  return 0
end
local function until_below(s, leaving)
  local left = 0
  for index = s.newest - slots + 1, s.newest do
    left = left + s.counts[slot(index)]
    if left >= leaving then return leaves_at(s, index) - now end
  end
  return until_empty(s)
end
-- The whole ring when it is new, else what changed. HSET leaves the TTL as it is.
local function write_ring(p, s)
  if s.other then redis.call('DEL', p.key) end
  local fields = {'n', text(s.newest)}
  if not s.kept then table.insert(fields, 'b') table.insert(fields, text(s.bucket)) end
  for i = 0, slots - 1 do
    if not s.kept or s.changed[i] then
      table.insert(fields, tostring(i))
      table.insert(fields, text(s.counts[i]))
    end
  end
  redis.call('HSET', p.key, unpack(fields))
end

-- Policy i: KEYS[i], and \`stride\` ARGV from 3 on: algorithm (f, s, g; upper case for a shadow
-- policy), limit, period (s), burst.
local function policy(i, stride)
  local at = 3 + (i - 1) * stride
  local kind = string.lower(ARGV[at])
  return {
    key = KEYS[i], kind = kind, shadow = kind ~= ARGV[at], limit = tonumber(ARGV[at + 1]),
    period = tonumber(ARGV[at + 2]) * 1000, burst = tonumber(ARGV[at + 3])
  }
end
`;

/**
 * Several policies counted in one atomic step, as {@link MemoryRateLimitStore.countPolicies}:
 * phase 1 decides every policy without writing (the pure functions with `apply` unset); if one
 * that is not a shadow refuses, the reply is those hits and nothing is written; else phase 2
 * counts each policy that would pass (`apply` set), re-reading a key that an earlier policy of
 * the request has just written, and a shadow policy that would refuse keeps its phase-1 hit,
 * without `window`, writing nothing.
 *
 * `KEYS`: one per policy. `ARGV`: cost, the time in ms for tests (empty: Redis `TIME`), then four
 * per policy: algorithm (`f`, `s`, `g`; `F`, `S`, `G` for a shadow policy), limit, period in
 * seconds, burst. Reply: one array per policy, in order: `{limited, count, remaining, resetMs,
 * retryAfterMs, window}`, `limited` 1 or 0, the rest integers for a fixed window (`window` its end
 * on Redis' clock, ms) and `%.17g` text otherwise (`window` the sliding window's sub-window, or
 * GCRA's TAT just after the request; absent for a refusal by GCRA and for a shadow policy's
 * refusal in a request that passed).
 *
 * Fixed windows write only when counting: `SET … PX` opens one (over any other value), `INCRBY`
 * counts in a live one. A counter left without expiry starts its window now, as in the
 * one-policy script, whose counters (refusals included) are read as they are.
 */
export const POLICIES_COUNT_SCRIPT = `
local cost = tonumber(ARGV[1])
${COMMON.trim()}
local count = {}
function count.f(p, s, apply)
  local live = s.count ~= nil
  local used = live and s.count or 0
  local ttl = (live and s.ttl >= 0) and s.ttl or p.period
  local limited = used + cost > p.limit
  if apply and not limited then
    if not live then
      redis.call('SET', p.key, cost, 'PX', ttl)
      used = cost
    else
      used = redis.call('INCRBY', p.key, cost)
      if s.ttl < 0 then redis.call('PEXPIRE', p.key, ttl) end
    end
  end
  local opened = live or (apply and not limited)
  local remaining = math.max(0, p.limit - used)
  return {limited, used, remaining, opened and ttl or 0, limited and ttl or 0, math.floor(wall) + ttl}
end
function count.g(p, s, apply)
  local interval = p.period / p.limit
  local tat = math.max(s.tat or 0, now)
  local next = tat + cost * interval
  local allow_at = next - p.burst * interval
  if allow_at - now > epsilon then
    local free = math.min(cost - 1, math.max(0, units_free(tat, interval, p.burst)))
    return {true, held(tat - now, interval), free, tat - now, allow_at - now}
  end
  if not apply then return gcra_state(tat, interval, p.burst) end
  -- At least 1 ms: an interval below a double's resolution at epoch times leaves next = now.
  redis.call('SET', p.key, 'g' .. text(next), 'PX', math.max(1, math.ceil(next - now)))
  local remaining = math.floor((now - allow_at + epsilon) / interval)
  return {false, held(next - now, interval), remaining, next - now, 0, next}
end
function count.s(p, s, apply)
  local current = advance(s)
  local used = total(s)
  local limited = used + cost > p.limit
  if apply and not limited then
    put(s, current, s.counts[slot(current)] + cost)
    used = used + cost
  end
  local reset = until_empty(s)
  local retry = limited and until_below(s, used + cost - p.limit) or 0
  if apply and not limited then
    write_ring(p, s)
    redis.call('PEXPIRE', p.key, math.ceil(reset))
  end
  return {limited, used, math.max(0, p.limit - used), reset, retry, current}
end

local policies, states, hits = {}, {}, {}
local refused = false
for i = 1, #KEYS do
  local p = policy(i, 4)
  policies[i] = p
  states[i] = read[p.kind](p)
  hits[i] = count[p.kind](p, states[i], false)
  refused = refused or (hits[i][1] and not p.shadow)
end
if not refused then
  local written = {}
  for i, p in ipairs(policies) do
    -- Only a shadow policy can have refused here: it keeps its refusal and writes nothing.
    if not hits[i][1] then
      local s = states[i]
      if written[p.key] then s = read[p.kind](p) end
      hits[i] = count[p.kind](p, s, true)
      written[p.key] = true
    end
    -- A shadow refusal counted nothing: no window, so that a refund gives it nothing.
    if p.shadow and hits[i][1] then hits[i][6] = nil end
  end
end
for i, p in ipairs(policies) do hits[i] = encode(p, hits[i]) end
return hits
`.trimStart();

/**
 * Gives `amount` units back on several policies in one atomic step, as
 * {@link MemoryRateLimitStore.refundPolicies}. `KEYS`: one per policy. `ARGV`: amount, the time in
 * ms for tests (empty: Redis `TIME`), then five per policy: algorithm (coded as for counting; a
 * shadow policy is refunded as any other), limit, period in seconds, burst, and the `window` of
 * the policy's hit (empty when it has none). Reply: one array per policy of `{limited, count,
 * remaining, resetMs, retryAfterMs}`, the state after, encoded as the counting script's.
 *
 * A fixed window gives back only when it is the hit's (see {@link FIXED_WINDOW_TOLERANCE_MS}),
 * from `min(count, limit)`, keeping its TTL. GCRA moves its TAT back by the units it still holds
 * of the request (none once they have drained: see `refundGcra`), never before now, keeping
 * the TTL (set for the later TAT, so never too early). The sliding window subtracts from the hit's
 * sub-window while it is in the ring, keeping the TTL, and drops a ring left empty. A key with
 * nothing of the policy's algorithm reports what the pure function reports on an empty state.
 */
export const POLICIES_REFUND_SCRIPT = `
local amount = tonumber(ARGV[1])
${COMMON.trim()}
local refund = {}
function refund.f(p, s)
  if s.count == nil then return idle(p) end
  local used = s.count
  -- A counter without expiry has no end to compare: nothing matches it.
  if s.ttl >= 0 and p.window ~= nil
    and math.abs(math.floor(wall) + s.ttl - p.window) < ${FIXED_WINDOW_TOLERANCE_MS} then
    used = math.max(0, math.min(used, p.limit) - amount)
    redis.call('SET', p.key, used, 'KEEPTTL')
  end
  local ttl = s.ttl >= 0 and s.ttl or p.period
  return {false, used, math.max(0, p.limit - used), ttl, 0}
end
function refund.g(p, s)
  local interval = p.period / p.limit
  local stored = s.tat or 0
  -- Only what the cell still holds of the request, whose units drain until its window ends.
  local still = p.window and math.max(0, p.window - now) or 0
  local tat = math.max(now, stored - math.min(amount * interval, still))
  if stored > now then redis.call('SET', p.key, 'g' .. text(tat), 'KEEPTTL') end
  return gcra_state(tat, interval, p.burst)
end
function refund.s(p, s)
  if not s.present then return idle(p) end
  local current = advance(s)
  local index = p.window
  local given = index ~= nil and index <= current and index > current - slots
  if given then put(s, index, math.max(0, s.counts[slot(index)] - amount)) end
  local reset = until_empty(s)
  -- Empty (or kept for another period): gone, as the memory store's window expires then.
  if reset == 0 then
    redis.call('DEL', p.key)
  elseif given then
    write_ring(p, s)
  end
  local used = total(s)
  return {false, used, math.max(0, p.limit - used), reset, 0}
end

local hits = {}
for i = 1, #KEYS do
  local p = policy(i, 5)
  p.window = tonumber(ARGV[2 + i * 5])
  hits[i] = encode(p, refund[p.kind](p, read[p.kind](p)))
end
return hits
`.trimStart();
