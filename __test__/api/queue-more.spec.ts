// More of BullMQ 6's Queue, Job and Worker API, run against ferroq and bullmq
// alike: meta and version, the events stream cap and skipMetasUpdate, counts per priority, isMaxed, id ranges, the
// QueueEvents clients, rate-limit and orphan keys, custom events, clearing a
// job's log, a job's deduplication key, and a worker's concurrency changed
// while it runs.
import IORedis from 'ioredis'
import { BOTH, closer } from './parity'
import { queueName, next, testRedisOnly } from '../helpers'
import { gate } from '../compat/compat-helpers'

describe.each(BOTH)('more Queue API on %s', (_label, { lib, connection }) => {
  const c = closer()
  afterEach(() => c.closeAll())
  const queueOf = (tag: string) => c.add(new lib.Queue(queueName(tag), { connection: connection() }))

  test('getMeta and getVersion read the meta hash the queue wrote', async () => {
    const queue = queueOf('meta')
    expect(await queue.getVersion()).toMatch(/^bullmq:6\.7\.0/)
    await queue.setGlobalConcurrency(4)
    await queue.pause()
    const meta = await queue.getMeta()
    expect(meta).toEqual(expect.objectContaining({ concurrency: 4, maxLenEvents: 10000, paused: true }))
    expect(meta.version).toMatch(/^bullmq:6\.7\.0/)
  })

  test('streams.events.maxLen goes to meta; skipMetasUpdate leaves meta alone', async () => {
    const capped = c.add(new lib.Queue(queueName('maxlen'), { connection: connection(), streams: { events: { maxLen: 7 } } }))
    expect(capped.metaValues['opts.maxLenEvents']).toBe(7)
    await capped.waitUntilReady()
    await capped.add('first', 1)
    expect((await capped.getMeta()).maxLenEvents).toBe(7)

    const readOnly = c.add(new lib.Queue(queueName('skipmeta'), { connection: connection(), skipMetasUpdate: true }))
    await readOnly.waitUntilReady()
    await readOnly.add('a', 1)
    expect(await readOnly.getVersion()).toBeNull()
    expect((await readOnly.getMeta()).version).toBeUndefined()
  })

  testRedisOnly('streams.events.maxLen caps the events stream', async () => {
    const capped = c.add(new lib.Queue(queueName('maxlen'), { connection: connection(), streams: { events: { maxLen: 7 } } }))
    // bullmq writes its meta while connecting: wait for it, or the first script finds none and writes the default.
    await capped.waitUntilReady()
    expect(await capped.getVersion()).toMatch(/^bullmq:/)
    await capped.addBulk(Array.from({ length: 300 }, (_, i) => ({ name: 'j', data: i })))
    const r = new IORedis(process.env.REDIS_URL!)
    try {
      // Two events per job (added, waiting): 600 written, trimmed to about 7
      // (Redis trims whole stream nodes of up to 100 entries, so some remain).
      const len = await r.xlen(capped.toKey('events'))
      expect(len).toBeGreaterThanOrEqual(7)
      expect(len).toBeLessThanOrEqual(200)
    } finally {
      r.disconnect()
    }
  })

  test('getCountsPerPriority counts waiting jobs per priority (0 = no priority)', async () => {
    const queue = queueOf('prio')
    await queue.addBulk([
      { name: 'a', data: 1 },
      { name: 'b', data: 1, opts: { priority: 1 } },
      { name: 'c', data: 1, opts: { priority: 1 } },
      { name: 'd', data: 1, opts: { priority: 2097151 } },
    ])
    expect(await queue.getCountsPerPriority([0, 1, 2, 2097151, 1])).toEqual({ 0: 1, 1: 2, 2: 0, 2097151: 1 })
  })

  test('isMaxed says whether the global concurrency is used up', async () => {
    const name = queueName('maxed')
    const queue = c.add(new lib.Queue(name, { connection: connection() }))
    expect(await queue.isMaxed()).toBe(false)
    await queue.setGlobalConcurrency(1)
    const open = gate()
    const started = gate()
    const worker = c.add(new lib.Worker(name, async () => {
      started.open()
      await open.promise
    }, { connection: connection() }))
    await queue.add('a', 1)
    await started.promise
    expect(await queue.isMaxed()).toBe(true)
    open.open()
    await next(worker, 'completed')
    expect(await queue.isMaxed()).toBe(false)
  })

  test('getRanges lists job ids of the given states', async () => {
    const queue = queueOf('ranges')
    await queue.addBulk([1, 2, 3].map((n) => ({ name: 'j', data: n })))
    await queue.add('d', 1, { delay: 60_000 })
    expect((await queue.getRanges(['waiting'], 0, -1, true)).sort()).toEqual(['1', '2', '3'])
    expect(await queue.getRanges(['delayed'], 0, -1)).toEqual(['4'])
    expect(await queue.getRanges(['waiting'], 0, 0, true)).toEqual(['1'])
  })

  test('getQueueEvents lists the connected QueueEvents readers', async () => {
    const name = queueName('qeclients')
    const queue = c.add(new lib.Queue(name, { connection: connection() }))
    expect(await queue.getQueueEvents()).toEqual([])
    const events = c.add(new lib.QueueEvents(name, { connection: connection() }))
    await events.waitUntilReady()
    const list = await queue.getQueueEvents()
    expect(list).toHaveLength(1)
    expect(list[0].name).toBe(name)
    expect(list[0].rawname).toMatch(/:qe$/)
  })

  test('removeRateLimitKey ends a rate limit', async () => {
    const queue = queueOf('ratekey')
    await queue.rateLimit(60_000)
    expect(await queue.getRateLimitTtl()).toBeGreaterThan(0)
    expect(await queue.removeRateLimitKey()).toBe(1)
    expect(await queue.getRateLimitTtl()).toBeLessThanOrEqual(0)
    expect(await queue.removeRateLimitKey()).toBe(0)
  })

  // Redis only: ioredis writes the orphaned keys and lists what is left.
  testRedisOnly('removeOrphanedJobs deletes job data no state holds, and nothing else', async () => {
    const queue = queueOf('orphans')
    const kept = await queue.add('k', 1)
    const r = new IORedis(process.env.REDIS_URL!)
    try {
      await r.hset(queue.toKey('lost-1'), 'name', 'x', 'data', '{}')
      await r.rpush(queue.toKey('lost-1:logs'), 'line')
      await r.hset(queue.toKey('lost-2'), 'name', 'y')
      expect(await queue.removeOrphanedJobs()).toBe(2)
      expect(await r.exists(queue.toKey('lost-1'), queue.toKey('lost-1:logs'), queue.toKey('lost-2'))).toBe(0)
      expect(await queue.getJob(kept.id)).toBeDefined()
      expect(await queue.removeOrphanedJobs()).toBe(0)
    } finally {
      r.disconnect()
    }
  })

  test('QueueEventsProducer publishes custom events every QueueEvents reader sees', async () => {
    const name = queueName('producer')
    const events = c.add(new lib.QueueEvents(name, { connection: connection() }))
    await events.waitUntilReady()
    const producer = c.add(new lib.QueueEventsProducer(name, { connection: connection() }))
    const seen = next<[Record<string, string>, string]>(events, 'example-event')
    await producer.publishEvent({ eventName: 'example-event', foo: 'bar', n: 7 })
    const [args, id] = await seen
    expect(args).toEqual({ foo: 'bar', n: '7' })
    expect(id).toMatch(/^\d+-\d+$/)
  })

  test('job.clearLogs deletes a log or keeps its last lines', async () => {
    const queue = queueOf('clearlogs')
    const job = await queue.add('l', 1)
    for (const row of ['a', 'b', 'c']) await job.log(row)
    await job.clearLogs(2)
    expect(await queue.getJobLogs(job.id)).toEqual({ logs: ['b', 'c'], count: 2 })
    await job.clearLogs()
    expect(await queue.getJobLogs(job.id)).toEqual({ logs: [], count: 0 })
  })

  test('job.removeDeduplicationKey releases the id only while the job holds it', async () => {
    const queue = queueOf('dedupkey')
    const first = await queue.add('d', 1, { deduplication: { id: 'same' } })
    expect((await queue.add('d', 2, { deduplication: { id: 'same' } })).id).toBe(first.id)
    expect(await first.removeDeduplicationKey()).toBe(true)
    expect(await first.removeDeduplicationKey()).toBe(false)
    const second = await queue.add('d', 3, { deduplication: { id: 'same' } })
    expect(second.id).not.toBe(first.id)
    expect(await first.removeDeduplicationKey()).toBe(false)
    expect(await queue.getDeduplicationJobId('same')).toBe(second.id)
    expect(await (await queue.add('plain', 1)).removeDeduplicationKey()).toBe(false)
  })

  test('worker.concurrency set while running takes more jobs at once', async () => {
    const name = queueName('concurrency')
    const queue = c.add(new lib.Queue(name, { connection: connection() }))
    const open = gate()
    let running = 0
    let most = 0
    const three = gate()
    const worker = c.add(new lib.Worker(name, async () => {
      running++
      most = Math.max(most, running)
      if (running === 3) three.open()
      await open.promise
      running--
    }, { connection: connection(), concurrency: 1 }))
    expect(() => {
      worker.concurrency = NaN
    }).toThrow('concurrency must be a finite number greater than 0')
    // Listening before the add: the worker may start the first job before addBulk resolves.
    const firstActive = next(worker, 'active')
    await queue.addBulk([1, 2, 3].map((n) => ({ name: 'j', data: n })))
    await firstActive
    worker.concurrency = 3
    expect(worker.concurrency).toBe(3)
    await three.promise
    expect(most).toBe(3)
    open.open()
  })

  test('maximumRateLimitDelay bounds how long a rate-limited worker idles', async () => {
    const name = queueName('maxratedelay')
    const queue = c.add(new lib.Queue(name, { connection: connection() }))
    await queue.add('j', 1)
    await queue.rateLimit(60_000)
    const worker = c.add(new lib.Worker(name, async () => 'ok', {
      connection: connection(),
      limiter: { max: 10, duration: 1000 },
      maximumRateLimitDelay: 100,
    }))
    const completed = next(worker, 'completed', 10_000)
    await next(worker, 'ready')
    // Give the worker time to meet the limit and start idling.
    await new Promise((r) => setTimeout(r, 300))
    expect(await queue.getCompletedCount()).toBe(0)
    await queue.removeRateLimitKey()
    // With BullMQ's default (30 s) the worker would still idle when this gives up.
    await completed
  })
})
