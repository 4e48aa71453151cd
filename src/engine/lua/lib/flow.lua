-- Parent/child (flow) helpers, composed after common.lua by the scripts that
-- add, finish or remove jobs which may belong to a flow.
--
-- A child's hash holds `parentKey` (the parent's full key) and `parent` (JSON
-- {id, queueKey, fpof|cpof|idof|rdof?}); the parent's `:dependencies` SET lists
-- the full keys of children still to finish, `:processed` (HASH) their return
-- values, `:failed` (HASH) the failures it ignores, `:unsuccessful` (ZSET) the
-- children whose failure fails it. Parents may live in other queues (of the
-- same hash slot on a cluster): their keys are built from their queue's base.

-- "<prefix>:<queue>:<id>" -> "<prefix>:<queue>:", "<id>" (split at the last
-- ':', as BullMQ does; queue names have no ':').
local function split_job_key(jobKey)
  local id = string.match(jobKey, ".*:(.*)")
  return string.sub(jobKey, 1, #jobKey - #id), id
end

-- A parent whose children are done goes where a new job with its delay and
-- priority would: delayed (score exactly due*4096), prioritized, or the front
-- of wait; its own queue's marker and events.
local function move_parent_to_wait(parentBase, parentKey, parentId, now)
  local attrs = redis.call("HMGET", parentKey, "priority", "delay")
  local priority = tonumber(attrs[1]) or 0
  local delay = tonumber(attrs[2]) or 0
  local eventsKey = parentBase .. "events"
  if delay > 0 then
    local due = now + delay
    local delayedKey = parentBase .. "delayed"
    redis.call("ZADD", delayedKey, fmt_int(due * 4096), parentId)
    redis.call("XADD", eventsKey, "*", "event", "delayed", "jobId", parentId, "delay", fmt_int(due))
    add_delay_marker(parentBase .. "marker", delayedKey)
    return
  end
  if priority > 0 then
    redis.call("ZADD", parentBase .. "prioritized", prioritized_score(parentBase .. "pc", priority), parentId)
  else
    redis.call("RPUSH", parentBase .. "wait", parentId)
  end
  if not paused_or_maxed(parentBase .. "meta", parentBase .. "active") then
    redis.call("ZADD", parentBase .. "marker", 0, "0")
  end
  redis.call("XADD", eventsKey, "*", "event", "waiting", "jobId", parentId, "prev", "waiting-children")
end

-- Moves an existing parent on if it still waits for children.
local function release_parent(parentBase, parentKey, parentId, now)
  if redis.call("EXISTS", parentKey) == 1
      and redis.call("ZREM", parentBase .. "waiting-children", parentId) == 1 then
    move_parent_to_wait(parentBase, parentKey, parentId, now)
  end
end

-- ... once no child is pending.
local function release_parent_if_done(parentBase, parentKey, parentId, now)
  if redis.call("SCARD", parentKey .. ":dependencies") == 0 then
    release_parent(parentBase, parentKey, parentId, now)
  end
end

-- The parent's base and id from a child's `parent` JSON, else from its key.
local function parent_of(parentKey, parentJson)
  local ok, p = pcall(cjson.decode, parentJson or "")
  if ok and type(p) == "table" and p["queueKey"] and p["id"] then
    return p["queueKey"] .. ":", tostring(p["id"]), p
  end
  local parentBase, parentId = split_job_key(parentKey)
  return parentBase, parentId, {}
end

-- A child completed: its value goes to the parent, which moves on when this
-- was its last pending child.
local function child_completed(childKey, parentKey, parentJson, returnvalue, now)
  if redis.call("SREM", parentKey .. ":dependencies", childKey) == 1 then
    local parentBase, parentId = parent_of(parentKey, parentJson)
    redis.call("HSET", parentKey .. ":processed", childKey, returnvalue)
    release_parent_if_done(parentBase, parentKey, parentId, now)
  end
end

-- A child failed for good under failParentOnFailure: the parent gets a deferred
-- failure ("defa") and is moved to wait, where a worker fails it on fetch.
local function fail_parent(parentBase, parentKey, parentId, childKey, now)
  if redis.call("EXISTS", parentKey) == 0 then
    return
  end
  local reason = "child " .. childKey .. " failed"
  local from = nil
  if redis.call("ZREM", parentBase .. "waiting-children", parentId) == 1 then
    from = "waiting-children"
  elseif redis.call("ZREM", parentBase .. "delayed", parentId) == 1 then
    from = "delayed"
    redis.call("HSET", parentKey, "delay", 0)
  end
  if from then
    redis.call("HSET", parentKey, "defa", reason)
    move_parent_to_wait(parentBase, parentKey, parentId, now)
  elseif not redis.call("ZSCORE", parentBase .. "failed", parentId) then
    -- Running (or waiting): it fails when it next finishes or is fetched.
    redis.call("HSET", parentKey, "defa", reason)
  end
end

-- A child failed for good: its parent reacts as the child's flag says.
-- Without a flag the child stays pending and the parent keeps waiting.
local function child_failed(childKey, parentKey, parentJson, failedReason, now)
  local parentBase, parentId, p = parent_of(parentKey, parentJson)
  if not (p["fpof"] or p["cpof"] or p["idof"] or p["rdof"]) then
    return
  end
  if redis.call("SREM", parentKey .. ":dependencies", childKey) == 0 then
    return
  end
  if p["fpof"] then
    redis.call("ZADD", parentKey .. ":unsuccessful", now, childKey)
    fail_parent(parentBase, parentKey, parentId, childKey, now)
  elseif p["cpof"] then
    -- Continue: the parent runs now, whatever else is pending.
    redis.call("HSET", parentKey .. ":failed", childKey, failedReason)
    release_parent(parentBase, parentKey, parentId, now)
  else
    if p["idof"] then
      redis.call("HSET", parentKey .. ":failed", childKey, failedReason)
    end
    release_parent_if_done(parentBase, parentKey, parentId, now)
  end
end

-- Takes a job that is being deleted out of its parent's dependencies (the
-- parent from `parentKey`, or from the job's hash when nil). When that was the
-- parent's last pending child the parent moves on: `hard` (clean, drain,
-- obliterate) deletes a parent of the same queue too and sends one of another
-- queue to wait silently; otherwise the parent goes to wait with a `waiting`
-- event. Returns true when the job was a pending dependency.
local detach_from_parent
detach_from_parent = function(jobKey, parentKey, hard, base)
  if not parentKey then
    parentKey = redis.call("HGET", jobKey, "parentKey")
    if not parentKey or parentKey == "" or redis.call("EXISTS", parentKey) == 0 then
      return false
    end
  end
  local deps = parentKey .. ":dependencies"
  if redis.call("SREM", deps, jobKey) == 0 then
    return false
  end
  if redis.call("SCARD", deps) == 0 then
    local parentBase, parentId = split_job_key(parentKey)
    if redis.call("ZREM", parentBase .. "waiting-children", parentId) == 1 then
      if hard and parentBase == base then
        detach_from_parent(parentKey, nil, true, base)
        remove_owned_dedup_key(parentBase, parentKey, parentId)
        remove_job_keys(parentKey)
      else
        redis.call("RPUSH", parentBase .. "wait", parentId)
        if not paused_or_maxed(parentBase .. "meta", parentBase .. "active") then
          redis.call("ZADD", parentBase .. "marker", 0, "0")
        end
        if not hard then
          redis.call("XADD", parentBase .. "events", "*", "event", "waiting", "jobId", parentId,
            "prev", "waiting-children")
        end
      end
    end
  end
  return true
