/**
 * Lua that sets `now`, the time in ms: `ARGV[argument]` when a test passes it, else Redis `TIME`,
 * so that the apps' clocks do not matter.
 */
export const luaNow = (argument: number) => `local now = tonumber(ARGV[${argument}])
if now == nil then
  local time = redis.call('TIME')
  now = tonumber(time[1]) * 1000 + tonumber(time[2]) / 1000
end`;

/** Lua `text(value)`: a number as a string that reads back as the same double. */
export const LUA_TEXT = `local function text(value) return string.format('%.17g', value) end`;
