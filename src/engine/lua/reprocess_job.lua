--[[ reprocess_job: move a completed or failed job back to wait (BullMQ's
  job.retry / reprocessJob). A retried flow child is pending for its parent
  again (reattach_child, lua/lib/flow.lua).

  KEYS[1] the finished set the job is in (completed or failed)
  KEYS[2] wait
  KEYS[3] prioritized
  KEYS[4] pc
  KEYS[5] marker
  KEYS[6] events
  KEYS[7] meta
  KEYS[8] active

  ARGV[1] key base
  ARGV[2] jobId
  ARGV[3] result field to clear ("returnvalue" or "failedReason")
  ARGV[4] lifo ("1"/"0")
  ARGV[5] reset attemptsMade ("1"/"0")
  ARGV[6] reset attemptsStarted ("1"/"0")
  ARGV[7] prev state name for the event ("completed"/"failed")

  Returns: 0, -1 when the job does not exist, -3 when it is not in that set.
  Emits: waiting (prev = completed/failed).
]]
local base, jobId = ARGV[1], ARGV[2]
local jobKey = base .. jobId
if redis.call("EXISTS", jobKey) == 0 then
  return -1
end
if redis.call("ZREM", KEYS[1], jobId) == 0 then
  return -3
end
redis.call("HDEL", jobKey, "finishedOn", "processedOn", ARGV[3])
reattach_child(jobKey, ARGV[7])
if ARGV[5] == "1" then
  redis.call("HDEL", jobKey, "atm", "attemptsMade")
end
if ARGV[6] == "1" then
  redis.call("HDEL", jobKey, "ats")
end
local priority = tonumber(redis.call("HGET", jobKey, "priority")) or 0
enqueue_ready(KEYS[2], KEYS[3], KEYS[4], jobId, priority, ARGV[4] == "1")
if not paused_or_maxed(KEYS[7], KEYS[8]) then
  redis.call("ZADD", KEYS[5], 0, "0")
end
redis.call("XADD", KEYS[6], "MAXLEN", "~", max_events(KEYS[7]), "*", "event", "waiting", "jobId", jobId,
  "prev", ARGV[7])
return 0