end

-- delete_job (common.lua) for clean, drain and obliterate: the job leaves its
-- flow first (hard), so no parent waits forever for a deleted child.
local function delete_flow_job(base, jobId)
  detach_from_parent(base .. jobId, nil, true, base)
  delete_job(base, jobId)
end

-- Takes the job out of whichever state holds it; returns that state's name.
local function remove_from_any_state(base, jobId)
  for _, s in ipairs({ "completed", "waiting-children", "delayed", "failed", "prioritized" }) do
    if redis.call("ZREM", base .. s, jobId) == 1 then
      return s
    end
  end
  for _, s in ipairs({ "wait", "paused", "active" }) do
    if redis.call("LREM", base .. s, 1, jobId) == 1 then
      return s
    end
  end
  return "unknown"
end

-- Whether the job, or (with children) any child still pending below it, is
-- held by a worker.
local tree_locked
tree_locked = function(base, jobId, withChildren)
  local jobKey = base .. jobId
  if redis.call("EXISTS", jobKey .. ":lock") == 1 then
    return true
  end
  if withChildren then
    for _, childKey in ipairs(redis.call("SMEMBERS", jobKey .. ":dependencies")) do
      local childBase, childId = split_job_key(childKey)
      if tree_locked(childBase, childId, true) then
        return true
      end
    end
  end
  return false
end

-- Removes a job and, depth first, every child it has (finished or not), each
-- with a `removed` event on its own queue. The job leaves its parent first.
local remove_tree
local function remove_children(jobKey)
  local children = {}
  local processed = redis.call("HKEYS", jobKey .. ":processed")
  local failed = redis.call("HKEYS", jobKey .. ":failed")
  local unsuccessful = redis.call("ZRANGE", jobKey .. ":unsuccessful", 0, -1)
  local pending = redis.call("SMEMBERS", jobKey .. ":dependencies")
  for _, list in ipairs({ processed, failed, unsuccessful, pending }) do
    for _, k in ipairs(list) do
      children[#children + 1] = k
    end
  end
  for _, childKey in ipairs(children) do
    local childBase, childId = split_job_key(childKey)
    remove_tree(childBase, childId, jobKey, true)
  end
end
remove_tree = function(base, jobId, parentKey, withChildren)
  local jobKey = base .. jobId
  detach_from_parent(jobKey, parentKey, false, base)
  if withChildren then
    remove_children(jobKey)
  end
  local prev = remove_from_any_state(base, jobId)
  local existed = redis.call("EXISTS", jobKey) == 1
  remove_owned_dedup_key(base, jobKey, jobId)
  remove_job_keys(jobKey)
  if existed then
    redis.call("XADD", base .. "events", "MAXLEN", "~", max_events(base .. "meta"), "*", "event", "removed",
      "jobId", jobId, "prev", prev)
  end
end

-- A finished child sent back to wait (retryJobs, job.retry) is pending for its
-- parent again. A parent that has already moved on stays where it is.
local function reattach_child(jobKey, from)
  local parentKey = redis.call("HGET", jobKey, "parentKey")
  if not parentKey or redis.call("EXISTS", parentKey) == 0 then
    return
  end
  local was
  if from == "failed" then
    was = redis.call("ZREM", parentKey .. ":unsuccessful", jobKey) == 1
      or redis.call("HDEL", parentKey .. ":failed", jobKey) == 1
  else
    was = redis.call("HDEL", parentKey .. ":processed", jobKey) == 1
  end
  if was then
    redis.call("SADD", parentKey .. ":dependencies", jobKey)
  end
end
