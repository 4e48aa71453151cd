--[[ remove_child_dependency: a pending child leaves its parent's flow for good
  (BullMQ's job.removeChildDependency). The child stays in whatever state it
  is in, without `parentKey`/`parent`; a parent left with no pending child
  moves to wait with a `waiting` event (detach_from_parent, lua/lib/flow.lua).

  KEYS[1] the child's job key
  KEYS[2] the parent's job key

  Returns: 0 removed, 1 the job is not a pending child of that parent,
    -1 the job does not exist, -5 the parent does not exist.
  Emits: waiting (prev waiting-children) on the parent's queue when released.
]]
local jobKey, parentKey = KEYS[1], KEYS[2]
if redis.call("EXISTS", jobKey) == 0 then
  return -1
end
if redis.call("EXISTS", parentKey) == 0 then
  return -5
end
if detach_from_parent(jobKey, parentKey, false, nil) then
  redis.call("HDEL", jobKey, "parentKey", "parent")
  return 0
end
return 1
