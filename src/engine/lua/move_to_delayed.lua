--[[ move_to_delayed: a processor parks its own active job until a given time
  (BullMQ's job.moveToDelayed; the attempt is not counted).

  KEYS[1] active
  KEYS[2] delayed
  KEYS[3] marker
  KEYS[4] events
  KEYS[5] meta
  KEYS[6] stalled

  ARGV[1] key base
  ARGV[2] jobId
  ARGV[3] lock token
  ARGV[4] due time (ms)
  ARGV[5] now (ms)

  Returns: 0, -1 job missing, -2 lock missing, -6 lock held by another token,
    -3 job not active.
  Emits: delayed (jobId, delay = due ms).
]]
local base, jobId, token = ARGV[1], ARGV[2], ARGV[3]
local due, now = tonumber(ARGV[4]), tonumber(ARGV[5])
local jobKey = base .. jobId
if redis.call("EXISTS", jobKey) == 0 then
  return -1
end
local code = release_lock(jobKey, KEYS[6], jobId, token)
if code ~= 0 then
  return code
end
if redis.call("LREM", KEYS[1], -1, jobId) == 0 then
  return -3
end
if due < now then
  due = now
end
redis.call("HSET", jobKey, "delay", due - now)
redis.call("ZADD", KEYS[2], delayed_score(KEYS[2], due), jobId)
redis.call("XADD", KEYS[4], "MAXLEN", "~", max_events(KEYS[5]), "*", "event", "delayed", "jobId", jobId,
  "delay", fmt_int(due))
add_delay_marker(KEYS[3], KEYS[2])
return 0
