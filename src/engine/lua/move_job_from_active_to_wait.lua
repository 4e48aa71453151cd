--[[ move_job_from_active_to_wait: put a rate-limited active job back at the
  front of its line without counting an attempt (BullMQ's RateLimitError path),
  or give back a job a worker fetched ahead and never started.

  KEYS[1] active
  KEYS[2] wait
  KEYS[3] prioritized
  KEYS[4] marker
  KEYS[5] events
  KEYS[6] meta
  KEYS[7] stalled
  KEYS[8] limiter

  ARGV[1] key base
  ARGV[2] jobId
  ARGV[3] lock token
  ARGV[4] "1" = the job never started (a prefetched job given back): its
          attemptsStarted (ats) count is taken back too

  Returns: the limiter's PTTL (ms, 0 when none), or -1/-2/-6/-3 as move_to_delayed.
  Emits: waiting (prev active).
]]
local base, jobId, token, unstarted = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local jobKey = base .. jobId
if redis.call("EXISTS", jobKey) == 0 then
  return -1
end
local code = release_lock(jobKey, KEYS[7], jobId, token)
if code ~= 0 then
  return code
end
if redis.call("LREM", KEYS[1], 1, jobId) == 0 then
  return -3
end
if unstarted == "1" and (tonumber(redis.call("HGET", jobKey, "ats")) or 0) > 0 then
  redis.call("HINCRBY", jobKey, "ats", -1)
end
local priority = tonumber(redis.call("HGET", jobKey, "priority")) or 0
if priority > 0 then
  -- Push back: the front of its priority.
  redis.call("ZADD", KEYS[3], fmt_int(priority * 4294967296), jobId)
else
  redis.call("RPUSH", KEYS[2], jobId)
end
if not paused_or_maxed(KEYS[6], KEYS[1]) then
  redis.call("ZADD", KEYS[4], 0, "0")
end
redis.call("XADD", KEYS[5], "MAXLEN", "~", max_events(KEYS[6]), "*", "event", "waiting", "jobId", jobId,
  "prev", "active")
local ttl = redis.call("PTTL", KEYS[8])
if ttl < 0 then
  return 0
end
return ttl
