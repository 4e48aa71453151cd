--[[ update_job_scheduler: create a scheduler's next iteration once its
  current one has started (what BullMQ's worker does when it moves an
  iteration to active). Only the scheduler's current iteration may do this:
  an iteration replaced by an upsert, or of a removed scheduler, adds nothing.

  KEYS[1] repeat
  KEYS[2] delayed
  KEYS[3] wait
  KEYS[4] meta
  KEYS[5] prioritized
  KEYS[6] marker
  KEYS[7] id
  KEYS[8] events
  KEYS[9] pc
  KEYS[10] active

  ARGV[1] key base
  ARGV[2] scheduler id
  ARGV[3] id of the iteration that just started (the producer)
  ARGV[4] now (ms)
  ARGV[5] next run (ms) of a cron scheduler, computed by the caller ("" for every)
  ARGV[6] every (ms) from the producer's opts, used when the hash lacks it ("" = none)
  ARGV[7] offset from the producer's opts.repeat ("" = none)
  ARGV[8] the JSON-escaped text "repeat:<id>:" (the iteration opts' jobId prefix)
  ARGV[9] the iteration opts JSON after its opening brace, without jobId and delay
  ARGV[10] priority of the iteration
  ARGV[11] lifo ("1"/"0")

  Returns: the new iteration's id, or 0 when nothing was added (scheduler
    gone, producer not current, or the next iteration already exists).
  Emits: added, delayed or waiting; duplicated (jobId) when the next
    iteration already exists.
]]
local repeatKey, delayedKey, waitKey, metaKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local prioritizedKey, markerKey, idKey, eventsKey = KEYS[5], KEYS[6], KEYS[7], KEYS[8]
local pcKey, activeKey = KEYS[9], KEYS[10]
local base, schedulerId, producerId, nowStr = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local now = tonumber(nowStr)

local prev = tonumber(redis.call("ZSCORE", repeatKey, schedulerId))
if not prev or producerId ~= "repeat:" .. schedulerId .. ":" .. fmt_int(prev) then
  return 0
end
local schedulerKey = repeatKey .. ":" .. schedulerId
local def = redis.call("HMGET", schedulerKey, "name", "data", "every", "startDate", "offset")
local nextMillis = tonumber(ARGV[5])
local every = tonumber(def[3]) or tonumber(ARGV[6])
if every then
  nextMillis = every_next_millis(prev, every, now, def[5] or ARGV[7], def[4])
end
if not nextMillis then
  return 0
end

local maxEv = max_events(metaKey)
local jobId = "repeat:" .. schedulerId .. ":" .. fmt_int(nextMillis)
if redis.call("EXISTS", base .. jobId) == 1 then
  redis.call("XADD", eventsKey, "MAXLEN", "~", maxEv, "*", "event", "duplicated", "jobId", jobId)
  return 0
end
redis.call("ZADD", repeatKey, fmt_int(nextMillis), schedulerId)
redis.call("HINCRBY", schedulerKey, "ic", 1)
redis.call("INCR", idKey)
local name = def[1] or ""
store_iteration(
  { wait = waitKey, active = activeKey, prioritized = prioritizedKey, pc = pcKey, delayed = delayedKey,
    marker = markerKey, events = eventsKey, meta = metaKey },
  { base = base, jobId = jobId, name = name, data = def[2] or "{}", optsHead = ARGV[8], optsTail = ARGV[9],
    now = now, nowStr = nowStr, delay = math.max(nextMillis - now, 0), priority = tonumber(ARGV[10]) or 0,
    lifo = ARGV[11] == "1", schedulerId = schedulerId, maxEvents = maxEv },
  fmt_int(nextMillis))
return jobId
