// A worker process SIGKILLed in the middle of 1,000 jobs: a second worker
// finishes the run. Every job completes; the only jobs that may run twice are
// those the dead process held when it died (re-run after their lock expired).
import Redis from 'ioredis'
import { Queue, Worker } from '../..'
import { spawnWorker } from '../fixtures/spawn-worker'
import { startRedis, RedisServer, tally } from './support'

const TOTAL = 1000
const LOCKS = { lockDuration: 1000, stalledInterval: 500 }

let redis: RedisServer
beforeAll(async () => {
  redis = await startRedis()
})
afterAll(async () => {
  await redis.stop()
})

test('SIGKILL mid-run: 1000/1000 completed, 0 lost, duplicates only among jobs the dead worker held', async () => {
  const name = 'killed'
  const recordKey = `test:${name}:ran`
  const connection = { url: redis.url }
  const queue = new Queue(name, { connection })
  const ids = (await queue.addBulk(Array.from({ length: TOTAL }, (_, i) => ({ name: 'j', data: { i } })))).map((j) => j.id!)

  const child = spawnWorker({ url: redis.url, queue: name, mode: 'record', recordKey, concurrency: 10, maxDelayMs: 5, ...LOCKS })
  await child.waitForLine((l) => l === 'done 300', 20000)
  await child.kill()
  // What the dead process had started but not seen complete: the only candidates for a re-run.
  const startedByChild = new Set(child.lines.filter((l) => l.startsWith('active ')).map((l) => l.slice(7)))
  const recorder = new Redis(redis.url)
  const recordedByChild = await recorder.lrange(recordKey, 0, -1)
  const completedAtKill = (await queue.getJobCounts('completed')).completed
  const activeAtKill = (await queue.getJobCounts('active')).active

  const worker = new Worker(name, async (job) => {
    await recorder.rpush(recordKey, job.id!)
  }, { connection, concurrency: 10, ...LOCKS })
  let stalled = 0
  worker.on('stalled', () => { stalled += 1 })
  const deadline = Date.now() + 30000
  while ((await queue.getJobCounts('completed')).completed < TOTAL && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100))
  }
  await worker.close()

  const recorded = await recorder.lrange(recordKey, 0, -1)
  const { duplicates, lost, distinct } = tally(recorded, ids)
  const counts = await queue.getJobCounts('completed', 'failed', 'active', 'wait', 'delayed')
  console.log(`worker-killed: child ran ${recordedByChild.length} (completed ${completedAtKill}, active ${activeAtKill} at kill); ` +
    `completed=${counts.completed} distinct=${distinct} duplicates=${JSON.stringify(duplicates)} lost=${lost.length} stalled=${stalled}`)

  expect(counts).toEqual({ completed: TOTAL, failed: 0, active: 0, wait: 0, delayed: 0 })
  expect(lost).toEqual([])
  expect(distinct).toBe(TOTAL)
  for (const id of duplicates) expect(startedByChild.has(id)).toBe(true)
  // Jobs active when the child died came back through the stalled check.
  expect(stalled).toBe(activeAtKill)
  await recorder.quit()
  await queue.close()
})
