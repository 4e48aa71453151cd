--[[ remove_job_scheduler: delete a job scheduler and its pending delayed
  iteration (BullMQ's removeJobScheduler). An iteration already waiting,
  running or finished is left as it is, as BullMQ leaves it.

  KEYS[1] repeat
  KEYS[2] delayed
  KEYS[3] events

  ARGV[1] key base
  ARGV[2] scheduler id

  Returns: 1 removed, 0 no such scheduler.
  Emits: removed (jobId, prev = delayed) for the removed iteration.
]]
local base, schedulerId = ARGV[1], ARGV[2]
local next = redis.call("ZSCORE", KEYS[1], schedulerId)
if next then
  local jobId = "repeat:" .. schedulerId .. ":" .. fmt_int(tonumber(next))
  if redis.call("ZREM", KEYS[2], jobId) == 1 then
    remove_job_keys(base .. jobId)
    redis.call("XADD", KEYS[3], "*", "event", "removed", "jobId", jobId, "prev", "delayed")
  end
end
if redis.call("ZREM", KEYS[1], schedulerId) == 1 then
  redis.call("DEL", KEYS[1] .. ":" .. schedulerId)
  return 1
end
return 0
