--[[ remove_job: delete a job that no worker holds, from whichever state it is
  in (BullMQ's removeJob). A flow child leaves its parent's dependencies first
  (a parent left with none moves to wait); with removeChildren the job's
  children, finished or not and in any queue, are removed first, depth first,
  unless any pending one is held by a worker.

  KEYS[1] wait
  KEYS[2] active
  KEYS[3] prioritized
  KEYS[4] delayed
  KEYS[5] completed
  KEYS[6] failed
  KEYS[7] waiting-children
  KEYS[8] paused (legacy list)
  KEYS[9] events
  KEYS[10] meta
  KEYS[11] repeat

  ARGV[1] key base
  ARGV[2] jobId
  ARGV[3] remove children ("1"/"0")

  Returns: 1 removed (or nothing to remove), 0 locked by a worker (the job or,
    with children, a pending descendant),
    -8 the job is the current iteration of a job scheduler.
  Emits: removed (jobId, prev = the state it was in), also on each removed
    child's queue; waiting (prev waiting-children) for a parent it releases.
]]
local base, jobId = ARGV[1], ARGV[2]
local jobKey = base .. jobId
local rjk = redis.call("HGET", jobKey, "rjk")
if rjk then
  local next = redis.call("ZSCORE", KEYS[11], rjk)
  if next and jobId == "repeat:" .. rjk .. ":" .. next then
    return -8
  end
end
local withChildren = ARGV[3] == "1"
if tree_locked(base, jobId, withChildren) then
  return 0
end
-- Flows (lua/lib/flow.lua): out of its parent, then its children go.
detach_from_parent(jobKey, nil, false, base)
if withChildren then
  remove_children(jobKey)
end
local prev = "unknown"
local zsets = { { KEYS[5], "completed" }, { KEYS[7], "waiting-children" }, { KEYS[4], "delayed" },
  { KEYS[6], "failed" }, { KEYS[3], "prioritized" } }
for _, z in ipairs(zsets) do
  if redis.call("ZREM", z[1], jobId) == 1 then
    prev = z[2]
    break
  end
end
if prev == "unknown" then
  local lists = { { KEYS[1], "wait" }, { KEYS[8], "paused" }, { KEYS[2], "active" } }
  for _, l in ipairs(lists) do
    if redis.call("LREM", l[1], 0, jobId) > 0 then
      prev = l[2]
      break
    end
  end
end
local existed = redis.call("EXISTS", jobKey) == 1
remove_owned_dedup_key(base, jobKey, jobId)
remove_job_keys(jobKey)
if existed or prev ~= "unknown" then
  redis.call("XADD", KEYS[9], "MAXLEN", "~", max_events(KEYS[10]), "*", "event", "removed", "jobId", jobId,
    "prev", prev)
end
return 1
