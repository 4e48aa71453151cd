--[[ update_progress: store a job's progress (JSON) and announce it.

  KEYS[1] job hash
  KEYS[2] events
  KEYS[3] meta

  ARGV[1] jobId
  ARGV[2] progress (JSON: a number or an object)

  Returns: 0, or -1 when the job does not exist.
  Emits: progress (jobId, data).
]]
if redis.call("EXISTS", KEYS[1]) == 0 then
  return -1
end
redis.call("HSET", KEYS[1], "progress", ARGV[2])
redis.call("XADD", KEYS[2], "MAXLEN", "~", max_events(KEYS[3]), "*", "event", "progress", "jobId", ARGV[1],
  "data", ARGV[2])
return 0
