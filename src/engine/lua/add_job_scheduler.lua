--[[ add_job_scheduler: create or replace a job scheduler and its next
  iteration (BullMQ 6's upsertJobScheduler). Upserting again never leaves two
  pending iterations: a pending one (delayed, prioritized or waiting) is
  removed first; one already running or finished is left alone and the new
  iteration gets the next free time.

  The scheduler is the HASH `repeat:<id>` (name, every | pattern, tz, limit,
  startDate, endDate, offset, opts, data, ic) plus its next run's millis as
  score in the `repeat` ZSET; the iteration is job `repeat:<id>:<millis>`.

  KEYS[1] repeat
  KEYS[2] delayed
  KEYS[3] wait
  KEYS[4] paused (legacy list)
  KEYS[5] meta
  KEYS[6] prioritized
  KEYS[7] marker
  KEYS[8] id
  KEYS[9] events
  KEYS[10] pc
  KEYS[11] active

  ARGV[1] key base, "<prefix>:<queue>:"
  ARGV[2] scheduler id
  ARGV[3] now (ms)
  ARGV[4] next run (ms) of a cron scheduler, computed by the caller ("" for every)
  ARGV[5] every (ms), "" for a cron scheduler
  ARGV[6] offset as given ("" = none)
  ARGV[7] startDate (ms, "" = none)
  ARGV[8] template job name
  ARGV[9] tz ("" = none)
  ARGV[10] limit ("" = none)
  ARGV[11] pattern ("" = none)
  ARGV[12] endDate (ms, "" = none)
  ARGV[13] template data JSON
  ARGV[14] template opts JSON ("" = none)
  ARGV[15] the JSON-escaped text "repeat:<id>:" (the iteration opts' jobId prefix)
  ARGV[16] the iteration opts JSON after its opening brace, without jobId and delay
  ARGV[17] priority of the iterations
  ARGV[18] lifo ("1"/"0")

  Returns: { jobId, delay } of the new iteration;
    -10 a cron iteration with that id already exists (BullMQ's
        SchedulerJobIdCollision); -11 every scanned `every` slot is taken
        (SchedulerJobSlotsBusy).
  Emits: added, then delayed (delay = due ms) or waiting.
]]
local repeatKey, delayedKey, waitKey, pausedKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local metaKey, prioritizedKey, markerKey, idKey = KEYS[5], KEYS[6], KEYS[7], KEYS[8]
local eventsKey, pcKey, activeKey = KEYS[9], KEYS[10], KEYS[11]
local base, schedulerId, nowStr = ARGV[1], ARGV[2], ARGV[3]
local now = tonumber(nowStr)
local every = tonumber(ARGV[5])
local givenOffset = tonumber(ARGV[6])
local schedulerKey = repeatKey .. ":" .. schedulerId

local maxEv = max_events(metaKey)
local prev = tonumber(redis.call("ZSCORE", repeatKey, schedulerId))

local nextMillis = tonumber(ARGV[4])
local offset = givenOffset or 0
local everyChanged = false
if every then
  -- A new interval starts from scratch; the same interval continues from the
  -- current iteration's time.
  local from = prev
  if prev and tonumber(redis.call("HGET", schedulerKey, "every")) ~= every then
    from = nil
    everyChanged = true
  end
  nextMillis, offset = every_next_millis(from, every, now, givenOffset, ARGV[7])
end

-- The pending iteration is replaced; no `removed` event (as BullMQ).
local removedPrev = false
if prev then
  local prevId = "repeat:" .. schedulerId .. ":" .. fmt_int(prev)
  if redis.call("EXISTS", base .. prevId) == 1 then
    if redis.call("ZREM", delayedKey, prevId) == 1 or redis.call("ZREM", prioritizedKey, prevId) == 1
        or redis.call("LREM", waitKey, 1, prevId) > 0 or redis.call("LREM", pausedKey, 1, prevId) > 0 then
      delete_job(base, prevId)
      removedPrev = true
    end
  end
end
local storeOffset = offset
if removedPrev then
  -- The replacement keeps the removed one's slot, and the stored offset stays
  -- unless one was given.
  if every and not everyChanged then
    nextMillis = prev
  end
  storeOffset = givenOffset
end

local jobId = "repeat:" .. schedulerId .. ":" .. fmt_int(nextMillis)
if redis.call("EXISTS", base .. jobId) == 1 then
  if not every then
    return -10
  end
  -- Finished iterations of an earlier scheduler with this id may hold a few
  -- slots in a row: look ahead a bounded number of intervals.
  local free = false
  for _ = 1, 32 do
    nextMillis = nextMillis + every
    jobId = "repeat:" .. schedulerId .. ":" .. fmt_int(nextMillis)
    if redis.call("EXISTS", base .. jobId) == 0 then
      free = true
      break
    end
  end
  if not free then
    return -11
  end
end

-- Rewrite the definition; the iteration count and (unless replaced) the offset survive.
local old = redis.call("HMGET", schedulerKey, "ic", "offset")
local fields = { "name", ARGV[8] }
local function optional(field, value)
  if value ~= nil and value ~= "" then
    fields[#fields + 1] = field
    fields[#fields + 1] = value
  end
end
optional("tz", ARGV[9])
optional("limit", ARGV[10])
optional("pattern", ARGV[11])
optional("startDate", ARGV[7])
optional("endDate", ARGV[12])
optional("every", ARGV[5])
if storeOffset then
  optional("offset", fmt_int(storeOffset))
else
  optional("offset", old[2])
end
if ARGV[14] ~= "{}" then
  optional("opts", ARGV[14])
end
if ARGV[13] ~= "{}" then
  optional("data", ARGV[13])
end
fields[#fields + 1] = "ic"
fields[#fields + 1] = old[1] or "1"
redis.call("DEL", schedulerKey)
redis.call("HSET", schedulerKey, unpack(fields))
redis.call("ZADD", repeatKey, fmt_int(nextMillis), schedulerId)

-- BullMQ counts every add in `id`, iterations included.
redis.call("INCR", idKey)
local delay = math.max(nextMillis - now, 0)
store_iteration(
  { wait = waitKey, active = activeKey, prioritized = prioritizedKey, pc = pcKey, delayed = delayedKey,
    marker = markerKey, events = eventsKey, meta = metaKey },
  { base = base, jobId = jobId, name = ARGV[8], data = ARGV[13], optsHead = ARGV[15], optsTail = ARGV[16],
    now = now, nowStr = nowStr, delay = delay, priority = tonumber(ARGV[17]) or 0, lifo = ARGV[18] == "1",
    schedulerId = schedulerId, maxEvents = maxEv },
  fmt_int(nextMillis))
return { jobId, delay }
