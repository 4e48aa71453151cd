// close() in the middle of heavy processing (concurrency 50, 2,000 jobs with
// small random delays), in a child process: the jobs in hand finish, nothing is
// left active in Redis, and the process then exits by itself with code 0.
import Redis from 'ioredis'
import { Queue } from '../..'
import { spawnWorker } from '../fixtures/spawn-worker'
import { startRedis, RedisServer, tally, within } from './support'

const TOTAL = 2000

let redis: RedisServer
beforeAll(async () => {
  redis = await startRedis()
})
afterAll(async () => {
  await redis.stop()
})

test('close() at 500/2000 with 50 in flight: in-flight jobs finish, 0 active, child exits 0 within 5 s', async () => {
  const name = 'close-load'
  const recordKey = `test:${name}:ran`
  const queue = new Queue(name, { connection: { url: redis.url } })
  const ids = (await queue.addBulk(Array.from({ length: TOTAL }, (_, i) => ({ name: 'j', data: { i } })))).map((j) => j.id!)

  const child = spawnWorker({ url: redis.url, queue: name, mode: 'close', recordKey, concurrency: 50, maxDelayMs: 20, closeAfter: 500 })
  await child.waitForLine((l) => l === 'closing', 30000)
  const code = await within(child.exited, 5000, 'the worker process exit after close()')
  const closedLine = child.lines.find((l) => l.startsWith('closed '))

  const recorder = new Redis(redis.url)
  const ran = await recorder.lrange(recordKey, 0, -1)
  await recorder.quit()
  const counts = await queue.getJobCounts('completed', 'failed', 'active', 'wait')
  const { duplicates, lost } = tally(ran, ids)
  console.log(`close-under-load: exit=${code} ${closedLine}; ran=${ran.length} completed=${counts.completed} ` +
    `wait=${counts.wait} active=${counts.active} duplicates=${duplicates.length} (lost = never started: ${lost.length})`)

  expect(code).toBe(0)
  // close() resolved only once nothing was in flight.
  expect(closedLine).toBe('closed 0')
  expect(counts.active).toBe(0)
  expect(counts.failed).toBe(0)
  // Every job whose processor ran was completed; the rest are untouched in wait.
  expect(counts.completed).toBe(ran.length)
  expect(counts.completed).toBeGreaterThanOrEqual(500)
  expect(counts.completed + counts.wait).toBe(TOTAL)
  expect(duplicates).toEqual([])
  await queue.close()
})
