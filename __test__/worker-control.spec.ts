// Worker-side control as in BullMQ 6: local pause/resume, manual rate limiting
// with RateLimitError, removeOnComplete by age, deduplication in throttle mode.
import { Queue, Worker, Job } from '..'
import { connection, queueName, next, collect, eventually } from './helpers'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe('worker control', () => {
  test('closing is undefined until close(), then the promise close() returns (as BullMQ)', async () => {
    const worker = new Worker(queueName('w-closing'), async () => 'ok', { connection: connection() })
    await worker.waitUntilReady()
    expect(worker.closing).toBeUndefined()
    const closed = worker.close()
    expect(worker.closing).toBe(closed)
    await closed
    expect(worker.closing).toBe(closed)
    expect(worker.isRunning()).toBe(false)
  })

  test('worker.pause() stops taking jobs (Redis untouched), resume() continues; isRunning/isPaused report it', async () => {
    const name = queueName('wpause')
    const queue = new Queue(name, { connection: connection() })
    const worker = new Worker(name, async () => 'ok', { connection: connection() })
    expect(worker.isRunning()).toBe(true)
    await worker.pause()
    expect(worker.isPaused()).toBe(true)
    expect(await queue.isPaused()).toBe(false)
    await queue.add('a', {})
    await sleep(200)
    expect(await queue.getWaitingCount()).toBe(1)
    const done = next(worker, 'completed')
    worker.resume()
    expect(worker.isPaused()).toBe(false)
    await done
    await worker.close()
    expect(worker.isRunning()).toBe(false)
    await queue.close()
  })

  test('worker.rateLimit + RateLimitError puts the job back without counting an attempt', async () => {
    const name = queueName('ratelimit')
    const queue = new Queue(name, { connection: connection() })
    const { id } = await queue.add('r', {}, { attempts: 1 })
    let runs = 0
    const starts: number[] = []
    const worker: Worker = new Worker(name, async () => {
      runs++
      starts.push(Date.now())
      if (runs === 1) {
        await worker.rateLimit(300)
        throw Worker.RateLimitError()
      }
      return 'done'
    }, { connection: connection(), limiter: { max: 10, duration: 1000 } })
    const [job] = await next<[Job]>(worker, 'completed')
    expect(job.id).toBe(id)
    expect(runs).toBe(2)
    expect(starts[1] - starts[0]).toBeGreaterThanOrEqual(250)
    const stored = (await queue.getJob(id!))!
    expect(stored.attemptsMade).toBe(1)
    expect(stored.attemptsStarted).toBe(2)
    await worker.close()
    await queue.close()
  })

  test('removeOnComplete { age } removes completed jobs older than age at the next finish', async () => {
    const name = queueName('age')
    const queue = new Queue(name, { connection: connection() })
    const worker = new Worker(name, async () => 1, { connection: connection() })
    // Listen before adding: the job may complete before add() returns.
    const first = next(worker, 'completed')
    await queue.add('old', {}, { removeOnComplete: { age: 1 } })
    await first
    expect(await queue.getCompletedCount()).toBe(1)
    await sleep(1100)
    const second = next(worker, 'completed')
    await queue.add('new', {}, { removeOnComplete: { age: 1 } })
    await second
    const left = await queue.getCompleted()
    expect(left.map((j) => j.name)).toEqual(['new'])
    await worker.close()
    await queue.close()
  })

  test('deduplication throttle mode: one job per id while the ttl runs, a new one after', async () => {
    const name = queueName('throttle')
    const queue = new Queue(name, { connection: connection() })
    const a = await queue.add('t', { n: 1 }, { deduplication: { id: 'x', ttl: 200 } })
    const b = await queue.add('t', { n: 2 }, { deduplication: { id: 'x', ttl: 200 } })
    expect(b.id).toBe(a.id)
    await sleep(250)
    const c = await queue.add('t', { n: 3 }, { deduplication: { id: 'x', ttl: 200 } })
    expect(c.id).not.toBe(a.id)
    expect(await queue.getWaitingCount()).toBe(2)
    const worker = new Worker(name, async (job) => job.data.n, { connection: connection() })
    const results = (await collect<[Job, number]>(worker, 'completed', 2)).map(([, r]) => r).sort()
    expect(results).toEqual([1, 3])
    await eventually(async () => (await queue.getActiveCount()) === 0)
    await worker.close()
    await queue.close()
  })

  test('Job.fromId, updateData, changeDelay and changePriority', async () => {
    const name = queueName('jobedit')
    const queue = new Queue(name, { connection: connection() })
    const a = await queue.add('a', { v: 1 }, { delay: 60_000 })
    const b = await queue.add('b', { v: 2 }, { priority: 5 })
    const c = await queue.add('c', { v: 3 }, { priority: 5 })
    const fetched = (await Job.fromId(queue, a.id!))!
    await fetched.updateData({ v: 10 })
    expect((await queue.getJob(a.id!))!.data).toEqual({ v: 10 })
    const before = Date.now()
    await fetched.changeDelay(100)
    expect(await fetched.getState()).toBe('delayed')
    await c.changePriority({ priority: 1 })
    expect((await queue.getJob(c.id!))!.priority).toBe(1)
    await expect(b.changeDelay(10)).rejects.toMatchObject({ code: 'ERR_FERROQ_NOT_IN_STATE' })
    const order: string[] = []
    const worker = new Worker(name, async (job) => { order.push(job.name) }, { connection: connection() })
    await collect(worker, 'completed', 3)
    expect(order).toEqual(['c', 'b', 'a'])
    const doneA = (await queue.getJob(a.id!))!
    expect(doneA.processedOn! - before).toBeLessThan(5000)
    await worker.close()
    await queue.close()
  })
})
