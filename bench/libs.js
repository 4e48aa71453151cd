'use strict'
// The libraries a measurement can load, one per child process. Each entry is loaded lazily,
// so a child that measures bullmq never requires ferroq, and the other way round.
//
//   bullmq          bullmq 6.7.0 (dev dependency) on the private Redis
//   ferroq          this checkout (or BENCH_FERROQ=/path/to/another/checkout) on the private Redis
//   ferroq-memory   the same ferroq on its embedded store, connection 'memory://bench' (no Redis)

const path = require('node:path')

const ROOT = path.join(__dirname, '..')
const LIB_NAMES = ['bullmq', 'ferroq', 'ferroq-memory']

/** Where ferroq is loaded from: BENCH_FERROQ compares another build (e.g. an unstripped one for perf). */
const ferroqPath = () => (process.env.BENCH_FERROQ ? path.resolve(process.env.BENCH_FERROQ) : ROOT)

/** true when the library talks to the Redis under test (its INFO figures are its own). */
const usesRedis = (lib) => lib !== 'ferroq-memory'

/**
 * Loads one library. `redis` is { host, port, url } of the server under test.
 * Returns { name, version, Queue, Worker, connection() } where connection() is a fresh
 * connection option per Queue/Worker, in the form that library documents.
 */
function loadLib(lib, redis) {
  switch (lib) {
    case 'bullmq': {
      const bullmq = require('bullmq')
      return {
        name: lib,
        version: require('bullmq/package.json').version,
        Queue: bullmq.Queue,
        Worker: bullmq.Worker,
        connection: () => ({ host: redis.host, port: redis.port }),
      }
    }
    case 'ferroq':
    case 'ferroq-memory': {
      const ferroq = require(ferroqPath())
      return {
        name: lib,
        version: ferroq.version,
        Queue: ferroq.Queue,
        Worker: ferroq.Worker,
        connection: lib === 'ferroq' ? () => ({ url: redis.url }) : () => 'memory://bench',
      }
    }
    default:
      throw new Error(`unknown library ${JSON.stringify(lib)} (known: ${LIB_NAMES.join(', ')})`)
  }
}

module.exports = { LIB_NAMES, loadLib, usesRedis, ferroqPath }
