--[[ obliterate: delete a paused queue and all its jobs, at most `count` jobs
  per call (the caller repeats until it returns 0). The last call deletes the
  queue's bookkeeping keys; `limiter` survives, as in BullMQ. A deleted flow
  child leaves its parent: one in this queue is deleted too, one in another
  queue moves to its wait (delete_flow_job, lua/lib/flow.lua).

  KEYS[1] meta
  KEYS[2] active
  KEYS[3] delayed
  KEYS[4] repeat
  KEYS[5] completed
  KEYS[6] wait
  KEYS[7] paused (legacy list)
  KEYS[8] prioritized
  KEYS[9] failed
  KEYS[10] waiting-children

  ARGV[1] key base
  ARGV[2] count: jobs to delete in this call
  ARGV[3] force ("1" = also when jobs are active)

  Returns: 0 done, 1 more to delete, -100 the queue is not paused,
    -101 jobs are active and force is not set.
  Emits: nothing (the events stream is deleted).
]]
local base, budget, force = ARGV[1], tonumber(ARGV[2]), ARGV[3] == "1"
if redis.call("HEXISTS", KEYS[1], "paused") == 0 then
  return -100
end
if not force and redis.call("LLEN", KEYS[2]) > 0 then
  return -101
end

local function take_list(key)
  local ids = redis.call("LRANGE", key, -budget, -1)
  for _, jobId in ipairs(ids) do
    delete_flow_job(base, jobId)
    redis.call("DEL", base .. jobId .. ":lock")
  end
  if #ids > 0 then
    redis.call("LTRIM", key, 0, -(#ids + 1))
  end
  budget = budget - #ids
end

local function take_zset(key)
  local ids = redis.call("ZRANGE", key, 0, budget - 1)
  for _, jobId in ipairs(ids) do
    delete_flow_job(base, jobId)
  end
  if #ids > 0 then
    call_in_slices("ZREM", key, ids)
  end
  budget = budget - #ids
end

take_list(KEYS[2])
if budget > 0 then take_zset(KEYS[3]) end
if budget > 0 then
  -- Job schedulers: their hashes and the repeat set.
  local ids = redis.call("ZRANGE", KEYS[4], 0, budget - 1)
  for _, id in ipairs(ids) do
    redis.call("DEL", base .. "repeat:" .. id)
  end
  if #ids > 0 then
    call_in_slices("ZREM", KEYS[4], ids)
  end
  budget = budget - #ids
end
if budget > 0 then take_zset(KEYS[5]) end
if budget > 0 then take_list(KEYS[6]) end
if budget > 0 then take_list(KEYS[7]) end
if budget > 0 then take_zset(KEYS[8]) end
if budget > 0 then take_zset(KEYS[9]) end
if budget > 0 then take_zset(KEYS[10]) end
if budget <= 0 then
  return 1
end
redis.call("DEL", base .. "events", base .. "delay", base .. "stalled-check", base .. "stalled", base .. "id",
  base .. "pc", base .. "marker", KEYS[1], base .. "metrics:completed", base .. "metrics:completed:data",
  base .. "metrics:failed", base .. "metrics:failed:data")
return 0
