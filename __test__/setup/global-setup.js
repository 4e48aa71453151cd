'use strict'
// One redis-server for the whole Jest run, unless REDIS_URL points at one or
// the suite runs on the embedded store (FERROQ_TEST_STORE=memory).
const { startRedis } = require('./redis-server')

module.exports = async function globalSetup() {
  if (process.env.REDIS_URL || process.env.FERROQ_TEST_STORE === 'memory') return
  const server = await startRedis()
  process.env.REDIS_URL = server.url
  process.env.FERROQ_TEST_REDIS_PID = String(server.pid)
  globalThis.__ferroqRedis = server
}
