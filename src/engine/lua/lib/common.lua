-- Shared local functions. build.rs puts in front of each transition script the
-- definitions of lua/lib/ it uses (see scripts.rs). Nothing here touches Redis
-- unless called.

-- redis.call as a local: each `redis.call` costs a global and a field lookup,
-- which the hot scripts (add_jobs, fetching, move_to_finished) save per call.
local rcall = redis.call

-- Lua turns numbers into strings with 14 significant digits, which would corrupt
-- BullMQ's 16-digit delayed/prioritized scores. Every score goes through this.
local function fmt_int(n)
  return string.format("%.0f", n)
end

-- The approximate cap of the events stream; writes BullMQ's default (10000) into
-- meta when missing, as BullMQ's scripts do.
local function max_events(metaKey)
  local n = redis.call("HGET", metaKey, "opts.maxLenEvents")
  if n then
    return tonumber(n)
  end
  redis.call("HSET", metaKey, "opts.maxLenEvents", 10000)
  return 10000
end

-- redis.call(cmd, key, items...) in slices of 1000 items, in order (so LPUSH
-- and RPUSH leave the same list as one call would): unpack() gives Lua 5.1 at
-- most about 8000 values, and lists sized by a caller's count can be longer.
local function call_in_slices(cmd, key, items)
  for i = 1, #items, 1000 do
    redis.call(cmd, key, unpack(items, i, math.min(i + 999, #items)))
  end
end

-- "Paused or maxed": meta.paused exists, or a global concurrency is set and reached.
local function paused_or_maxed(metaKey, activeKey)
  local m = redis.call("HMGET", metaKey, "paused", "concurrency")
  if m[1] then
    return true
  end
  if m[2] then
    return redis.call("LLEN", activeKey) >= tonumber(m[2])
  end
  return false
end

-- Delayed score = due ms * 4096 + a sequence, so up to 4096 jobs due in the same
-- millisecond keep FIFO order.
local function delayed_score(delayedKey, dueMs)
  local minScore = dueMs * 4096
  local maxScore = (dueMs + 1) * 4096 - 1
  local last = redis.call("ZREVRANGEBYSCORE", delayedKey, fmt_int(maxScore), fmt_int(minScore),
    "WITHSCORES", "LIMIT", 0, 1)
  if last[2] then
    return fmt_int(math.min(tonumber(last[2]) + 1, maxScore))
  end
  return fmt_int(minScore)
end

-- Prioritized score = priority * 2^32 + counter, FIFO within one priority.
local function prioritized_score(pcKey, priority)
  local c = redis.call("INCR", pcKey)
  return fmt_int(priority * 4294967296 + (c % 4294967296))
end

-- Marker "1" carries the earliest delayed due time (ms, with the sub-ms bits as a
-- fraction) so that a blocked worker wakes when it is due.
local function add_delay_marker(markerKey, delayedKey)
  local first = redis.call("ZRANGE", delayedKey, 0, 0, "WITHSCORES")
  if first[2] then
    redis.call("ZADD", markerKey, string.format("%.17g", tonumber(first[2]) / 4096), "1")
  end
end

-- Puts a ready job in line: prioritized when it has a priority, otherwise the
-- back (LPUSH) or, for LIFO, the front (RPUSH) of wait.
local function enqueue_ready(waitKey, prioritizedKey, pcKey, jobId, priority, lifo)
  if priority > 0 then
    redis.call("ZADD", prioritizedKey, prioritized_score(pcKey, priority), jobId)
  elseif lifo then
    redis.call("RPUSH", waitKey, jobId)
  else
    redis.call("LPUSH", waitKey, jobId)
  end
end

-- "Remove job keys" as BullMQ defines it (the lock is not part of the set).
local function remove_job_keys(jobKey)
  redis.call("DEL", jobKey, jobKey .. ":logs", jobKey .. ":dependencies", jobKey .. ":processed",
    jobKey .. ":failed", jobKey .. ":unsuccessful")
end

-- Deletes the dedup key (and its held-back "next" job) when it still points at jobId.
local function remove_owned_dedup_key(base, jobKey, jobId)
  local deid = redis.call("HGET", jobKey, "deid")
  if deid then
    local deKey = base .. "de:" .. deid
    if redis.call("GET", deKey) == jobId then
      redis.call("DEL", deKey, base .. "dn:" .. deid)
    end
  end
end

-- Checks the lock token and releases the lock. 0 = released (or unlocked job),
-- -6 = another token holds it, -2 = no lock.
local function release_lock(jobKey, stalledKey, jobId, token)
  if token == "0" then
    return 0
  end
  local lock = redis.call("GET", jobKey .. ":lock")
  if lock == token then
    redis.call("DEL", jobKey .. ":lock")
    redis.call("SREM", stalledKey, jobId)
    return 0
  elseif lock then
    return -6
  end
  return -2
end

-- Moves due delayed jobs (at most 1000) to wait or prioritized. Returns how many.
local function promote_due(delayedKey, waitKey, prioritizedKey, pcKey, eventsKey, base, now)
  local due = redis.call("ZRANGEBYSCORE", delayedKey, "0", fmt_int((now + 1) * 4096 - 1), "LIMIT", "0", "1000")
  if #due == 0 then
    return 0
  end
  redis.call("ZREM", delayedKey, unpack(due))
  for _, id in ipairs(due) do
    local jobKey = base .. id
    local priority = tonumber(redis.call("HGET", jobKey, "priority")) or 0
    enqueue_ready(waitKey, prioritizedKey, pcKey, id, priority, false)
    redis.call("XADD", eventsKey, "*", "event", "waiting", "jobId", id, "prev", "delayed")
    redis.call("HSET", jobKey, "delay", "0")
  end
  return #due
end

-- True when the job is the pending iteration of a live job scheduler (those are
-- kept by clean/drain, as BullMQ keeps them).
local function is_current_scheduler_job(base, repeatKey, jobId)
  local rjk = redis.call("HGET", base .. jobId, "rjk")
  if not rjk then
    return false
  end
  local next = redis.call("ZSCORE", repeatKey, rjk)
  return next ~= false and jobId == "repeat:" .. rjk .. ":" .. next
end

-- Deletes a job entirely: owned dedup key, then its keys.
local function delete_job(base, jobId)
  local jobKey = base .. jobId
  remove_owned_dedup_key(base, jobKey, jobId)
  remove_job_keys(jobKey)
end
