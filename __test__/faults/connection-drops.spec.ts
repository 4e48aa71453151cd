// The server drops ferroq's connections again and again (CLIENT KILL TYPE
// normal from another client) and then stops answering for 2 s (CLIENT PAUSE):
// the worker reports `error`s, never crashes, and every job completes.
import Redis from 'ioredis'
import { Queue, Worker, QueueEvents, Job } from '../..'
import { startRedis, RedisServer, tally, sleep } from './support'

const TOTAL = 500

let redis: RedisServer
beforeAll(async () => {
  redis = await startRedis()
})
afterAll(async () => {
  await redis.stop()
})

test('CLIENT KILL x8 over 2 s, then CLIENT PAUSE 2000: error events, no crash, 500/500 complete', async () => {
  const name = 'drops'
  const connection = { url: redis.url }
  const queue = new Queue(name, { connection })
  const events = new QueueEvents(name, { connection })
  await events.waitUntilReady()
  const ids = (await queue.addBulk(Array.from({ length: TOTAL }, (_, i) => ({ name: 'j', data: { i } })))).map((j) => j.id!)

  const ran: string[] = []
  const worker = new Worker(name, async (job) => {
    ran.push(job.id!)
    await sleep(5 + Math.random() * 10)
  // A fetch whose reply was lost with its connection leaves jobs locked by
  // nobody; a short lock brings them back soon through the stalled check.
  }, { connection, concurrency: 10, lockDuration: 2000, stalledInterval: 1000 })
  const errors: Array<Error & { code?: string }> = []
  worker.on('error', (e) => errors.push(e))
  const eventErrors: Error[] = []
  events.on('error', (e) => eventErrors.push(e))
  let completed = 0
  worker.on('completed', (_job: Job) => { completed += 1 })

  const admin = new Redis(redis.url)
  while (completed < 20) await sleep(5)
  let killed = 0
  for (let i = 0; i < 8; i++) {
    // SKIPME defaults to yes: the admin connection survives its own kills.
    killed += Number(await admin.client('KILL', 'TYPE', 'normal'))
    await sleep(250)
  }
  await admin.client('PAUSE', 2000)
  await sleep(2100)
  killed += Number(await admin.client('KILL', 'TYPE', 'normal'))

  const deadline = Date.now() + 30000
  while ((await queue.getJobCounts('completed')).completed < TOTAL && Date.now() < deadline) await sleep(100)
  const counts = await queue.getJobCounts('completed', 'failed', 'active', 'wait')
  const { duplicates, lost } = tally(ran, ids)
  const codes = [...new Set(errors.map((e) => e.code))]
  console.log(`connection-drops: ${killed} connections killed; completed=${counts.completed}/${TOTAL} duplicates=${JSON.stringify(duplicates)} ` +
    `lost=${lost.length} worker errors=${errors.length} ${JSON.stringify(codes)} events errors=${eventErrors.length}; ` +
    `lock errors: ${JSON.stringify(errors.filter((e) => e.code === 'ERR_FERROQ_LOCK_MISMATCH').map((e) => e.message))}`)

  expect(killed).toBeGreaterThan(8)
  expect(errors.length).toBeGreaterThan(0)
  for (const e of errors) expect(e.code).toMatch(/^ERR_FERROQ_/)
  expect(counts).toEqual({ completed: TOTAL, failed: 0, active: 0, wait: 0 })
  expect(lost).toEqual([])
  await worker.close()
  await events.close()
  await queue.close()
  await admin.quit()
})
