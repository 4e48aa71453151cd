--[[ move_to_active: promote due delayed jobs, then move up to N ready jobs into
  active for one worker, locking each (BullMQ's moveToActive, batched).

  KEYS[1] wait
  KEYS[2] active
  KEYS[3] prioritized
  KEYS[4] pc
  KEYS[5] delayed
  KEYS[6] marker
  KEYS[7] events
  KEYS[8] meta
  KEYS[9] limiter

  ARGV[1] key base
  ARGV[2] now (ms)
  ARGV[3] how many jobs the worker can take
  ARGV[4] lock token prefix ("0" = no locks); token i is "<prefix>:<seq + i>"
  ARGV[5] seq; -1: ARGV[4] is the token itself (for a caller taking one job)
  ARGV[6] lockDuration (ms)
  ARGV[7] worker limiter max (0 = none)
  ARGV[8] worker limiter duration (ms, 0 = none)
  ARGV[9] worker name ("" = none), stored as "pb"

  Returns: { jobs, rateLimitTtl, nextDelayedMs }, jobs a flat list of
    (jobId, token, HGETALL) triples (the hash as read before processedOn, ats
    and pb were written: the caller applies now, ats + 1 and the worker name); rateLimitTtl > 0 when the limiter is full;
    nextDelayedMs the due time of the earliest delayed job (0 = none).
  Emits: waiting (promotions, prev delayed), active (prev waiting).
]]
return fetch_jobs(ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8], ARGV[9])
