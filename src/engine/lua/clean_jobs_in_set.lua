--[[ clean_jobs_in_set: remove jobs of one state older than a cutoff (BullMQ's
  cleanJobsInSet). Locked active jobs and current scheduler iterations are kept.
  A removed flow child leaves its parent (delete_flow_job, lua/lib/flow.lua).

  KEYS[1] the state's key (ZSET for completed/failed/delayed/prioritized/
          waiting-children, LIST for wait/paused/active)
  KEYS[2] events
  KEYS[3] meta
  KEYS[4] repeat

  ARGV[1] key base
  ARGV[2] state name
  ARGV[3] cutoff (ms): jobs at or before it are removed
  ARGV[4] at most this many (1..10000)

  Returns: the removed ids.
  Emits: cleaned (count).
]]
local setKey, eventsKey, metaKey, repeatKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local base, state, cutoff, limit = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local removed = {}

-- The time a job counts as "done" for cleaning: finishedOn, else processedOn, else timestamp.
local function job_time(jobId, fields)
  local t = redis.call("HMGET", base .. jobId, unpack(fields))
  for _, v in ipairs(t) do
    if v then
      return tonumber(v)
    end
  end
  return nil
end

local function keep(jobId)
  return is_current_scheduler_job(base, repeatKey, jobId)
end

if state == "completed" or state == "failed" or state == "waiting-children" then
  local offset = 0
  while #removed < limit do
    local ids = redis.call("ZRANGEBYSCORE", setKey, 0, fmt_int(cutoff), "LIMIT", offset, limit - #removed)
    if #ids == 0 then
      break
    end
    for _, jobId in ipairs(ids) do
      if keep(jobId) then
        offset = offset + 1
      else
        delete_flow_job(base, jobId)
        redis.call("ZREM", setKey, jobId)
        removed[#removed + 1] = jobId
      end
    end
  end
elseif state == "delayed" or state == "prioritized" then
  local fields = { "processedOn", "timestamp" }
  if state == "prioritized" then
    fields = { "timestamp" }
  end
  local ids = redis.call("ZRANGE", setKey, 0, -1)
  for _, jobId in ipairs(ids) do
    if #removed >= limit then
      break
    end
    local t = job_time(jobId, fields)
    if (t == nil or t <= cutoff) and not keep(jobId) then
      delete_flow_job(base, jobId)
      redis.call("ZREM", setKey, jobId)
      removed[#removed + 1] = jobId
    end
  end
else
  -- Lists: oldest entries sit at the tail.
  local ids = redis.call("LRANGE", setKey, 0, -1)
  for i = #ids, 1, -1 do
    if #removed >= limit then
      break
    end
    local jobId = ids[i]
    local t = job_time(jobId, { "finishedOn", "processedOn", "timestamp" })
    local locked = state == "active" and redis.call("EXISTS", base .. jobId .. ":lock") == 1
    if (t == nil or t <= cutoff) and not locked and not keep(jobId) then
      delete_flow_job(base, jobId)
      redis.call("LREM", setKey, 1, jobId)
      removed[#removed + 1] = jobId
    end
  end
end

redis.call("XADD", eventsKey, "MAXLEN", "~", max_events(metaKey), "*", "event", "cleaned", "count", #removed)
return removed
