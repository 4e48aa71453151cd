--[[ add_flow: add one or more flows (trees of jobs across queues of the same
  prefix and hash slot) in one atomic step, as BullMQ's FlowProducer does in
  one MULTI. Nodes come parents first. A node with children is stored in its
  queue's `waiting-children`; a leaf goes to wait, prioritized or delayed. A
  child is added to its parent's `:dependencies`. After every node is in, each
  parent left without pending children (all of them already existed and had
  completed) moves on.

  KEYS[1] id of the first node's queue (routes the call on a cluster; every
          other key is built from the key bases below and must share its slot)

  ARGV[1] now (ms)
  ARGV[2] number of nodes N; then N groups of 12 values:
    key base of the node's queue ("<prefix>:<queue>:"), jobId, name,
    data (JSON), opts (JSON), timestamp, delay, priority, lifo ("1"/"0"),
    parentKey ("" = none), parent JSON ({id, queueKey, flags}; "" = none),
    has children ("1"/"0")

  Returns: one entry per node, in order: its id (the existing id for a
    duplicate), or -5 when its parent does not exist (nor will its children),
    or -7 when the job exists with another parent.
  Emits: added, waiting-children / waiting / delayed, duplicated on each
    node's queue; waiting or delayed (prev waiting-children) for released parents.
]]
local now = tonumber(ARGV[1])
local n = tonumber(ARGV[2])

local function node(i)
  local o = 2 + (i - 1) * 12
  return {
    base = ARGV[o + 1], id = ARGV[o + 2], name = ARGV[o + 3], data = ARGV[o + 4], opts = ARGV[o + 5],
    timestamp = ARGV[o + 6], delay = tonumber(ARGV[o + 7]), priority = tonumber(ARGV[o + 8]),
    lifo = ARGV[o + 9] == "1", parentKey = ARGV[o + 10], parentJson = ARGV[o + 11],
    isParent = ARGV[o + 12] == "1",
  }
end

local parents = {}
local parentOrder = {}

-- Stores one node (or attaches the existing job with its id); returns its id
-- or a negative code.
local function add_node(nd)
  local base, jobId = nd.base, nd.id
  local jobKey = base .. jobId
  local hasParent = nd.parentKey ~= ""
  -- A parent outside this call must exist already; one added earlier in this
  -- call (nodes come parents first) does. A node refused here leaves its
  -- children without a parent: they are refused too.
  if hasParent and redis.call("EXISTS", nd.parentKey) == 0 then
    return -5
  end
  local eventsKey = base .. "events"
  local maxEv = max_events(base .. "meta")
  -- BullMQ counts every add in `id`, custom ids included.
  redis.call("INCR", base .. "id")
  if hasParent and parents[nd.parentKey] == nil then
    parents[nd.parentKey] = nd.parentJson
    parentOrder[#parentOrder + 1] = nd.parentKey
  end
  if redis.call("EXISTS", jobKey) == 1 then
    -- The job exists: it joins this parent, unless it has another live one.
    local existing = redis.call("HGET", jobKey, "parentKey")
    if hasParent and existing and existing ~= nd.parentKey and redis.call("EXISTS", existing) == 1 then
      -- The parent is then left where it is (BullMQ marks it flowAttachmentFailed).
      parents[nd.parentKey] = false
      return -7
    end
    if hasParent then
      if redis.call("ZSCORE", base .. "completed", jobId) then
        -- Already done: its value counts as processed; released below.
        redis.call("HSET", nd.parentKey .. ":processed", jobKey, redis.call("HGET", jobKey, "returnvalue"))
      else
        redis.call("SADD", nd.parentKey .. ":dependencies", jobKey)
      end
      redis.call("HSET", jobKey, "parentKey", nd.parentKey, "parent", nd.parentJson)
    end
    redis.call("XADD", eventsKey, "MAXLEN", "~", maxEv, "*", "event", "duplicated", "jobId", jobId)
    return jobId
  end
  if hasParent then
    redis.call("HSET", jobKey, "name", nd.name, "data", nd.data, "opts", nd.opts, "timestamp", nd.timestamp,
      "delay", nd.delay, "priority", nd.priority, "parentKey", nd.parentKey, "parent", nd.parentJson)
  else
    redis.call("HSET", jobKey, "name", nd.name, "data", nd.data, "opts", nd.opts, "timestamp", nd.timestamp,
      "delay", nd.delay, "priority", nd.priority)
  end
  redis.call("XADD", eventsKey, "*", "event", "added", "jobId", jobId, "name", nd.name)
  if nd.isParent then
    redis.call("ZADD", base .. "waiting-children", nd.timestamp, jobId)
    redis.call("XADD", eventsKey, "MAXLEN", "~", maxEv, "*", "event", "waiting-children", "jobId", jobId)
  elseif nd.delay > 0 then
    local due = tonumber(nd.timestamp) + nd.delay
    redis.call("ZADD", base .. "delayed", delayed_score(base .. "delayed", due), jobId)
    redis.call("XADD", eventsKey, "MAXLEN", "~", maxEv, "*", "event", "delayed", "jobId", jobId,
      "delay", fmt_int(due))
    add_delay_marker(base .. "marker", base .. "delayed")
  else
    enqueue_ready(base .. "wait", base .. "prioritized", base .. "pc", jobId, nd.priority, nd.lifo)
    if not paused_or_maxed(base .. "meta", base .. "active") then
      redis.call("ZADD", base .. "marker", 0, "0")
    end
    redis.call("XADD", eventsKey, "MAXLEN", "~", maxEv, "*", "event", "waiting", "jobId", jobId)
  end
  if hasParent then
    redis.call("SADD", nd.parentKey .. ":dependencies", jobKey)
  end
  return jobId
end

local results = {}
for i = 1, n do
  results[i] = add_node(node(i))
end

-- Parents whose children all existed and had completed move on now.
for _, parentKey in ipairs(parentOrder) do
  local parentJson = parents[parentKey]
  if parentJson then
    local parentBase, parentId = parent_of(parentKey, parentJson)
    release_parent_if_done(parentBase, parentKey, parentId, now)
  end
end
return results
