--[[ change_delay: give a delayed job a new delay counted from now (BullMQ's
  job.changeDelay).

  KEYS[1] delayed
  KEYS[2] marker
  KEYS[3] events
  KEYS[4] meta

  ARGV[1] key base
  ARGV[2] jobId
  ARGV[3] new delay (ms)
  ARGV[4] now (ms)

  Returns: 0, -1 when the job does not exist, -3 when it is not delayed.
  Emits: delayed (jobId, delay = due ms).
]]
local base, jobId, delay = ARGV[1], ARGV[2], ARGV[3]
local jobKey = base .. jobId
if redis.call("EXISTS", jobKey) == 0 then
  return -1
end
if redis.call("ZREM", KEYS[1], jobId) == 0 then
  return -3
end
local due = tonumber(ARGV[4]) + tonumber(delay)
redis.call("HSET", jobKey, "delay", delay)
redis.call("ZADD", KEYS[1], delayed_score(KEYS[1], due), jobId)
redis.call("XADD", KEYS[3], "MAXLEN", "~", max_events(KEYS[4]), "*", "event", "delayed", "jobId", jobId,
  "delay", fmt_int(due))
add_delay_marker(KEYS[2], KEYS[1])
return 0
