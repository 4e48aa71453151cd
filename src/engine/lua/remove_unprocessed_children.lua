--[[ remove_unprocessed_children: removes the children a job still waits for
  (BullMQ's job.removeUnprocessedChildren), and below each of them its own
  pending children. Left alone: a child a worker holds (with what is below
  it), a failed child (it is still pending for its parent), and every
  finished child with its value. Each removed child leaves its parent's
  dependencies; a parent left with none moves to wait.

  KEYS[1] the job's key

  Returns: how many jobs were removed.
  Emits: removed (jobId, prev) on each removed job's queue; waiting (prev
    waiting-children) for a parent released.
]]
local remove_pending
remove_pending = function(parentKey)
  local removed = 0
  for _, childKey in ipairs(redis.call("SMEMBERS", parentKey .. ":dependencies")) do
    local base, id = split_job_key(childKey)
    local held = redis.call("EXISTS", childKey .. ":lock") == 1
    if not held and not redis.call("ZSCORE", base .. "failed", id) then
      detach_from_parent(childKey, parentKey, false, base)
      removed = removed + remove_pending(childKey)
      local prev = remove_from_any_state(base, id)
      remove_owned_dedup_key(base, childKey, id)
      if redis.call("EXISTS", childKey) == 1 then
        remove_job_keys(childKey)
        redis.call("XADD", base .. "events", "MAXLEN", "~", max_events(base .. "meta"), "*", "event", "removed",
          "jobId", id, "prev", prev)
        removed = removed + 1
      end
    end
  end
  return removed
end

return remove_pending(KEYS[1])
