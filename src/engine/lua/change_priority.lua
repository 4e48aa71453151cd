--[[ change_priority: set a job's priority; a job waiting to run is moved to
  its new place in line (BullMQ's job.changePriority).

  KEYS[1] wait
  KEYS[2] prioritized
  KEYS[3] pc
  KEYS[4] marker
  KEYS[5] meta
  KEYS[6] active

  ARGV[1] key base
  ARGV[2] jobId
  ARGV[3] priority (0 = none)
  ARGV[4] lifo ("1"/"0")

  Returns: 0, or -1 when the job does not exist.
  Emits: nothing (as BullMQ).
]]
local base, jobId, priority, lifo = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4] == "1"
local jobKey = base .. jobId
if redis.call("EXISTS", jobKey) == 0 then
  return -1
end
local inLine = redis.call("ZREM", KEYS[2], jobId) == 1 or redis.call("LREM", KEYS[1], -1, jobId) > 0
if inLine then
  if priority > 0 and lifo then
    -- Front of its priority.
    redis.call("ZADD", KEYS[2], fmt_int(priority * 4294967296), jobId)
  else
    enqueue_ready(KEYS[1], KEYS[2], KEYS[3], jobId, priority, lifo)
  end
  if not paused_or_maxed(KEYS[5], KEYS[6]) then
    redis.call("ZADD", KEYS[4], 0, "0")
  end
end
redis.call("HSET", jobKey, "priority", priority)
return 0
