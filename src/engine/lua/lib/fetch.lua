-- Moving ready jobs into active for one worker (BullMQ's "move to active",
-- several jobs per call). Expects the fixed queue KEYS layout of the fetching
-- scripts: 1 wait, 2 active, 3 prioritized, 4 pc, 5 delayed, 6 marker, 7 events,
-- 8 meta, 9 limiter.
--
-- fetch_jobs returns { jobs, rateLimitTtl, nextDelayedMs }.

-- Pops up to n ready ids in the order n single moves would take them: wait from
-- its tail first (read with LRANGE and cut with LTRIM: RPOP's count needs Redis
-- 6.2), then prioritized lowest score first, and pushes them onto active's head
-- in that order (the list RPOPLPUSH would leave). Marker ids of BullMQ < 5
-- ("0:...") are dropped. When fewer than n were ready, pc is reset as an empty
-- ZPOPMIN does.
local function take_ready(waitKey, activeKey, prioritizedKey, pcKey, n)
  local ids = {}
  while #ids < n do
    local want = n - #ids
    local got = rcall("LRANGE", waitKey, -want, "-1")
    if #got == 0 then
      break
    end
    rcall("LTRIM", waitKey, "0", -(#got + 1))
    for j = #got, 1, -1 do
      if string.sub(got[j], 1, 2) ~= "0:" then
        ids[#ids + 1] = got[j]
      end
    end
    if #got < want then
      break
    end
  end
  if #ids < n then
    local popped = rcall("ZPOPMIN", prioritizedKey, n - #ids)
    for i = 1, #popped, 2 do
      ids[#ids + 1] = popped[i]
    end
    if #ids < n then
      rcall("DEL", pcKey)
    end
  end
  if #ids > 0 then
    call_in_slices("LPUSH", activeKey, ids)
  end
  return ids
end

-- Locks a job just moved to active, emits `active` and reads its hash, then
-- writes processedOn and the next attemptsStarted in one HSET (instead of an
-- HINCRBY and an HSET). Appends (jobId, token, hash as read) to jobs: the caller
-- adds processedOn = now and ats + 1 itself. (Lua here formats numbers through
-- printf at a high price: a new job's ats goes out as the literal "1".)
local function start_job(jobs, base, jobId, token, lockDuration, eventsKey, nowStr, workerName)
  local jobKey = base .. jobId
  if token ~= "0" then
    rcall("SET", jobKey .. ":lock", token, "PX", lockDuration)
  end
  rcall("XADD", eventsKey, "*", "event", "active", "jobId", jobId, "prev", "waiting")
  local fields = rcall("HGETALL", jobKey)
  local nextAts = "1"
  for f = 1, #fields, 2 do
    if fields[f] == "ats" then
      nextAts = string.format("%d", (tonumber(fields[f + 1]) or 0) + 1)
      break
    end
  end
  if workerName ~= "" then
    rcall("HSET", jobKey, "processedOn", nowStr, "ats", nextAts, "pb", workerName)
  else
    rcall("HSET", jobKey, "processedOn", nowStr, "ats", nextAts)
  end
  jobs[#jobs + 1] = jobId
  jobs[#jobs + 1] = token
  jobs[#jobs + 1] = fields
end

-- Returns { jobs, rateLimitTtl, nextDelayedMs } where jobs is a flat list of
-- (jobId, lockToken, HGETALL-array) triples; each hash is as it was read just
-- before processedOn/ats/pb were written (the caller applies those).
-- Numeric arguments come as the ARGV strings (see move_to_active's header);
-- meta: the queue meta's { paused, concurrency, max, duration } as the caller
-- already read them in this call, or nil to read them here.
local function fetch_jobs(base, nowStr, wantedStr, tokenPrefix, seqStr, lockDuration, limMaxStr, limDurationStr,
                          workerName, meta)
  local waitKey, activeKey, prioritizedKey, pcKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
  local delayedKey, markerKey, eventsKey, metaKey, limiterKey = KEYS[5], KEYS[6], KEYS[7], KEYS[8], KEYS[9]

  meta = meta or rcall("HMGET", metaKey, "paused", "concurrency", "max", "duration")
  local concurrency = meta[2] and tonumber(meta[2])
  local blocked = meta[1] ~= false
  if not blocked and concurrency then
    blocked = rcall("LLEN", activeKey) >= concurrency
  end

  -- Due delayed jobs are promoted even when paused or rate limited. The
  -- earliest one tells whether any is due (and, unless some were promoted, the
  -- next due time returned below).
  local firstDelayed = rcall("ZRANGE", delayedKey, "0", "0", "WITHSCORES")
  if firstDelayed[2] then
    local now = tonumber(nowStr)
    if tonumber(firstDelayed[2]) < (now + 1) * 4096
        and promote_due(delayedKey, waitKey, prioritizedKey, pcKey, eventsKey, base, now) > 0 then
      firstDelayed = nil
      if not blocked then
        rcall("ZADD", markerKey, "0", "0")
      end
    end
  end

  -- max prefers the queue-wide meta value, duration prefers the worker's (as BullMQ).
  local maxJobs = meta[3] and tonumber(meta[3])
  if not maxJobs and limMaxStr ~= "0" then
    local limMax = tonumber(limMaxStr)
    if limMax > 0 then
      maxJobs = limMax
    end
  end
  if maxJobs then
    local used = tonumber(rcall("GET", limiterKey) or "0")
    if used >= maxJobs then
      local ttl = rcall("PTTL", limiterKey)
      if ttl > 0 then
        return { {}, ttl, 0 }
      end
      rcall("DEL", limiterKey)
    end
  end
  local wanted = tonumber(wantedStr)
  if blocked or wanted <= 0 then
    return { {}, 0, 0 }
  end

  local jobs = {}
  local taken = 0
  -- Token n of this call: "<prefix>:<seq + n>"; seq < 0 (or prefix "0"): the
  -- prefix is the whole token (a caller's own, BullMQ's getNextJob(token)).
  local seq = -1
  if tokenPrefix ~= "0" then
    seq = tonumber(seqStr)
  end
  local function token_for(n)
    if seq < 0 then
      return tokenPrefix
    end
    return string.format("%s:%d", tokenPrefix, seq + n)
  end
  if not concurrency and not maxJobs and wanted > 1 then
    -- Nothing caps the take: pop the whole batch at once.
    local ids = take_ready(waitKey, activeKey, prioritizedKey, pcKey, wanted)
    for i, jobId in ipairs(ids) do
      start_job(jobs, base, jobId, token_for(i), lockDuration, eventsKey, nowStr, workerName)
    end
    taken = #ids
  else
    while taken < wanted do
      if concurrency and taken > 0 and rcall("LLEN", activeKey) >= concurrency then
        break
      end
      local jobId = rcall("RPOPLPUSH", waitKey, activeKey)
      if jobId and string.sub(jobId, 1, 2) == "0:" then
        -- A marker id left by BullMQ < 5: drop it and look again.
        rcall("LREM", activeKey, "1", jobId)
      else
        if not jobId then
          local p = rcall("ZPOPMIN", prioritizedKey)
          if p[1] then
            jobId = p[1]
            rcall("LPUSH", activeKey, jobId)
          else
            rcall("DEL", pcKey)
            break
          end
        end
        local limited = false
        if maxJobs and rcall("HEXISTS", base .. jobId, "defa") == 0 then
          local used = rcall("INCR", limiterKey)
          if used == 1 then
            local duration = tonumber(limDurationStr)
            if duration <= 0 then
              duration = tonumber(meta[4]) or 0
            end
            rcall("PEXPIRE", limiterKey, math.floor(math.abs(duration)))
          end
          limited = used >= maxJobs
        end
        taken = taken + 1
        start_job(jobs, base, jobId, token_for(taken), lockDuration, eventsKey, nowStr, workerName)
        if limited then
          break
        end
      end
    end
  end

  -- Chain the wake-up to the next blocked worker, but only while work remains:
  -- a marker over an empty queue only costs every idle worker a wake-up and an
  -- empty fetch (BullMQ adds it unconditionally; both behaviours are safe).
  if taken > 0 and (rcall("LLEN", waitKey) > 0 or rcall("ZCARD", prioritizedKey) > 0) then
    rcall("ZADD", markerKey, "0", "0")
  end
  local nextDelayed = 0
  if taken < wanted then
    -- Fetching adds nothing to delayed: the first read stands unless promoting changed it.
    local first = firstDelayed or rcall("ZRANGE", delayedKey, "0", "0", "WITHSCORES")
    if first[2] then
      nextDelayed = math.floor(tonumber(first[2]) / 4096)
    end
  end
  return { jobs, 0, nextDelayed }
end
