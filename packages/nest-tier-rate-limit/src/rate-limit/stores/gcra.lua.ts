import { GCRA_RESOLUTION_MS } from '../algorithms/gcra.js';
import { LUA_TEXT, luaNow } from './lua-fragments.js';

/**
 * {@link countGcra} as a Redis script, step for step in the same double arithmetic, so the two
 * agree to the last bit. `KEYS[1]` holds `g` and the theoretical arrival time (ms, `%.17g`). `ARGV`:
 * limit, period in seconds, burst, and the time in ms for tests only (else Redis `TIME`, so the
 * apps' clocks do not matter). A value of another type under the key (another algorithm's) is
 * replaced. Reply: `{limited, count, remaining, resetMs, retryAfterMs}` as strings (a number
 * reply would lose the fractions).
 */
export const GCRA_SCRIPT = `
local limit = tonumber(ARGV[1])
local period = tonumber(ARGV[2]) * 1000
local burst = tonumber(ARGV[3])
${luaNow(4)}
${LUA_TEXT}
local epsilon = ${GCRA_RESOLUTION_MS}
-- The TAT is kept as 'g' and its digits, so that no other algorithm reads it as a count.
local stored = nil
if redis.call('TYPE', KEYS[1]).ok == 'string' then
  local value = redis.call('GET', KEYS[1])
  if string.sub(value, 1, 1) == 'g' then stored = tonumber(string.sub(value, 2)) end
end
local interval = period / limit
local tat = math.max(stored or 0, now)
local next = tat + interval
local allow_at = next - burst * interval
local function held(ahead) return math.max(0, math.ceil((ahead - epsilon) / interval)) end
if allow_at - now > epsilon then
  return {'1', text(held(tat - now)), '0', text(tat - now), text(allow_at - now)}
end
-- At least 1 ms: an interval below a double's resolution at epoch times leaves next = now.
redis.call('SET', KEYS[1], 'g' .. text(next), 'PX', math.max(1, math.ceil(next - now)))
local remaining = math.floor((now - allow_at + epsilon) / interval)
return {'0', text(held(next - now)), text(remaining), text(next - now), '0'}
`.trimStart();
