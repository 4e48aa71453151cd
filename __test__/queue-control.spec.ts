// Queue control as in BullMQ 6: pause/resume, clean, drain, obliterate, retryJobs,
// promote, moveToDelayed, rate limits, metrics, deduplication.
import { Queue, Worker, QueueEvents, Job, DelayedError } from '..'
import { connection, queueName, next, collect, eventually, testRedisOnly } from './helpers'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe('queue control', () => {
  test("queue.client answers the server's INFO (one section or the default ones) and PING; getBackend() names the queue", async () => {
    const name = queueName('client-info')
    const queue = new Queue(name, { connection: connection() })
    const client = await queue.client
    expect(await client.info('server')).toMatch(/^redis_version:\d+\.\d+/m)
    expect(await client.info()).toMatch(/^connected_clients:\d+/m)
    expect(await client.ping()).toBe('PONG')
    const backend = queue.getBackend()
    expect(backend).toBe(queue.getBackend())
    expect({ name: backend.name, qualifiedName: backend.qualifiedName, key: backend.toKey('wait') }).toEqual({
      name,
      qualifiedName: `bull:${name}`,
      key: `bull:${name}:wait`,
    })
    expect(backend.parseNodeKey(`my:prefix:${name}:42`)).toEqual({ prefix: 'my:prefix', queueName: name, id: '42' })
    // Another queue's backend, for flows read across queues: its own handle, closed with this queue.
    expect(backend.forQueue(name)).toBe(backend)
    const other = backend.forQueue(`${name}-other`, 'pfx')
    expect({ name: other.name, qualifiedName: other.qualifiedName }).toEqual({ name: `${name}-other`, qualifiedName: `pfx:${name}-other` })
    expect(await other.getState('nope')).toBe('unknown')
    await queue.close()
    expect(() => backend.forQueue(`${name}-third`)).toThrow(expect.objectContaining({ code: 'ERR_FERROQ_CLOSED' }))
  })

  test('pause stops every worker; resume restarts them', async () => {
    const name = queueName('pause')
    const queue = new Queue(name, { connection: connection() })
    await queue.pause()
    expect(await queue.isPaused()).toBe(true)
    await queue.add('a', {})
    const worker = new Worker(name, async () => 'ok', { connection: connection(), drainDelay: 1 })
    await sleep(150)
    expect(await queue.getJobCounts('waiting', 'completed')).toEqual({ waiting: 1, completed: 0 })
    // Listen before acting: the job may complete before resume() returns.
    const completed = next(worker, 'completed')
    await queue.resume()
    await completed
    await worker.close()
    await queue.close()
  })

  test('clean removes old finished jobs by grace and limit, emits cleaned', async () => {
    const name = queueName('clean')
    const queue = new Queue(name, { connection: connection() })
    await queue.addBulk(Array.from({ length: 6 }, (_, i) => ({ name: 'c', data: { i } })))
    const worker = new Worker(name, async (job) => { if (job.data.i >= 4) throw new Error('x') }, { connection: connection() })
    await collect(worker, 'failed', 2)
    await eventually(async () => (await queue.getCompletedCount()) === 4)
    await worker.close()
    expect(await queue.clean(60_000, 0, 'completed')).toEqual([])
    const removed = await queue.clean(0, 3, 'completed')
    expect(removed).toHaveLength(3)
    expect(await queue.getCompletedCount()).toBe(1)
    expect(await queue.clean(0, 0, 'failed')).toHaveLength(2)
    expect(await queue.getJob(removed[0])).toBeUndefined()
    await queue.close()
  })

  test('drain removes waiting (and with the flag, delayed) jobs only', async () => {
    const name = queueName('drain')
    const queue = new Queue(name, { connection: connection() })
    await queue.add('w', {})
    await queue.add('p', {}, { priority: 3 })
    await queue.add('d', {}, { delay: 60_000 })
    await queue.drain()
    expect(await queue.getJobCounts('waiting', 'prioritized', 'delayed')).toEqual({ waiting: 0, prioritized: 0, delayed: 1 })
    await queue.drain(true)
    expect(await queue.getDelayedCount()).toBe(0)
    await queue.close()
  })

  // Redis only: ioredis lists the keys left behind.
  testRedisOnly('obliterate deletes every key of the queue', async () => {
    const name = queueName('obl')
    const queue = new Queue(name, { connection: connection() })
    await queue.addBulk(Array.from({ length: 2500 }, (_, i) => ({ name: 'o', data: { i } })))
    await queue.add('d', {}, { delay: 60_000 })
    await queue.obliterate()
    expect(await queue.count()).toBe(0)
    const IORedis = require('ioredis')
    const redis = new IORedis(process.env.REDIS_URL)
    const keys: string[] = await redis.keys(`bull:${name}:*`)
    await redis.quit()
    expect(keys).toEqual([])
    await queue.close()
  })

  test('retryJobs moves failed jobs back and they run again', async () => {
    const name = queueName('retryjobs')
    const queue = new Queue(name, { connection: connection() })
    await queue.addBulk(Array.from({ length: 5 }, () => ({ name: 'r', data: {} })))
    let fail = true
    const worker = new Worker(name, async () => { if (fail) throw new Error('no') ; return 'yes' }, { connection: connection() })
    await collect(worker, 'failed', 5)
    fail = false
    const completed = collect(worker, 'completed', 5)
    await queue.retryJobs({ state: 'failed' })
    await completed
    expect(await queue.getJobCounts('completed', 'failed')).toEqual({ completed: 5, failed: 0 })
    await worker.close()
    await queue.close()
  })

  test('promote and promoteJobs run delayed jobs now', async () => {
    const name = queueName('promote')
    const queue = new Queue(name, { connection: connection() })
    const a = await queue.add('a', {}, { delay: 60_000 })
    await queue.add('b', {}, { delay: 60_000 })
    await a.promote()
    expect(await a.getState()).toBe('waiting')
    await queue.promoteJobs()
    expect(await queue.getJobCounts('waiting', 'delayed')).toEqual({ waiting: 2, delayed: 0 })
    await queue.close()
  })

  test('job.moveToDelayed + DelayedError parks the job without counting an attempt', async () => {
    const name = queueName('movedelayed')
    const queue = new Queue(name, { connection: connection() })
    const { id } = await queue.add('m', { step: 1 })
    let runs = 0
    const worker = new Worker(name, async (job, token) => {
      runs++
      if (runs === 1) {
        await job.moveToDelayed(Date.now() + 100, token)
        throw new DelayedError()
      }
      return runs
    }, { connection: connection() })
    const [done] = await next<[Job]>(worker, 'completed')
    expect(done.id).toBe(id)
    const job = (await queue.getJob(id!))!
    expect(job.attemptsMade).toBe(1)
    expect(job.attemptsStarted).toBe(2)
    await worker.close()
    await queue.close()
  })

  test('a queue-wide limiter holds jobs to max per duration', async () => {
    const name = queueName('limiter')
    const queue = new Queue(name, { connection: connection() })
    await queue.addBulk(Array.from({ length: 6 }, () => ({ name: 'l', data: {} })))
    const starts: number[] = []
    const worker = new Worker(name, async () => { starts.push(Date.now()) }, {
      connection: connection(), concurrency: 5, limiter: { max: 2, duration: 300 },
    })
    await collect(worker, 'completed', 6)
    // 6 jobs at 2 per 300 ms need at least two full windows.
    expect(starts[5] - starts[0]).toBeGreaterThanOrEqual(550)
    await worker.close()
    await queue.close()
  })

  test('global concurrency caps active jobs across workers; a global rate limit is shared', async () => {
    const name = queueName('global')
    const queue = new Queue(name, { connection: connection() })
    await queue.setGlobalConcurrency(2)
    expect(await queue.getGlobalConcurrency()).toBe(2)
    await queue.addBulk(Array.from({ length: 8 }, () => ({ name: 'g', data: {} })))
    let running = 0
    let peak = 0
    const proc = async () => {
      running++
      peak = Math.max(peak, running)
      await sleep(40)
      running--
    }
    const w1 = new Worker(name, proc, { connection: connection(), concurrency: 5 })
    const w2 = new Worker(name, proc, { connection: connection(), concurrency: 5 })
    await eventually(async () => (await queue.getCompletedCount()) === 8)
    expect(peak).toBeLessThanOrEqual(2)
    await queue.removeGlobalConcurrency()
    expect(await queue.getGlobalConcurrency()).toBeNull()
    await queue.setGlobalRateLimit(3, 1000)
    expect(await queue.getGlobalRateLimit()).toEqual({ max: 3, duration: 1000 })
    await queue.removeGlobalRateLimit()
    expect(await queue.getGlobalRateLimit()).toBeNull()
    await w1.close()
    await w2.close()
    await queue.close()
  })

  test('metrics count completed jobs when the worker has them on', async () => {
    const name = queueName('metrics')
    const queue = new Queue(name, { connection: connection() })
    await queue.addBulk(Array.from({ length: 3 }, () => ({ name: 'm', data: {} })))
    const worker = new Worker(name, async () => 1, { connection: connection(), metrics: { maxDataPoints: 10 } } as never)
    await collect(worker, 'completed', 3)
    const m = await queue.getMetrics('completed')
    expect(m.meta.count).toBe(3)
    await worker.close()
    await queue.close()
  })

  test('deduplication: simple mode keeps one job; getDeduplicationJobId names it', async () => {
    const name = queueName('dedup')
    const queue = new Queue(name, { connection: connection() })
    const events = new QueueEvents(name, { connection: connection() })
    await events.waitUntilReady()
    const first = await queue.add('d', { n: 1 }, { deduplication: { id: 'user-1' } })
    const dup = next<[{ jobId: string; deduplicationId: string }]>(events, 'deduplicated')
    const second = await queue.add('d', { n: 2 }, { deduplication: { id: 'user-1' } })
    expect(second.id).toBe(first.id)
    expect((await dup)[0]).toMatchObject({ jobId: first.id, deduplicationId: 'user-1' })
    expect(await queue.getDeduplicationJobId('user-1')).toBe(first.id)
    expect(await queue.count()).toBe(1)
    await events.close()
    await queue.close()
  })

  test('deduplication debounce: replace + delay keeps only the last job', async () => {
    const name = queueName('debounce')
    const queue = new Queue(name, { connection: connection() })
    let last
    for (let i = 0; i < 5; i++) {
      last = await queue.add('d', { i }, { delay: 200, deduplication: { id: 'u', ttl: 200, extend: true, replace: true } })
    }
    expect(await queue.getDelayedCount()).toBe(1)
    const seen: number[] = []
    const worker = new Worker(name, async (job) => { seen.push(job.data.i) }, { connection: connection() })
    await next(worker, 'completed')
    expect(seen).toEqual([4])
    expect((await queue.getCompleted())[0].id).toBe(last!.id)
    await worker.close()
    await queue.close()
  })
})
