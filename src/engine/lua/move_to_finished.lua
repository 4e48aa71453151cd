--[[ move_to_finished: settle a batch of jobs a worker has finished, then
  optionally fetch its next jobs in the same call (BullMQ's moveToFinished,
  moveToDelayed and retryJob, batched; several transitions per round trip).

  For each finished job: check and release its lock, take it out of active,
  count the attempt (atm) and then, by kind:
    "c" completed: ZADD completed, HSET returnvalue + finishedOn, keep/trim.
    "f" failed for good: ZADD failed, HSET failedReason + stacktrace + finishedOn,
        HDEL defa, keep/trim.
    "d" retry later: HSET failedReason + stacktrace + delay, ZADD delayed.
    "w" retry now: HSET failedReason + stacktrace, back to wait/prioritized.
  keepCount 0 deletes the job instead of keeping it (removeOnComplete/Fail: true).
  A flow child ("p") then updates its parent (lua/lib/flow.lua): completed, it
  hands over its value and releases a parent with no other pending child;
  failed for good, the parent reacts as the child's failure flag says. A job
  with pending children cannot complete (-4), nor one with a child whose
  failure fails it (-9); its lock is kept and the worker fails it instead.

  KEYS[1] wait
  KEYS[2] active
  KEYS[3] prioritized
  KEYS[4] pc
  KEYS[5] delayed
  KEYS[6] marker
  KEYS[7] events
  KEYS[8] meta
  KEYS[9] limiter
  KEYS[10] stalled
  KEYS[11] completed
  KEYS[12] failed
  KEYS[13] metrics:completed
  KEYS[14] metrics:failed
  KEYS[15] id

  ARGV[1..9] as move_to_active (key base, now, wanted, token prefix, seq,
    lockDuration, limiter max, limiter duration, worker name); wanted 0 = no fetch
  ARGV[10] metrics: max data points (0 = no metrics)
  ARGV[11] number of finished jobs M; then M groups of 11 values:
    jobId, token, kind ("c"/"f"/"d"/"w"), value (returnvalue JSON or failedReason),
    stacktrace (JSON array, "" for completed), keepCount (-1 = keep all),
    keepAge (seconds, 0 = none), attempts (opts.attempts), retry delay (ms),
    flags ("l" = lifo, "d" = the job has a dedup id, "p" = a flow child), attemptsMade after this
    attempt (the worker read atm when it fetched the job and holds its lock, so
    it writes the new value instead of an HINCRBY)

  Returns: { codes, jobs, rateLimitTtl, nextDelayedMs }: codes has one integer per
    finished job: 0 done, -1 job missing, -2 lock missing, -6 lock held by
    another token, -3 job not in active, -4 pending children, -9 a child
    failed (failParentOnFailure). The rest is as move_to_active.
  Emits: completed, failed, retries-exhausted, delayed, waiting (prev active),
    drained, and move_to_active's events when fetching; on a parent's queue,
    waiting or delayed (prev waiting-children) when a child releases it.
]]
-- Globals read in loops, as locals (rcall is common.lua's redis.call).
local ARGV, tonumber = ARGV, tonumber
-- Lua in Redis parses and formats numbers through strtod/printf at a high price
-- (more than a simple command): nowStr and the other numeric ARGV go to Redis
-- as given, "-1"/"0" are compared as strings, and tonumber runs only where
-- arithmetic needs it.
local base, nowStr = ARGV[1], ARGV[2]
local now = tonumber(nowStr)
local waitKey, activeKey, prioritizedKey, pcKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local delayedKey, markerKey, eventsKey, metaKey = KEYS[5], KEYS[6], KEYS[7], KEYS[8]
local stalledKey, completedKey, failedKey = KEYS[10], KEYS[11], KEYS[12]

-- Removes what falls outside removeOnComplete/removeOnFail: older than keepAge
-- seconds (at most 1000 per call, as BullMQ), and beyond the newest keepCount.
local function trim_finished(setKey, keepCount, keepAge)
  -- A failed flow child may still be a pending dependency (no failure flag):
  -- it leaves its parent first. Completed children already have.
  local function drop(id)
    if setKey == failedKey then
      detach_from_parent(base .. id, nil, false, base)
    end
    remove_job_keys(base .. id)
  end
  if keepAge > 0 then
    local old = rcall("ZRANGEBYSCORE", setKey, 0, fmt_int(now - keepAge * 1000), "LIMIT", 0, 1000)
    if #old > 0 then
      for _, id in ipairs(old) do
        drop(id)
      end
      call_in_slices("ZREM", setKey, old)
    end
  end
  if keepCount > 0 then
    local extra = rcall("ZREVRANGE", setKey, keepCount, -1)
    if #extra > 0 then
      for _, id in ipairs(extra) do
        drop(id)
      end
      rcall("ZREMRANGEBYRANK", setKey, 0, -(keepCount + 1))
    end
  end
end

-- Per-minute counts, BullMQ's metrics layout: a HASH (count, prevTS, prevCount)
-- and a LIST of per-minute deltas, newest first.
local maxDataPoints = ARGV[10] ~= "0" and tonumber(ARGV[10]) or 0
local function collect_metrics(metricsKey)
  local previous = rcall("HINCRBY", metricsKey, "count", 1) - 1
  local prev = rcall("HMGET", metricsKey, "prevTS", "prevCount")
  if not prev[1] then
    rcall("HSET", metricsKey, "prevTS", now, "prevCount", 0)
    return
  end
  local n = math.min(math.floor(now / 60000) - math.floor(tonumber(prev[1]) / 60000), maxDataPoints)
  if n > 0 then
    local points = { previous - (tonumber(prev[2]) or 0) }
    for _ = 2, n do
      points[#points + 1] = 0
    end
    local dataKey = metricsKey .. ":data"
    call_in_slices("LPUSH", dataKey, points)
    rcall("LTRIM", dataKey, 0, maxDataPoints - 1)
    rcall("HSET", metricsKey, "prevCount", previous, "prevTS", now)
  end
end

local m = tonumber(ARGV[11])
-- One meta read for the whole call: what fetching needs, and the events cap.
-- Settling writes none of these fields (only a missing cap, below).
local meta = rcall("HMGET", metaKey, "paused", "concurrency", "max", "duration", "opts.maxLenEvents")

-- Several jobs: reads for the whole batch up front, every lock in one MGET and
-- one EXISTS over the completing jobs' pending-children keys. Only settling a
-- flow child can give another job of the batch children (fail_parent's
-- :unsuccessful), so with one in the batch each job is checked on its own turn
-- instead. A single job (concurrency 1) is read on its turn: batching costs
-- more Lua than it saves there.
local batch = m > 1
local lockKeys, depKeys = {}, {}
local anyChild = not batch
for i = 0, (batch and m or 0) - 1 do
  local o = 11 + i * 11
  if ARGV[o + 2] ~= "0" then
    lockKeys[#lockKeys + 1] = base .. ARGV[o + 1] .. ":lock"
  end
  if ARGV[o + 3] == "c" then
    depKeys[#depKeys + 1] = base .. ARGV[o + 1] .. ":dependencies"
    depKeys[#depKeys + 1] = base .. ARGV[o + 1] .. ":unsuccessful"
  end
  if ARGV[o + 10] ~= "" and string.find(ARGV[o + 10], "p", 1, true) then
    anyChild = true
  end
end
local locks = {}
for i = 1, #lockKeys, 1000 do
  local part = rcall("MGET", unpack(lockKeys, i, math.min(i + 999, #lockKeys)))
  for j = 1, #part do
    locks[#locks + 1] = part[j]
  end
end
local mayHaveChildren = anyChild
for i = 1, #depKeys, 1000 do
  if not mayHaveChildren then
    mayHaveChildren = rcall("EXISTS", unpack(depKeys, i, math.min(i + 999, #depKeys))) > 0
  end
end

-- Finished jobs kept without trimming go into completed/failed in one ZADD per
-- set (all at score now). Anything that reads those sets (trimming, a flow
-- parent's failed check) or that may (deduplication) flushes them first.
local pendingCompleted, pendingFailed = {}, {}
local function flush_done()
  if #pendingCompleted > 0 then
    call_in_slices("ZADD", completedKey, pendingCompleted)
    pendingCompleted = {}
  end
  if #pendingFailed > 0 then
    call_in_slices("ZADD", failedKey, pendingFailed)
    pendingFailed = {}
  end
end

local codes = {}
local released = {}
local releasedLocks = {}
local releasedIds = {}
local lockAt = 0
local maxEv = nil
local trimPending = false
local readyAdded = false
local delayedAdded = false
for i = 0, m - 1 do
  local o = 11 + i * 11
  local jobId, token, kind, value, stack = ARGV[o + 1], ARGV[o + 2], ARGV[o + 3], ARGV[o + 4], ARGV[o + 5]
  local keepCount, keepAge = ARGV[o + 6], ARGV[o + 7]
  keepCount = (keepCount == "-1" and -1) or (keepCount == "0" and 0) or tonumber(keepCount)
  keepAge = (keepAge == "0" and 0) or tonumber(keepAge)
  local retryDelay, flags, atmStr = ARGV[o + 9], ARGV[o + 10], ARGV[o + 11]
  local lifo, hasDedup, hasParent = false, false, false
  if flags ~= "" then
    lifo = string.find(flags, "l", 1, true) ~= nil
    hasDedup = string.find(flags, "d", 1, true) ~= nil
    hasParent = string.find(flags, "p", 1, true) ~= nil
  end
  local jobKey = base .. jobId
  local code = 0
  -- A job that still waits for children cannot complete (checked before its
  -- lock is released, so the worker can still fail it).
  if kind == "c" and mayHaveChildren
      and rcall("EXISTS", jobKey .. ":dependencies", jobKey .. ":unsuccessful") > 0 then
    if rcall("SCARD", jobKey .. ":dependencies") > 0 then
      code = -4
    elseif rcall("ZCARD", jobKey .. ":unsuccessful") > 0 then
      code = -9
    end
  end
  -- The lock doubles as the existence check: only a missing lock needs EXISTS.
  -- Released locks go in one DEL after the batch (before fetching, which may
  -- lock a retried job again); a job listed twice finds its lock gone.
  local lock, lockKey = false, nil
  if token ~= "0" and batch then
    lockAt = lockAt + 1
    lockKey = lockKeys[lockAt]
    lock = not releasedIds[jobId] and locks[lockAt]
  elseif token ~= "0" then
    lockKey = jobKey .. ":lock"
    lock = rcall("GET", lockKey)
  end
  if code ~= 0 then
    -- Refused above; the lock stays.
  elseif token ~= "0" then
    if lock == token then
      releasedLocks[#releasedLocks + 1] = lockKey
      released[#released + 1] = jobId
      releasedIds[jobId] = true
    elseif lock then
      code = -6
    elseif rcall("EXISTS", jobKey) == 0 then
      code = -1
    else
      code = -2
    end
  elseif rcall("EXISTS", jobKey) == 0 then
    code = -1
  end
  if code == 0 and rcall("LREM", activeKey, "-1", jobId) == 0 then
    code = -3
  end
  if code == 0 then
    if not maxEv then
      -- The cap as stored (as BullMQ passes it); its default written when missing.
      maxEv = meta[5]
      if not maxEv then
        maxEv = "10000"
        rcall("HSET", metaKey, "opts.maxLenEvents", maxEv)
      end
      -- The call's first event XADD carries the cap (no separate XTRIM: BullMQ
      -- trims once per finished job, ferroq once per call).
      trimPending = true
    end
    if kind == "c" or kind == "f" then
      local trims = keepCount > 0 or keepAge > 0
      if hasDedup or hasParent or trims then
        flush_done()
      end
      -- A finished job no longer owns its dedup id, unless a TTL still runs; a
      -- job held back meanwhile (keepLastIfActive) is created now.
      local deid = hasDedup and rcall("HGET", jobKey, "deid")
      if deid then
        local deKey = base .. "de:" .. deid
        if rcall("PTTL", deKey) == -1 and rcall("GET", deKey) == jobId then
          rcall("DEL", deKey)
        end
        local nextJob = rcall("HMGET", base .. "dn:" .. deid, "name", "data", "opts", "jid")
        if nextJob[4] then
          rcall("DEL", base .. "dn:" .. deid)
          rcall("INCR", KEYS[15])
          local nid = nextJob[4]
          local ok, nopts = pcall(cjson.decode, nextJob[3] or "{}")
          if not ok or type(nopts) ~= "table" then
            nopts = {}
          end
          local ndelay = tonumber(nopts["delay"]) or 0
          local npriority = tonumber(nopts["priority"]) or 0
          rcall("HSET", base .. nid, "name", nextJob[1], "data", nextJob[2], "opts", nextJob[3] or "{}",
            "timestamp", now, "delay", ndelay, "priority", npriority, "deid", deid)
          rcall("SET", deKey, nid)
          rcall("XADD", eventsKey, "*", "event", "added", "jobId", nid, "name", nextJob[1])
          if ndelay > 0 then
            rcall("ZADD", delayedKey, delayed_score(delayedKey, now + ndelay), nid)
            rcall("XADD", eventsKey, "MAXLEN", "~", maxEv, "*", "event", "delayed", "jobId", nid,
              "delay", fmt_int(now + ndelay))
            delayedAdded = true
          else
            enqueue_ready(waitKey, prioritizedKey, pcKey, nid, npriority, nopts["lifo"] == true)
            rcall("XADD", eventsKey, "MAXLEN", "~", maxEv, "*", "event", "waiting", "jobId", nid)
            readyAdded = true
          end
        end
      end
      -- A flow child hands its result to its parent (lua/lib/flow.lua).
      local parentKey = nil
      if hasParent then
        local p = rcall("HMGET", jobKey, "parentKey", "parent")
        parentKey = p[1]
        if parentKey and kind == "c" then
          child_completed(jobKey, parentKey, p[2], value, now)
        elseif parentKey then
          child_failed(jobKey, parentKey, p[2], value, now)
        end
      end
      local setKey, field = completedKey, "returnvalue"
      if kind == "f" then
        setKey, field = failedKey, "failedReason"
      end
      if keepCount == 0 then
        if parentKey then
          -- Still pending (failed without a flag): the parent stops waiting for it.
          detach_from_parent(jobKey, parentKey, false, base)
        end
        remove_job_keys(jobKey)
      else
        if trims or not batch then
          rcall("ZADD", setKey, nowStr, jobId)
        else
          local pend = kind == "c" and pendingCompleted or pendingFailed
          pend[#pend + 1] = nowStr
          pend[#pend + 1] = jobId
        end
        if kind == "c" then
          rcall("HSET", jobKey, "returnvalue", value, "finishedOn", nowStr, "atm", atmStr)
        else
          rcall("HSET", jobKey, "failedReason", value, "stacktrace", stack, "finishedOn", nowStr, "atm", atmStr)
          rcall("HDEL", jobKey, "defa")
        end
        if trims then
          trim_finished(setKey, keepCount, keepAge)
        end
      end
      local event = kind == "c" and "completed" or "failed"
      if trimPending then
        rcall("XADD", eventsKey, "MAXLEN", "~", maxEv, "*", "event", event, "jobId", jobId, field, value,
          "prev", "active")
      else
        rcall("XADD", eventsKey, "*", "event", event, "jobId", jobId, field, value, "prev", "active")
      end
      trimPending = false
      if kind == "f" and tonumber(atmStr) >= tonumber(ARGV[o + 8]) then
        rcall("XADD", eventsKey, "*", "event", "retries-exhausted", "jobId", jobId, "attemptsMade", atmStr)
      end
      if maxDataPoints > 0 then
        collect_metrics(kind == "c" and KEYS[13] or KEYS[14])
      end
    elseif kind == "d" then
      local due = now + tonumber(retryDelay)
      rcall("HSET", jobKey, "failedReason", value, "stacktrace", stack, "delay", retryDelay, "atm", atmStr)
      rcall("ZADD", delayedKey, delayed_score(delayedKey, due), jobId)
      rcall("XADD", eventsKey, "MAXLEN", "~", maxEv, "*", "event", "delayed", "jobId", jobId,
        "delay", fmt_int(due))
      trimPending = false
      delayedAdded = true
    else
      rcall("HSET", jobKey, "failedReason", value, "stacktrace", stack, "atm", atmStr)
      local priority = tonumber(rcall("HGET", jobKey, "priority")) or 0
      enqueue_ready(waitKey, prioritizedKey, pcKey, jobId, priority, lifo)
      rcall("XADD", eventsKey, "MAXLEN", "~", maxEv, "*", "event", "waiting", "jobId", jobId,
        "prev", "active")
      trimPending = false
      readyAdded = true
    end
  end
  codes[#codes + 1] = code
end

flush_done()
if #releasedLocks == 1 then
  rcall("DEL", releasedLocks[1])
end
for i = 1, #releasedLocks > 1 and #releasedLocks or 0, 1000 do
  rcall("DEL", unpack(releasedLocks, i, math.min(i + 999, #releasedLocks)))
end
-- Released jobs are no longer stalled suspects (one SREM for the batch).
if #released > 0 then
  call_in_slices("SREM", stalledKey, released)
end

-- Paused or maxed, from the meta read above.
if readyAdded and not (meta[1] or (meta[2] and rcall("LLEN", activeKey) >= tonumber(meta[2]))) then
  rcall("ZADD", markerKey, "0", "0")
end
if delayedAdded then
  add_delay_marker(markerKey, delayedKey)
end

local fetched = fetch_jobs(base, nowStr, ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8], ARGV[9], meta)
if m > 0 and #fetched[1] == 0 and fetched[2] == 0 and rcall("LLEN", waitKey) == 0
    and rcall("LLEN", activeKey) == 0 and rcall("ZCARD", prioritizedKey) == 0 then
  rcall("XADD", eventsKey, "*", "event", "drained")
end
return { codes, fetched[1], fetched[2], fetched[3] }
