import { SLIDING_WINDOW_BUCKETS } from '../algorithms/sliding-window.js';
import { LUA_TEXT, luaNow } from './lua-fragments.js';

/**
 * {@link countSlidingWindow} as a Redis script, step for step, on a hash: `b` the sub-window
 * length in ms, `n` the newest sub-window, `0`…`10` the ring of counts. `ARGV`: limit, period in
 * seconds, and the time in ms for tests only (else Redis `TIME`). A value of another type under
 * the key, or a hash for another period, starts afresh. Reply: `{limited, count, remaining,
 * resetMs, retryAfterMs}` as strings.
 */
export const SLIDING_WINDOW_SCRIPT = `
local limit = tonumber(ARGV[1])
local period = tonumber(ARGV[2]) * 1000
${luaNow(3)}
${LUA_TEXT}
local buckets = ${SLIDING_WINDOW_BUCKETS}
local slots = buckets + 1
local bucket = period / buckets
local counts = {}
for i = 0, slots - 1 do counts[i] = 0 end
local newest = -math.huge
local kind = redis.call('TYPE', KEYS[1]).ok
if kind == 'hash' then
  local fields = redis.call('HGETALL', KEYS[1])
  local stored = {}
  for i = 1, #fields, 2 do stored[fields[i]] = tonumber(fields[i + 1]) end
  if stored['b'] == bucket then
    newest = stored['n']
    for i = 0, slots - 1 do counts[i] = stored[tostring(i)] or 0 end
  end
elseif kind ~= 'none' then
  redis.call('DEL', KEYS[1])
end
local function slot(index) return ((index % slots) + slots) % slots end
local current = math.max(math.floor(now / bucket), newest)
local expired = math.min(current - newest, slots)
for step = 1, expired do counts[slot(current - expired + step)] = 0 end
local count = 0
for i = 0, slots - 1 do count = count + counts[i] end
local limited = count >= limit
if not limited then
  counts[slot(current)] = counts[slot(current)] + 1
  count = count + 1
end
local function leaves_at(index) return (index + slots) * bucket end
local function until_empty()
  for index = current, current - slots + 1, -1 do
    if counts[slot(index)] > 0 then return leaves_at(index) - now end
  end
  return 0
end
local function until_below(leaving)
  local left = 0
  for index = current - slots + 1, current do
    left = left + counts[slot(index)]
    if left >= leaving then return leaves_at(index) - now end
  end
  return until_empty()
end
local reset = until_empty()
if limited then
  return {'1', text(count), '0', text(reset), text(until_below(count - limit + 1))}
end
local fields = {'b', text(bucket), 'n', text(current)}
for i = 0, slots - 1 do
  table.insert(fields, tostring(i))
  table.insert(fields, text(counts[i]))
end
redis.call('HSET', KEYS[1], unpack(fields))
redis.call('PEXPIRE', KEYS[1], math.ceil(reset))
return {'0', text(count), text(math.max(0, limit - count)), text(reset), '0'}
`.trimStart();
