--[[ add_log: append a line to a job's log, keeping only the last keepLogs lines
  when the job asks for it.

  KEYS[1] job hash
  KEYS[2] job logs list

  ARGV[1] the line
  ARGV[2] keepLogs (0 = keep all)

  Returns: the number of lines kept, or -1 when the job does not exist.
  Emits: nothing.
]]
if redis.call("EXISTS", KEYS[1]) == 0 then
  return -1
end
local n = redis.call("RPUSH", KEYS[2], ARGV[1])
local keep = tonumber(ARGV[2])
if keep > 0 then
  redis.call("LTRIM", KEYS[2], -keep, -1)
  return math.min(keep, n)
end
return n
