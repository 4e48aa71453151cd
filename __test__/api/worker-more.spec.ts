// More of BullMQ 6's Worker and Queue API, run against ferroq and bullmq
// alike: the stalled check of a worker processed by hand, extendJobLocks,
// delay, job.delay after a backoff retry, the deprecated debounce names, and
// the constants and classes BullMQ exports.
import IORedis from 'ioredis'
import { BOTH, closer } from './parity'
import { queueName, next, testRedisOnly } from '../helpers'

describe.each(BOTH)('more Worker API on %s', (_label, { lib, connection }) => {
  const c = closer()
  afterEach(() => c.closeAll())

  test('startStalledCheckTimer moves a job processed by hand back to wait once its lock expired', async () => {
    const name = queueName('manualstalled')
    const queue = c.add(new lib.Queue(name, { connection: connection() }))
    const worker = c.add(new lib.Worker(name, null, { connection: connection(), lockDuration: 200, stalledInterval: 300 }))
    await queue.add('s', 1)
    const job = await worker.getNextJob('tk')
    expect(await job.getState()).toBe('active')
    const stalled = next<[string, string]>(worker, 'stalled')
    await worker.startStalledCheckTimer()
    const [id, prev] = await stalled
    expect([id, prev]).toEqual([job.id, 'active'])
    expect(await queue.getJobState(job.id)).toBe('waiting')
  })

  // Redis only: ioredis reads or writes the keys directly.
  testRedisOnly('extendJobLocks extends held locks and names the jobs whose lock is lost', async () => {
    const name = queueName('extendlocks')
    const queue = c.add(new lib.Queue(name, { connection: connection() }))
    const worker = c.add(new lib.Worker(name, null, { connection: connection() }))
    await queue.add('a', 1)
    const job = await worker.getNextJob('tk')
    const lost = await worker.extendJobLocks([job.id, 'no-such-job'], ['tk', 'tk'], 90_000)
    expect(lost).toEqual(['no-such-job'])
    const r = new IORedis(process.env.REDIS_URL!)
    try {
      expect(await r.pttl(queue.toKey(`${job.id}:lock`))).toBeGreaterThan(60_000)
    } finally {
      r.disconnect()
    }
  })

  test('delay resolves after the time or when its AbortController aborts', async () => {
    const worker = c.add(new lib.Worker(queueName('delay'), null, { connection: connection() }))
    await worker.delay(5)
    const ac = new AbortController()
    const waiting = worker.delay(60_000, ac)
    ac.abort()
    await waiting
    expect(worker.Job).toBe(lib.Job)
  })

  test('job.delay is the backoff delay of a retry', async () => {
    const name = queueName('retrydelay')
    const queue = c.add(new lib.Queue(name, { connection: connection() }))
    const worker = c.add(new lib.Worker(name, async () => {
      throw new Error('again')
    }, { connection: connection() }))
    const failed = next<[{ delay: number; attemptsMade: number }]>(worker, 'failed')
    await queue.add('r', 1, { attempts: 2, backoff: { type: 'fixed', delay: 60_000 } })
    const [job] = await failed
    expect([job.delay, job.attemptsMade]).toEqual([60_000, 1])
  })

  // Redis only: ioredis reads or writes the keys directly.
  testRedisOnly('getDebounceJobId, removeDebounceKey and removeDeprecatedPriorityKey, as BullMQ keeps them', async () => {
    const queue = c.add(new lib.Queue(queueName('debounce'), { connection: connection() }))
    const job = await queue.add('d', 1, { deduplication: { id: 'x' } })
    expect(await queue.getDebounceJobId('x')).toBe(job.id)
    expect(await queue.removeDebounceKey('x')).toBe(1)
    expect(await queue.getDebounceJobId('x')).toBeNull()
    const r = new IORedis(process.env.REDIS_URL!)
    try {
      await r.zadd(queue.toKey('priority'), 1, 'old')
      expect(await queue.removeDeprecatedPriorityKey()).toBe(1)
      expect(await r.exists(queue.toKey('priority'))).toBe(0)
    } finally {
      r.disconnect()
    }
    expect(queue.Job).toBe(lib.Job)
  })

  test('exports the constants and classes BullMQ exports', () => {
    expect(lib.PRIORITY_LIMIT).toBe(2097151)
    expect([lib.DELAYED_ERROR, lib.RATE_LIMIT_ERROR, lib.UNRECOVERABLE_ERROR, lib.WAITING_CHILDREN_ERROR, lib.WAITING_ERROR]).toEqual([
      'bullmq:movedToDelayed',
      'bullmq:rateLimitExceeded',
      'bullmq:unrecoverable',
      'bullmq:movedToWaitingChildren',
      'bullmq:movedToWait',
    ])
    const keys = new lib.QueueKeys('pfx')
    expect(keys.toKey('q', 'wait')).toBe('pfx:q:wait')
    expect(keys.getQueueQualifiedName('q')).toBe('pfx:q')
    expect(Object.keys(keys.getKeys('q'))).toHaveLength(19)
    expect(typeof lib.QueueGetters).toBe('function')
  })
})
