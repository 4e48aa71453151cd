-- Moving ready jobs into active for one worker (BullMQ's "move to active",
-- several jobs per call). Expects the fixed queue KEYS layout of the fetching
-- scripts: 1 wait, 2 active, 3 prioritized, 4 pc, 5 delayed, 6 marker, 7 events,
-- 8 meta, 9 limiter.
--
-- Returns { jobs, rateLimitTtl, nextDelayedMs } where jobs is a flat list of
-- (jobId, lockToken, HGETALL-array) triples; each hash is as it was read just
-- before processedOn/ats/pb were written (the caller applies those).
local function fetch_jobs(base, nowStr, wanted, tokenPrefix, seq, lockDuration, limMax, limDuration, workerName)
  local now = tonumber(nowStr)
  local waitKey, activeKey, prioritizedKey, pcKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
  local delayedKey, markerKey, eventsKey, metaKey, limiterKey = KEYS[5], KEYS[6], KEYS[7], KEYS[8], KEYS[9]

  local meta = redis.call("HMGET", metaKey, "paused", "concurrency", "max", "duration")
  local concurrency = tonumber(meta[2])
  local blocked = meta[1] ~= false
  if not blocked and concurrency then
    blocked = redis.call("LLEN", activeKey) >= concurrency
  end

  -- Due delayed jobs are promoted even when paused or rate limited.
  if promote_due(delayedKey, waitKey, prioritizedKey, pcKey, eventsKey, base, now) > 0 and not blocked then
    redis.call("ZADD", markerKey, 0, "0")
  end

  -- max prefers the queue-wide meta value, duration prefers the worker's (as BullMQ).
  local maxJobs = tonumber(meta[3])
  if not maxJobs and limMax > 0 then
    maxJobs = limMax
  end
  local duration = limDuration
  if duration <= 0 then
    duration = tonumber(meta[4]) or 0
  end
  if maxJobs then
    local used = tonumber(redis.call("GET", limiterKey) or "0")
    if used >= maxJobs then
      local ttl = redis.call("PTTL", limiterKey)
      if ttl > 0 then
        return { {}, ttl, 0 }
      end
      redis.call("DEL", limiterKey)
    end
  end
  if blocked or wanted <= 0 then
    return { {}, 0, 0 }
  end

  local jobs = {}
  local taken = 0
  while taken < wanted do
    if concurrency and taken > 0 and redis.call("LLEN", activeKey) >= concurrency then
      break
    end
    local jobId = redis.call("RPOPLPUSH", waitKey, activeKey)
    if jobId and string.sub(jobId, 1, 2) == "0:" then
      -- A marker id left by BullMQ < 5: drop it and look again.
      redis.call("LREM", activeKey, 1, jobId)
    else
      if not jobId then
        local p = redis.call("ZPOPMIN", prioritizedKey)
        if p[1] then
          jobId = p[1]
          redis.call("LPUSH", activeKey, jobId)
        else
          redis.call("DEL", pcKey)
          break
        end
      end
      local jobKey = base .. jobId
      local limited = false
      if maxJobs and redis.call("HEXISTS", jobKey, "defa") == 0 then
        local used = redis.call("INCR", limiterKey)
        if used == 1 then
          redis.call("PEXPIRE", limiterKey, math.floor(math.abs(duration)))
        end
        limited = used >= maxJobs
      end
      taken = taken + 1
      local token = "0"
      if tokenPrefix ~= "0" then
        -- seq < 0: the prefix is the whole token (a caller's own, BullMQ's getNextJob(token)).
        token = seq < 0 and tokenPrefix or (tokenPrefix .. ":" .. (seq + taken))
        redis.call("SET", jobKey .. ":lock", token, "PX", lockDuration)
      end
      redis.call("XADD", eventsKey, "*", "event", "active", "jobId", jobId, "prev", "waiting")
      -- Read the hash first, then write processedOn and the next attemptsStarted
      -- in one HSET (instead of an HINCRBY and an HSET). The reply is the hash
      -- as read: the caller adds processedOn = now and ats + 1 itself.
      local fields = redis.call("HGETALL", jobKey)
      local ats = 0
      for f = 1, #fields, 2 do
        if fields[f] == "ats" then
          ats = tonumber(fields[f + 1]) or 0
          break
        end
      end
      if workerName ~= "" then
        redis.call("HSET", jobKey, "processedOn", nowStr, "ats", ats + 1, "pb", workerName)
      else
        redis.call("HSET", jobKey, "processedOn", nowStr, "ats", ats + 1)
      end
      jobs[#jobs + 1] = jobId
      jobs[#jobs + 1] = token
      jobs[#jobs + 1] = fields
      if limited then
        break
      end
    end
  end

  -- Chain the wake-up to the next blocked worker, but only while work remains:
  -- a marker over an empty queue only costs every idle worker a wake-up and an
  -- empty fetch (BullMQ adds it unconditionally; both behaviours are safe).
  if taken > 0 and (redis.call("LLEN", waitKey) > 0 or redis.call("ZCARD", prioritizedKey) > 0) then
    redis.call("ZADD", markerKey, 0, "0")
  end
  local nextDelayed = 0
  if taken < wanted then
    local first = redis.call("ZRANGE", delayedKey, 0, 0, "WITHSCORES")
    if first[2] then
      nextDelayed = math.floor(tonumber(first[2]) / 4096)
    end
  end
  return { jobs, 0, nextDelayed }
end
