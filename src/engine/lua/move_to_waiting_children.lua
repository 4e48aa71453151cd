--[[ move_to_waiting_children: an active job that added children while it ran
  parks in `waiting-children` until they finish (BullMQ's
  moveToWaitingChildren); its worker then throws WaitingChildrenError. The
  lock is released; the job runs again once its last child completes.

  KEYS[1] active
  KEYS[2] waiting-children
  KEYS[3] stalled
  KEYS[4] events

  ARGV[1] key base
  ARGV[2] jobId
  ARGV[3] lock token ("0" = none)
  ARGV[4] full key of one child to wait for ("" = any pending child)
  ARGV[5] now (ms)

  Returns: 0 moved; 1 nothing to wait for (the job stays active);
    -1 job missing, -2 lock missing, -6 lock held by another token,
    -3 job not in active, -9 a child failed (failParentOnFailure).
  Emits: waiting-children (jobId, prev = active).
]]
local activeKey, waitingChildrenKey, stalledKey, eventsKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local base, jobId, token, childKey, nowStr = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local jobKey = base .. jobId

if redis.call("EXISTS", jobKey) == 0 then
  return -1
end
if redis.call("ZCARD", jobKey .. ":unsuccessful") > 0 then
  return -9
end
local pending
if childKey ~= "" then
  pending = redis.call("SISMEMBER", jobKey .. ":dependencies", childKey) == 1
else
  pending = redis.call("SCARD", jobKey .. ":dependencies") > 0
end
if not pending then
  return 1
end
local code = release_lock(jobKey, stalledKey, jobId, token)
if code < 0 then
  return code
end
if redis.call("LREM", activeKey, -1, jobId) == 0 then
  return -3
end
redis.call("ZADD", waitingChildrenKey, nowStr, jobId)
redis.call("XADD", eventsKey, "*", "event", "waiting-children", "jobId", jobId, "prev", "active")
return 0
