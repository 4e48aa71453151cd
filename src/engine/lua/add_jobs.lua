--[[ add_jobs: store one or more new jobs and put each in wait, prioritized or
  delayed, as BullMQ's add scripts do. Each job is atomic, and so is the batch.

  KEYS[1] wait
  KEYS[2] active
  KEYS[3] prioritized
  KEYS[4] pc
  KEYS[5] delayed
  KEYS[6] marker
  KEYS[7] events
  KEYS[8] meta
  KEYS[9] id

  ARGV[1] key base, "<prefix>:<queue>:"
  ARGV[2] number of jobs N; then N groups of 13 values:
    customId ("" = use the counter), name, data (JSON), opts (JSON), timestamp,
    delay, priority, lifo ("1"/"0"), dedupId ("" = none), dedupTtl (ms, 0 = none),
    dedupExtend ("1"/"0"), dedupReplace ("1"/"0"), dedupKeepLastIfActive ("1"/"0")

  Returns: a list with one job id per input job: the new id, or the id of the
    existing job when the custom id already exists or the job was deduplicated.
  Emits: added, waiting, delayed, duplicated, deduplicated, removed (dedup replace).

  keepLastIfActive: while the owner of a dedup id is active, the newest
  proposed job is held in HASH `de`-sibling `dn:<id>` and created when the owner
  finishes (move_to_finished); the dedup key then has no TTL.
]]
-- Globals read in loops, as locals (rcall is common.lua's redis.call).
local ARGV, tonumber = ARGV, tonumber
local base = ARGV[1]
local count = tonumber(ARGV[2])
local waitKey, activeKey, prioritizedKey, pcKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local delayedKey, markerKey, eventsKey, metaKey, idKey = KEYS[5], KEYS[6], KEYS[7], KEYS[8], KEYS[9]

-- One meta read for the call: the events cap (BullMQ's default written when
-- missing, as BullMQ does) and, for the marker, paused and concurrency.
-- The cap goes to XADD as stored (as BullMQ passes it): Lua in Redis parses and
-- formats numbers through strtod/printf at a high price, so numeric ARGV stay
-- strings unless arithmetic needs them.
local meta = rcall("HMGET", metaKey, "opts.maxLenEvents", "paused", "concurrency")
local maxEv = meta[1]
if not maxEv then
  maxEv = "10000"
  rcall("HSET", metaKey, "opts.maxLenEvents", maxEv)
end
local ids = {}
local readyAdded = false
local delayedAdded = false

-- Resolves deduplication. Returns the id to answer with when the new job must not
-- be stored, or nil to go on and store it.
local function deduplicate(jobId, dedupId, ttl, extend, replace, keepLast, job)
  local deKey = base .. "de:" .. dedupId
  if keepLast then
    ttl = 0
  end
  local owner = rcall("GET", deKey)
  if owner and rcall("PTTL", deKey) == -1 and rcall("EXISTS", base .. owner) == 0 then
    -- Stale key: its job is gone, so the new job wins.
    rcall("DEL", deKey, base .. "dn:" .. dedupId)
    owner = false
  end
  if not owner then
    if ttl > 0 then
      rcall("SET", deKey, jobId, "PX", ttl)
    else
      rcall("SET", deKey, jobId)
    end
    return nil
  end
  if keepLast and rcall("LPOS", activeKey, owner) then
    -- The owner is running: remember this job to run once it finishes.
    rcall("DEL", base .. "dn:" .. dedupId)
    rcall("HSET", base .. "dn:" .. dedupId, "name", job.name, "data", job.data, "opts", job.opts, "jid", jobId)
    rcall("PERSIST", deKey)
    rcall("XADD", eventsKey, "MAXLEN", "~", maxEv, "*", "event", "deduplicated", "jobId", owner,
      "deduplicationId", dedupId, "deduplicatedJobId", jobId)
    return owner
  end
  if replace then
    if rcall("ZREM", delayedKey, owner) == 1 then
      -- Debounce: the pending (delayed) owner is replaced by the new job.
      remove_job_keys(base .. owner)
      rcall("XADD", eventsKey, "MAXLEN", "~", maxEv, "*", "event", "removed", "jobId", owner, "prev", "delayed")
      rcall("DEL", base .. "dn:" .. dedupId)
      rcall("XADD", eventsKey, "MAXLEN", "~", maxEv, "*", "event", "deduplicated", "jobId", jobId,
        "deduplicationId", dedupId, "deduplicatedJobId", owner)
      if ttl > 0 and not extend then
        rcall("SET", deKey, jobId, "KEEPTTL")
      elseif ttl > 0 then
        rcall("SET", deKey, jobId, "PX", ttl)
      else
        rcall("SET", deKey, jobId)
      end
      return nil
    end
    -- The owner already left delayed: reject silently.
    return owner
  end
  if extend and ttl > 0 then
    rcall("SET", deKey, owner, "PX", ttl)
  end
  rcall("XADD", eventsKey, "MAXLEN", "~", maxEv, "*", "event", "deduplicated", "jobId", owner,
    "deduplicationId", dedupId, "deduplicatedJobId", jobId)
  return owner
end

for i = 0, count - 1 do
  local o = 2 + i * 13
  local customId, name, data, opts = ARGV[o + 1], ARGV[o + 2], ARGV[o + 3], ARGV[o + 4]
  local delay = ARGV[o + 6] == "0" and 0 or tonumber(ARGV[o + 6])
  local priority = ARGV[o + 7] == "0" and 0 or tonumber(ARGV[o + 7])
  local lifo, dedupId = ARGV[o + 8] == "1", ARGV[o + 9]
  local dedupExtend, dedupReplace = ARGV[o + 11] == "1", ARGV[o + 12] == "1"
  local dedupKeepLast = ARGV[o + 13] == "1"

  -- BullMQ increments the counter on every add, custom id or not.
  local counter = rcall("INCR", idKey)
  local jobId = customId
  if jobId == "" then
    jobId = tostring(counter)
  end
  local jobKey = base .. jobId
  local answer = nil
  if customId ~= "" and rcall("EXISTS", jobKey) == 1 then
    rcall("XADD", eventsKey, "MAXLEN", "~", maxEv, "*", "event", "duplicated", "jobId", jobId)
    answer = jobId
  elseif dedupId ~= "" then
    answer = deduplicate(jobId, dedupId, tonumber(ARGV[o + 10]), dedupExtend, dedupReplace, dedupKeepLast,
      { name = name, data = data, opts = opts })
  end

  if answer then
    ids[#ids + 1] = answer
  else
    if dedupId ~= "" then
      rcall("HSET", jobKey, "name", name, "data", data, "opts", opts, "timestamp", ARGV[o + 5],
        "delay", ARGV[o + 6], "priority", ARGV[o + 7], "deid", dedupId)
    else
      -- delay and priority as the caller wrote them (decimal integers): no number formatting.
      rcall("HSET", jobKey, "name", name, "data", data, "opts", opts, "timestamp", ARGV[o + 5],
        "delay", ARGV[o + 6], "priority", ARGV[o + 7])
    end
    rcall("XADD", eventsKey, "*", "event", "added", "jobId", jobId, "name", name)
    if delay > 0 then
      local due = tonumber(ARGV[o + 5]) + delay
      rcall("ZADD", delayedKey, delayed_score(delayedKey, due), jobId)
      rcall("XADD", eventsKey, "MAXLEN", "~", maxEv, "*", "event", "delayed", "jobId", jobId,
        "delay", fmt_int(due))
      delayedAdded = true
    else
      enqueue_ready(waitKey, prioritizedKey, pcKey, jobId, priority, lifo)
      rcall("XADD", eventsKey, "MAXLEN", "~", maxEv, "*", "event", "waiting", "jobId", jobId)
      readyAdded = true
    end
    ids[#ids + 1] = jobId
  end
end

-- Paused or maxed, from the meta read above (adding changes neither field).
if readyAdded and not (meta[2] or (meta[3] and rcall("LLEN", activeKey) >= tonumber(meta[3]))) then
  rcall("ZADD", markerKey, "0", "0")
end
if delayedAdded then
  add_delay_marker(markerKey, delayedKey)
end
return ids
