--[[ remove_deduplication_key: delete a deduplication key only while it still
  names the given job (BullMQ's job.removeDeduplicationKey): a later job that
  took the id over keeps it.

  KEYS[1] the deduplication key (de:<id>)

  ARGV[1] the job id that must own it

  Returns: 1 when the key was deleted, 0 when it names another job or is gone.
  Emits: nothing.
]]
if redis.call("GET", KEYS[1]) == ARGV[1] then
  return redis.call("DEL", KEYS[1])
end
return 0
