--[[ extend_locks: renew the locks of a worker's active jobs (BullMQ's
  extendLocks). A renewed job also leaves the stalled set, so the next stalled
  check does not take it for dead.

  KEYS[1] stalled

  ARGV[1] key base
  ARGV[2] lockDuration (ms)
  ARGV[3..] pairs of jobId, token

  Returns: the ids whose lock was missing or held by another token.
  Emits: nothing.
]]
local base, duration = ARGV[1], ARGV[2]
local lost = {}
for i = 3, #ARGV, 2 do
  local jobId, token = ARGV[i], ARGV[i + 1]
  local lockKey = base .. jobId .. ":lock"
  if redis.call("GET", lockKey) == token then
    redis.call("SET", lockKey, token, "PX", duration)
    redis.call("SREM", KEYS[1], jobId)
  else
    lost[#lost + 1] = jobId
  end
end
return lost
