// Redis stopped for 60 s and started again on the same port (same AOF dir),
// while an idle worker, a queue and a QueueEvents reader wait. Without any
// help they resume: delayed jobs that fell due during the outage run, new
// adds through the same Queue run, QueueEvents sees them complete. The
// outage is reported once per episode, not once per reconnect attempt. How
// long each took after Redis came back is printed, not asserted.
import { Queue, Worker, QueueEvents, Job } from '../..'
import { startRedis, startRedisOn, stopChild, RedisServer, tempDir, removeDir, sleep } from './support'

const OUTAGE_MS = 60000
const DUE = 10

let dir: string
let redis: RedisServer
let args: string[]
beforeAll(async () => {
  dir = tempDir('outage')
  args = ['--appendonly', 'yes', '--appendfsync', 'always', '--dir', dir]
  redis = await startRedis(args)
})
afterAll(async () => {
  await redis.stop()
  removeDir(dir)
})

type Coded = Error & { code?: string }

test('a 60 s outage: the idle worker, the queue and QueueEvents resume unaided and drain new and due jobs', async () => {
  const name = 'outage'
  const connection = { url: redis.url }
  const queue = new Queue(name, { connection })
  const events = new QueueEvents(name, { connection })
  await events.waitUntilReady()
  const completedAt = new Map<string, number>()
  const worker = new Worker(name, async (job: Job) => ({ n2: job.data.n * 2 }), { connection })
  worker.on('completed', (job: Job) => completedAt.set(job.id!, Date.now()))
  const workerErrors: Coded[] = []
  worker.on('error', (e: Coded) => workerErrors.push(e))
  const eventErrors: Coded[] = []
  events.on('error', (e: Coded) => eventErrors.push(e))
  const seenAt = new Map<string, number>()
  events.on('completed', ({ jobId }) => seenAt.set(jobId, Date.now()))

  // Idle worker; jobs that fall due while Redis is away.
  const before = await queue.add('before', { n: 0 })
  while (!seenAt.has(before.id!)) await sleep(20)
  const due = (await queue.addBulk(Array.from({ length: DUE }, (_, n) => ({ name: 'due', data: { n }, opts: { delay: 5000 } })))).map((j) => j.id!)

  // A graceful stop (the AOF is flushed); nothing listens on the port for 60 s.
  await stopChild(redis.child, 'SIGTERM')
  await sleep(OUTAGE_MS)
  redis = await startRedisOn(redis.port, args)
  const back = Date.now()

  // The same Queue object adds again; the same Worker runs everything.
  const late = await queue.add('late', { n: 21 })
  const addedAfter = Date.now() - back
  const all = [...due, late.id!]
  const deadline = Date.now() + 30000
  while (!all.every((id) => completedAt.has(id)) && Date.now() < deadline) await sleep(20)
  while (!all.every((id) => seenAt.has(id)) && Date.now() < deadline) await sleep(20)

  const lastDue = Math.max(...due.map((id) => completedAt.get(id) ?? Infinity)) - back
  console.log(`outage-60s: after Redis returned: add resolved in ${addedAfter} ms; ` +
    `due jobs completed by ${lastDue} ms; late job completed at ${(completedAt.get(late.id!) ?? NaN) - back} ms, ` +
    `seen by QueueEvents at ${(seenAt.get(late.id!) ?? NaN) - back} ms; ` +
    `worker error events: ${JSON.stringify(workerErrors.map((e) => e.code))}; events error events: ${JSON.stringify(eventErrors.map((e) => e.code))}`)

  expect(all.filter((id) => !completedAt.has(id))).toEqual([])
  expect(all.filter((id) => !seenAt.has(id))).toEqual([])
  expect(await queue.getJobCounts('completed', 'failed', 'active', 'wait', 'delayed')).toEqual({
    completed: DUE + 2, failed: 0, active: 0, wait: 0, delayed: 0,
  })
  expect((await queue.getJob(due[3]))!.returnvalue).toEqual({ n2: 6 })
  // Reported, once per episode (not once per attempt: ~120 attempts in 60 s).
  expect(workerErrors.length).toBeGreaterThan(0)
  expect(workerErrors.length).toBeLessThanOrEqual(3)
  expect(eventErrors.length).toBeGreaterThan(0)
  expect(eventErrors.length).toBeLessThanOrEqual(3)
  for (const e of [...workerErrors, ...eventErrors]) expect(['ERR_FERROQ_CONNECTION', 'ERR_FERROQ_REDIS_LOADING']).toContain(e.code)

  await worker.close()
  await events.close()
  await queue.close()
}, 120000)
