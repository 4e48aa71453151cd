// ferroq on a local Redis Cluster (3 masters + 3 replicas, started here):
// add, process, retry, delayed, events, a master failover with no job lost,
// and a clear error when keys would spread over slots.
import { Queue, Worker, QueueEvents, Job } from '../..'
import { collect, next, eventually } from '../helpers'

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { startCluster } = require('../setup/redis-cluster.js')

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe('Redis Cluster', () => {
  let cluster: { urls: string[]; masterFor(key: string): { port: number; pid: number }; stopNode(n: unknown): Promise<void>; stop(): Promise<void>; cli(port: number, ...a: string[]): string }
  let n = 0
  const name = (tag: string) => `{c-${tag}-${process.pid}-${++n}}`

  beforeAll(async () => {
    cluster = await startCluster()
  })
  afterAll(async () => {
    if (cluster) await cluster.stop()
  })

  test('a prefix without a hash tag is refused with a clear error', () => {
    let err: (Error & { code?: string }) | undefined
    try {
      new Queue('plain', { connection: { cluster: cluster.urls } })
    } catch (e) {
      err = e as Error & { code?: string }
    }
    expect(err?.code).toBe('ERR_FERROQ_INVALID_OPTION')
    expect(err?.message).toMatch(/hash tag/)
  })

  test('add, process, retry, delayed and events work with a hash-tagged name or prefix', async () => {
    for (const [qname, prefix] of [[name('name'), 'bull'], ['q', `{p${process.pid}}`]]) {
      const connection = { cluster: cluster.urls }
      const events = new QueueEvents(qname, { connection, prefix })
      await events.waitUntilReady()
      const queue = new Queue(qname, { connection, prefix })
      await queue.addBulk(Array.from({ length: 20 }, (_, i) => ({ name: 'j', data: { i } })))
      await queue.add('retry-me', { fail: true }, { attempts: 2, backoff: 50 })
      await queue.add('later', {}, { delay: 200 })
      const completedEvents = collect(events, 'completed', 22)
      let failedOnce = false
      const worker = new Worker(qname, async (job) => {
        if (job.data.fail && !failedOnce) {
          failedOnce = true
          throw new Error('first try fails')
        }
        return job.data.i ?? job.name
      }, { connection, prefix, concurrency: 5 })
      await completedEvents
      expect(await queue.getJobCounts('completed', 'failed', 'delayed', 'waiting')).toEqual({ completed: 22, failed: 0, delayed: 0, waiting: 0 })
      const retried = (await queue.getCompleted()).find((j) => j.name === 'retry-me')!
      expect(retried.attemptsMade).toBe(2)
      await worker.close()
      await events.close()
      await queue.close()
    }
  })

  test('an addBulk of 2,000 jobs (several script calls in one MULTI/EXEC) and a worker at concurrency 1000', async () => {
    const qname = name('bulk')
    const connection = { cluster: cluster.urls }
    const queue = new Queue(qname, { connection })
    const jobs = await queue.addBulk(Array.from({ length: 2000 }, (_, i) => ({ name: 'b', data: { i } })))
    expect(jobs.map((j) => j.id)).toEqual(Array.from({ length: 2000 }, (_, i) => String(i + 1)))
    expect(await queue.getWaitingCount()).toBe(2000)
    const worker = new Worker(qname, async (job) => job.data.i, { connection, concurrency: 1000 })
    await eventually(async () => (await queue.getCompletedCount()) === 2000, 120000)
    expect(await queue.getFailedCount()).toBe(0)
    await worker.close()
    await queue.close()
  }, 180000)

  test('a full master (maxmemory, noeviction) refuses adds and drains through the allow-oom transitions', async () => {
    const qname = name('full')
    const connection = { cluster: cluster.urls }
    const queue = new Queue(qname, { connection })
    await queue.add('first', {})
    const master = cluster.masterFor(`bull:${qname}:wait`)
    const used = Number(/used_memory:(\d+)/.exec(cluster.cli(master.port, 'INFO', 'memory'))![1])
    cluster.cli(master.port, 'CONFIG', 'SET', 'maxmemory', String(used + 2 * 1024 * 1024))
    try {
      const pad = 'x'.repeat(2000)
      const ids: string[] = []
      let refusal: (Error & { code?: string }) | undefined
      while (!refusal) {
        await queue.addBulk(Array.from({ length: 20 }, (_, i) => ({ name: 'fill', data: { i, pad } }))).then(
          (jobs) => ids.push(...jobs.map((j) => j.id!)),
          (e) => (refusal = e),
        )
      }
      expect(refusal.code).toBe('ERR_FERROQ_REDIS_OOM')
      const done = new Set<string>()
      const worker = new Worker(qname, async () => 'ok', { connection, concurrency: 8, removeOnComplete: true })
      worker.on('completed', (job: Job) => done.add(job.id!))
      await eventually(() => ids.every((id) => done.has(id)), 60000)
      const after = await queue.add('after', { pad })
      await eventually(() => done.has(after.id!))
      await worker.close()
    } finally {
      cluster.cli(master.port, 'CONFIG', 'SET', 'maxmemory', '0')
      await queue.close()
    }
  })

  test('a master failover during processing loses no job', async () => {
    const qname = name('failover')
    const connection = { cluster: cluster.urls }
    const queue = new Queue(qname, { connection })
    const total = 300
    await queue.addBulk(Array.from({ length: total }, (_, i) => ({ name: 'f', data: { i } })))
    const seen = new Set<number>()
    const worker = new Worker(qname, async (job: Job) => {
      await sleep(5)
      seen.add(job.data.i)
    }, { connection, concurrency: 10, lockDuration: 3000, stalledInterval: 1000 })
    worker.on('error', () => {})
    await eventually(() => seen.size >= 50)
    const master = cluster.masterFor(`bull:${qname}:wait`)
    await cluster.stopNode(master)
    await eventually(async () => {
      try {
        return (await queue.getCompletedCount()) === total
      } catch {
        return false
      }
    }, 90000)
    expect(seen.size).toBe(total)
    await worker.close()
    await queue.close()
  })
})
