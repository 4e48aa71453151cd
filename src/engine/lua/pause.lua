--[[ pause: pause or resume the whole queue (v6 semantics: only meta.paused;
  jobs stay in wait). Resume also migrates a legacy BullMQ v5 "paused" list.

  KEYS[1] meta
  KEYS[2] marker
  KEYS[3] events
  KEYS[4] wait
  KEYS[5] paused (legacy list)
  KEYS[6] prioritized
  KEYS[7] delayed

  ARGV[1] "pause" or "resume"

  Returns: 1.
  Emits: paused or resumed.
]]
local metaKey, markerKey, eventsKey, waitKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local pausedKey, prioritizedKey, delayedKey = KEYS[5], KEYS[6], KEYS[7]
if ARGV[1] == "pause" then
  redis.call("HSET", metaKey, "paused", 1)
  redis.call("DEL", markerKey)
  redis.call("XADD", eventsKey, "*", "event", "paused")
  return 1
end
redis.call("HDEL", metaKey, "paused")
if redis.call("EXISTS", pausedKey) == 1 then
  if redis.call("EXISTS", waitKey) == 0 then
    redis.call("RENAME", pausedKey, waitKey)
  else
    while true do
      local ids = redis.call("LRANGE", pausedKey, 0, 6999)
      if #ids == 0 then
        break
      end
      redis.call("RPUSH", waitKey, unpack(ids))
      redis.call("LTRIM", pausedKey, #ids, -1)
    end
  end
end
if redis.call("LLEN", waitKey) + redis.call("ZCARD", prioritizedKey) > 0 then
  redis.call("ZADD", markerKey, 0, "0")
else
  add_delay_marker(markerKey, delayedKey)
end
redis.call("XADD", eventsKey, "*", "event", "resumed")
return 1
