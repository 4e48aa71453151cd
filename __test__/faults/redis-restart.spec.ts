// Redis dies (SIGKILL) and comes back on the same port with the same AOF dir
// while jobs are waiting, delayed and active. The same Queue, Worker and
// QueueEvents objects carry on by themselves, and no job is lost.
import { Queue, Worker, QueueEvents, Job } from '../..'
import { startRedis, startRedisOn, stopChild, RedisServer, tempDir, removeDir, tally, sleep } from './support'

const WAITING = 200
const DELAYED = 20
// Long enough that the delayed jobs are still delayed when Redis is killed, on a loaded machine too.
const DELAY_MS = 4000

let dir: string
let redis: RedisServer
let args: string[]
beforeAll(async () => {
  dir = tempDir('restart')
  args = ['--appendonly', 'yes', '--appendfsync', 'always', '--dir', dir]
  redis = await startRedis(args)
})
afterAll(async () => {
  await redis.stop()
  removeDir(dir)
})

test('restart with jobs queued, delayed and active: the same objects resume, 0 lost', async () => {
  const name = 'restart'
  const connection = { url: redis.url }
  const queue = new Queue(name, { connection })
  const events = new QueueEvents(name, { connection })
  await events.waitUntilReady()
  const waitingIds = (await queue.addBulk(Array.from({ length: WAITING }, (_, i) => ({ name: 'w', data: { i } })))).map((j) => j.id!)
  const delayedIds = (await queue.addBulk(Array.from({ length: DELAYED }, (_, i) => ({ name: 'd', data: { i }, opts: { delay: DELAY_MS } })))).map((j) => j.id!)

  let worker: Worker | undefined
  try {
    const ran: string[] = []
    worker = new Worker(name, async (job) => {
      ran.push(job.id!)
      await sleep(20)
      // Short enough that a job whose fetch reply died with the server comes back
      // quickly through the stalled check; long enough to outlive the outage.
    }, { connection, concurrency: 5, lockDuration: 5000, stalledInterval: 1000 })
    const workerErrors: Error[] = []
    worker.on('error', (e) => workerErrors.push(e))
    const eventErrors: Error[] = []
    events.on('error', (e) => eventErrors.push(e))
    const completed = new Set<string>()
    worker.on('completed', (job: Job) => completed.add(job.id!))
    const seenByEvents = new Set<string>()
    events.on('completed', ({ jobId }) => seenByEvents.add(jobId))

    while (completed.size < 30) await sleep(10)
    const before = await queue.getJobCounts('active', 'wait', 'delayed')
    await stopChild(redis.child, 'SIGKILL')
    // Jobs in hand finish while Redis is away; their outcomes wait for it.
    await sleep(1500)
    redis = await startRedisOn(redis.port, args)

    // An add through the same Queue object works again.
    const late = await queue.add('late', {})
    const all = [...waitingIds, ...delayedIds, late.id!]
    const deadline = Date.now() + 30000
    while ((await queue.getJobCounts('completed')).completed < all.length && Date.now() < deadline) await sleep(100)
    // QueueEvents reconnected too: it sees jobs completed after the restart.
    while (!seenByEvents.has(late.id!) && Date.now() < deadline) await sleep(50)

    const counts = await queue.getJobCounts('completed', 'failed', 'active', 'wait', 'delayed')
    const { duplicates, lost } = tally(ran, all)
    console.log(`redis-restart: before kill ${JSON.stringify(before)}; completed=${counts.completed}/${all.length} ` +
      `duplicates=${JSON.stringify(duplicates)} lost=${lost.length} worker errors=${workerErrors.length} ` +
      `${JSON.stringify(workerErrors.map((e) => (e as Error & { code?: string }).code))} events errors=${eventErrors.length}`)
    expect(before.active).toBeGreaterThan(0)
    expect(before.delayed).toBe(DELAYED)
    expect(counts).toEqual({ completed: all.length, failed: 0, active: 0, wait: 0, delayed: 0 })
    expect(lost).toEqual([])
    expect(duplicates).toEqual([])
    expect(workerErrors.length).toBeGreaterThan(0)
    // Unreachable while it is down, then LOADING while it replays its AOF.
    const codes = new Set(workerErrors.map((e) => (e as Error & { code?: string }).code))
    for (const code of codes) expect(['ERR_FERROQ_CONNECTION', 'ERR_FERROQ_REDIS_LOADING']).toContain(code)
    expect(seenByEvents.has(late.id!)).toBe(true)
  } finally {
    // Closed even when an expectation fails, so Jest is not held open by a running worker.
    await worker?.close()
    await events.close()
    await queue.close()
  }
})
