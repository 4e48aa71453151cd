--[[ update_data: replace a job's data (BullMQ's job.updateData).

  KEYS[1] job hash

  ARGV[1] data (JSON)

  Returns: 0, or -1 when the job does not exist.
  Emits: nothing.
]]
if redis.call("EXISTS", KEYS[1]) == 0 then
  return -1
end
redis.call("HSET", KEYS[1], "data", ARGV[1])
return 0
