-- The `redis` library that scripts see in ferroq's embedded store (memory://),
-- built once per store. The host (lua.rs) hands in `exec` before every script:
-- exec(n, {...}) runs one command (its n words, in a table) on the store and
-- returns (reply, failed), where an error reply is a table
-- { err = "CODE message" } and a status is { ok = "..." }. The words travel in
-- a table, not as n arguments, so the host reads them one at a time: holding
-- thousands of them at once overflows its Lua 5.1 stack, while Redis takes
-- as many as `unpack` can give (just under 8000).
--
-- Returns: the `redis` table, and a function that sets `exec`.

local exec = nil

local redis = {}

-- Runs a command; an error reply becomes a Lua error whose value is the
-- error line (no position added), as in Redis 7.0.
function redis.call(...)
  local reply, failed = exec(select("#", ...), { ... })
  if failed then
    error(reply.err, 0)
  end
  return reply
end

-- Runs a command; an error reply comes back as { err = ... }.
function redis.pcall(...)
  local reply = exec(select("#", ...), { ... })
  return reply
end

function redis.error_reply(msg)
  return { err = msg }
end

function redis.status_reply(msg)
  return { ok = msg }
end

-- Logging goes nowhere (Redis writes it to its own log file).
function redis.log(_level, _msg) end
redis.LOG_DEBUG = 0
redis.LOG_VERBOSE = 1
redis.LOG_NOTICE = 2
redis.LOG_WARNING = 3

-- Replication does not exist in one process; these keep scripts that ask working.
function redis.replicate_commands()
  return true
end
function redis.set_repl(_mode) end
redis.REPL_NONE = 0
redis.REPL_AOF = 1
redis.REPL_SLAVE = 2
redis.REPL_REPLICA = 2
redis.REPL_ALL = 3

-- Only RESP2 replies exist here.
function redis.setresp(v)
  if v ~= 2 then
    error("only RESP2 is supported by the ferroq memory store")
  end
end

redis.REDIS_VERSION = "7.0.15"
redis.REDIS_VERSION_NUM = 0x0007000f

return redis, function(f)
  exec = f
end
