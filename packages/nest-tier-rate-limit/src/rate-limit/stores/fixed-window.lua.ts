/**
 * The Redis fixed-window check as a Lua script, kept in the code rather than read from a file so
 * that the build copies no assets. `KEYS[1]` is the counter key, `ARGV[1]` the window length in
 * seconds (fewer bytes per call than milliseconds); the reply is `{count, pttl}`. Two commands
 * per check: `INCR`, then `PEXPIRE` when it opened the window, `PTTL` otherwise.
 */
export const FIXED_WINDOW_SCRIPT = `
-- Fixed-window counter in one atomic step.
-- KEYS[1]: the counter key. ARGV[1]: the window length in seconds.
-- Returns {count, pttl}: the count with this request, and the milliseconds left in the window.
local count = redis.pcall('INCR', KEYS[1])
-- Another algorithm's value under the key (a hash, or a tagged TAT): a window starts over it.
if type(count) == 'table' then
  redis.call('DEL', KEYS[1])
  count = redis.call('INCR', KEYS[1])
end
local window = tonumber(ARGV[1]) * 1000
-- This request opened the window: start its expiry; what is left of it is all of it.
if count == 1 then
  redis.call('PEXPIRE', KEYS[1], window)
  return {1, window}
end
local ttl = redis.call('PTTL', KEYS[1])
-- A key left without expiry (which would never reset): start the window now.
if ttl < 0 then
  ttl = window
  redis.call('PEXPIRE', KEYS[1], ttl)
end
return {count, ttl}
`.trimStart();
