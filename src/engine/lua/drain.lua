--[[ drain: remove every job that waits to run (wait, legacy paused,
  prioritized, and delayed when asked). Active, completed, failed and
  waiting-children are untouched; current scheduler iterations are kept. A
  removed flow child leaves its parent (delete_flow_job, lua/lib/flow.lua).

  KEYS[1] wait
  KEYS[2] paused (legacy list)
  KEYS[3] prioritized
  KEYS[4] delayed
  KEYS[5] pc
  KEYS[6] repeat

  ARGV[1] key base
  ARGV[2] also drain delayed ("1"/"0")

  Returns: the number of jobs removed.
  Emits: nothing (as BullMQ).
]]
local base = ARGV[1]
local count = 0
local function drain_ids(ids, remove_one)
  for _, jobId in ipairs(ids) do
    if not is_current_scheduler_job(base, KEYS[6], jobId) then
      delete_flow_job(base, jobId)
      remove_one(jobId)
      count = count + 1
    end
  end
end
for _, listKey in ipairs({ KEYS[1], KEYS[2] }) do
  drain_ids(redis.call("LRANGE", listKey, 0, -1), function(id) redis.call("LREM", listKey, 0, id) end)
end
drain_ids(redis.call("ZRANGE", KEYS[3], 0, -1), function(id) redis.call("ZREM", KEYS[3], id) end)
if redis.call("ZCARD", KEYS[3]) == 0 then
  redis.call("DEL", KEYS[5])
end
if ARGV[2] == "1" then
  drain_ids(redis.call("ZRANGE", KEYS[4], 0, -1), function(id) redis.call("ZREM", KEYS[4], id) end)
end
return count
