--[[ move_stalled_jobs_to_wait: the periodic stalled-job check (BullMQ's
  moveStalledJobsToWait). Jobs that were in active at the previous check and have
  lost their lock since are moved back to the front of wait; past
  maxStalledCount they get a deferred failure ("defa") and fail when fetched,
  except iterations of a live job scheduler, which are always recovered.
  Only one worker per stalledInterval runs the check (guarded by stalled-check).

  KEYS[1] stalled
  KEYS[2] wait
  KEYS[3] active
  KEYS[4] stalled-check
  KEYS[5] meta
  KEYS[6] marker
  KEYS[7] events

  ARGV[1] key base
  ARGV[2] maxStalledCount
  ARGV[3] now (ms)
  ARGV[4] stalledInterval (ms)

  Returns: the ids moved back to wait (empty when another worker ran the check).
  Emits: waiting (prev active), stalled.
]]
local stalledKey, waitKey, activeKey, checkKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local metaKey, markerKey, eventsKey = KEYS[5], KEYS[6], KEYS[7]
local base, maxStalled = ARGV[1], tonumber(ARGV[2])

if redis.call("EXISTS", checkKey) == 1 then
  return {}
end
redis.call("SET", checkKey, ARGV[3], "PX", ARGV[4])
redis.call("XTRIM", eventsKey, "MAXLEN", "~", max_events(metaKey))

-- An iteration of a job scheduler that still exists is recovered however
-- often it stalls (BullMQ never fails it for stalling).
local function of_live_scheduler(jobKey)
  local rjk = redis.call("HGET", jobKey, "rjk")
  if not rjk then
    return false
  end
  local repeatKey = base .. "repeat"
  return redis.call("EXISTS", repeatKey .. ":" .. rjk) == 1 or redis.call("ZSCORE", repeatKey, rjk) ~= false
end

local moved = {}
local suspects = redis.call("SMEMBERS", stalledKey)
if #suspects > 0 then
  redis.call("DEL", stalledKey)
  for _, jobId in ipairs(suspects) do
    if string.sub(jobId, 1, 2) == "0:" then
      redis.call("LREM", activeKey, 1, jobId)
    else
      local jobKey = base .. jobId
      if redis.call("EXISTS", jobKey .. ":lock") == 0 and redis.call("LREM", activeKey, 1, jobId) > 0 then
        local stc = redis.call("HINCRBY", jobKey, "stc", 1)
        if stc > maxStalled and not of_live_scheduler(jobKey) then
          redis.call("HSET", jobKey, "defa", "job stalled more than allowable limit")
        end
        redis.call("RPUSH", waitKey, jobId)
        redis.call("XADD", eventsKey, "*", "event", "waiting", "jobId", jobId, "prev", "active")
        redis.call("XADD", eventsKey, "*", "event", "stalled", "jobId", jobId)
        moved[#moved + 1] = jobId
      end
    end
  end
  if #moved > 0 and not paused_or_maxed(metaKey, activeKey) then
    redis.call("ZADD", markerKey, 0, "0")
  end
end

-- Everything active now is a suspect until its lock is renewed or it finishes.
local active = redis.call("LRANGE", activeKey, 0, -1)
call_in_slices("SADD", stalledKey, active)
return moved
