--[[ move_jobs_to_wait: move finished or delayed jobs back to wait in bulk
  (BullMQ's retryJobs for failed/completed, promoteJobs for delayed). A
  retried flow child is pending for its parent again (reattach_child).

  KEYS[1] source set (failed, completed or delayed)
  KEYS[2] wait
  KEYS[3] marker
  KEYS[4] events
  KEYS[5] meta
  KEYS[6] active

  ARGV[1] key base
  ARGV[2] at most this many per call
  ARGV[3] only jobs with a score at or below this ("+inf" for all)
  ARGV[4] source state name ("failed", "completed", "delayed")

  Returns: 1 while more remain, else 0.
  Emits: waiting (prev = source state), per job.
]]
local base, count, maxScore, from = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4]
local ids = redis.call("ZRANGEBYSCORE", KEYS[1], 0, maxScore, "LIMIT", 0, count)
if #ids == 0 then
  return 0
end
local maxEv = max_events(KEYS[5])
for _, jobId in ipairs(ids) do
  local jobKey = base .. jobId
  if from == "failed" then
    redis.call("HDEL", jobKey, "finishedOn", "processedOn", "failedReason")
    reattach_child(jobKey, from)
  elseif from == "completed" then
    redis.call("HDEL", jobKey, "finishedOn", "processedOn", "returnvalue")
    reattach_child(jobKey, from)
  end
  redis.call("XADD", KEYS[4], "MAXLEN", "~", maxEv, "*", "event", "waiting", "jobId", jobId, "prev", from)
end
call_in_slices("ZREM", KEYS[1], ids)
call_in_slices("LPUSH", KEYS[2], ids)
if not paused_or_maxed(KEYS[5], KEYS[6]) then
  redis.call("ZADD", KEYS[3], 0, "0")
end
if #redis.call("ZRANGEBYSCORE", KEYS[1], 0, maxScore, "LIMIT", 0, 1) > 0 then
  return 1
end
return 0
