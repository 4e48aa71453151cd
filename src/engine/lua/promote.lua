--[[ promote: move one delayed job to wait (or prioritized) now.

  KEYS[1] delayed
  KEYS[2] wait
  KEYS[3] prioritized
  KEYS[4] pc
  KEYS[5] marker
  KEYS[6] events
  KEYS[7] meta
  KEYS[8] active

  ARGV[1] key base
  ARGV[2] jobId

  Returns: 0, or -3 when the job is not delayed.
  Emits: waiting (prev delayed).
]]
local base, jobId = ARGV[1], ARGV[2]
if redis.call("ZREM", KEYS[1], jobId) == 0 then
  return -3
end
local jobKey = base .. jobId
local priority = tonumber(redis.call("HGET", jobKey, "priority")) or 0
enqueue_ready(KEYS[2], KEYS[3], KEYS[4], jobId, priority, false)
if not paused_or_maxed(KEYS[7], KEYS[8]) then
  redis.call("ZADD", KEYS[5], 0, "0")
end
redis.call("HSET", jobKey, "delay", 0)
redis.call("XADD", KEYS[6], "MAXLEN", "~", max_events(KEYS[7]), "*", "event", "waiting", "jobId", jobId,
  "prev", "delayed")
return 0
