'use strict'
// With SUITE_RAW_CLIENT (the default), stands in for BullMQ's test util
// tests/utils/get-redis-client.ts when the library under test is ferroq.
// BullMQ's tests reach the raw Redis client through `x.getBackend().client`,
// a BullMQ internal ferroq does not have; ferroq keeps BullMQ's data layout,
// so these tests get their own ioredis client to the same Redis instead and
// still check what ferroq wrote. Connection internals (the blocking client,
// RedisConnection) stay unavailable: tests that need them fail.
const IORedis = require('ioredis')

const open = []
const byTarget = new WeakMap()

function getRedisClient(target) {
  if (!byTarget.has(target)) {
    const conn = target && target.opts && target.opts.connection
    const o = (conn && conn.options) || {}
    const client = new IORedis({
      host: o.host || process.env.REDIS_HOST || '127.0.0.1',
      port: o.port || Number(process.env.REDIS_PORT) || 6379,
      maxRetriesPerRequest: null,
    })
    open.push(client)
    byTarget.set(target, client)
  }
  return Promise.resolve(byTarget.get(target))
}

function unavailable(what) {
  return () => {
    throw new Error(`bullmq-suite: ferroq exposes no ${what}`)
  }
}

/** Closes the clients handed out (setup.mjs calls this after each file). */
async function closeRawClients() {
  await Promise.all(open.splice(0).map((c) => c.quit().catch(() => c.disconnect())))
}

module.exports = {
  getRedisClient,
  getBlockingRedisClient: unavailable('blocking Redis client'),
  getRedisConnection: unavailable('RedisConnection'),
  getBlockingRedisConnection: unavailable('blocking RedisConnection'),
  // The Redis server's version, read once by setup.mjs (not something ferroq reports).
  getRedisVersion: () => process.env.SUITE_REDIS_VERSION,
  getDatabaseType: () => 'redis',
  closeRawClients,
}
