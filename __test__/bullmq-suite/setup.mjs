// Runs before each BullMQ test file (vitest setupFiles): gives BullMQ's test
// utils their connection factory, for the library under test (SUITE_LIB):
//   bullmq: its own ioredis adapter around a new IORedis client, as BullMQ's
//           vitest.setup.ts does;
//   ferroq: a plain IORedis client, the `connection` an app passes.
import path from 'node:path'
import { createRequire } from 'node:module'
import { afterAll } from 'vitest'

const WORK = process.env.SUITE_WORK
const { setConnectionFactory } = await import(path.join(WORK, 'tests', 'utils', 'connection-factory.ts'))
const requireHere = createRequire(import.meta.url)

function options(opts) {
  return {
    host: (opts && opts.host) || process.env.REDIS_HOST || '127.0.0.1',
    port: (opts && opts.port) || Number(process.env.REDIS_PORT) || 6379,
    maxRetriesPerRequest: null,
  }
}

if (process.env.SUITE_LIB === 'ferroq') {
  const IORedis = requireHere('ioredis')
  setConnectionFactory((opts) => new IORedis(options(opts)))
  const { closeRawClients } = requireHere('./shim/get-redis-client.js')
  afterAll(closeRawClients)
  if (!process.env.SUITE_REDIS_VERSION) {
    const probe = new IORedis(options())
    const info = await probe.info('server')
    process.env.SUITE_REDIS_VERSION = (/redis_version:([\d.]+)/.exec(info) || [])[1]
    await probe.quit()
  }
} else {
  const dist = process.env.SUITE_BULLMQ_DIST
  const requireBullmq = createRequire(path.join(dist, 'cjs', 'index.js'))
  const IORedis = requireBullmq('ioredis')
  const { createIORedisClient } = requireBullmq('./classes/ioredis-client.js')
  setConnectionFactory((opts) => createIORedisClient(new IORedis(options(opts))))
}
