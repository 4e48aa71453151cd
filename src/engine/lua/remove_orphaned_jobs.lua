--[[ remove_orphaned_jobs: of the candidate job ids (found by a SCAN of the
  queue's keys), delete the keys of those that no state holds: a job hash (and
  its logs, lock, dependency keys) left behind with its id in no list, set or
  sorted set (BullMQ's removeOrphanedJobs, for data an old removal left over).
  Each candidate is checked and removed inside this one call, so a job that
  moves between states meanwhile is never taken for an orphan.

  KEYS[1] wait
  KEYS[2] active
  KEYS[3] paused
  KEYS[4] prioritized
  KEYS[5] delayed
  KEYS[6] completed
  KEYS[7] failed
  KEYS[8] waiting-children
  KEYS[9] stalled

  ARGV[1] key base ("<prefix>:<queue>:")
  ARGV[2..] candidate job ids

  Returns: how many candidates were orphans and had their keys deleted.
  Emits: nothing.
]]
local base = ARGV[1]
local removed = 0
for i = 2, #ARGV do
  local jobId = ARGV[i]
  local held = false
  for k = 1, 3 do
    if redis.call("LPOS", KEYS[k], jobId) then
      held = true
      break
    end
  end
  if not held then
    for k = 4, 8 do
      if redis.call("ZSCORE", KEYS[k], jobId) then
        held = true
        break
      end
    end
  end
  if not held and redis.call("SISMEMBER", KEYS[9], jobId) == 1 then
    held = true
  end
  if not held then
    local jobKey = base .. jobId
    -- Count only candidates that still had keys (another call may have taken them).
    if redis.call("EXISTS", jobKey, jobKey .. ":logs", jobKey .. ":lock", jobKey .. ":dependencies",
        jobKey .. ":processed", jobKey .. ":failed", jobKey .. ":unsuccessful") > 0 then
      remove_job_keys(jobKey)
      redis.call("DEL", jobKey .. ":lock")
      removed = removed + 1
    end
  end
end
return removed
