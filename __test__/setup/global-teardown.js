'use strict'
module.exports = async function globalTeardown() {
  const server = globalThis.__ferroqRedis
  if (server) await server.stop()
}
