-- Shared by the job-scheduler transitions (add_job_scheduler, update_job_scheduler).
-- Composed after common.lua, whose helpers it uses.

-- The next run of an `every` scheduler and the offset it keeps.
--   prev: the current iteration's millis, or nil for a scheduler that has none
--   offset: the stored/given offset (nil or 0 = derive it from the result)
--   startDate: ms, or nil
-- Without a previous run the first one is now (or startDate, or the next slot
-- `k * every + offset` after now when an offset is given). Otherwise it is one
-- interval after the previous run; when that moment has already passed (the
-- queue was down), it skips to the next slot after now instead of running
-- every missed interval. The offset returned is where runs sit within a slot.
local function every_next_millis(prev, every, now, offset, startDate)
  offset = tonumber(offset)
  startDate = tonumber(startDate)
  local slotStart = math.floor(now / every) * every
  local nextMillis
  if prev then
    nextMillis = prev + every
    if nextMillis < now then
      nextMillis = slotStart + (offset or 0)
      if nextMillis <= now then
        nextMillis = nextMillis + every
      end
    end
  elseif startDate then
    nextMillis = math.max(startDate, now)
  elseif offset and offset > 0 then
    nextMillis = slotStart + offset
    if nextMillis <= now then
      nextMillis = nextMillis + every
    end
  else
    nextMillis = now
  end
  if not offset or offset == 0 then
    offset = nextMillis - math.floor(nextMillis / every) * every
  end
  return math.floor(nextMillis), math.floor(offset)
end

-- Stores one iteration `repeat:<schedulerId>:<millis>` and puts it in line:
-- delayed when due later, else prioritized or wait (with the wake-up marker
-- unless the queue is paused or at its global concurrency).
--   keys: { wait, active, prioritized, pc, delayed, marker, events, meta }
--   it: { base, jobId, name, data, optsHead, optsTail, now, nowStr, delay,
--         priority, lifo, schedulerId, maxEvents }
-- The stored opts JSON is spliced from the caller's JSON, which lacks only the
-- two values decided here: `{"jobId":"<id>","delay":<ms>,` .. optsTail
-- (optsHead is the JSON-escaped "repeat:<schedulerId>:").
local function store_iteration(keys, it, millisStr)
  local jobKey = it.base .. it.jobId
  local opts = '{"jobId":"' .. it.optsHead .. millisStr .. '","delay":' .. fmt_int(it.delay)
  if it.optsTail == "}" then
    opts = opts .. "}"
  else
    opts = opts .. "," .. it.optsTail
  end
  redis.call("HSET", jobKey, "name", it.name, "data", it.data, "opts", opts, "timestamp", it.nowStr,
    "delay", fmt_int(it.delay), "priority", it.priority, "rjk", it.schedulerId)
  redis.call("XADD", keys.events, "*", "event", "added", "jobId", it.jobId, "name", it.name)
  if it.delay > 0 then
    local due = it.now + it.delay
    redis.call("ZADD", keys.delayed, delayed_score(keys.delayed, due), it.jobId)
    redis.call("XADD", keys.events, "MAXLEN", "~", it.maxEvents, "*", "event", "delayed", "jobId", it.jobId,
      "delay", fmt_int(due))
    add_delay_marker(keys.marker, keys.delayed)
  else
    enqueue_ready(keys.wait, keys.prioritized, keys.pc, it.jobId, it.priority, it.lifo)
    if not paused_or_maxed(keys.meta, keys.active) then
      redis.call("ZADD", keys.marker, 0, "0")
    end
    redis.call("XADD", keys.events, "MAXLEN", "~", it.maxEvents, "*", "event", "waiting", "jobId", it.jobId)
  end
end
