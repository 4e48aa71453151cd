// One job end to end and the worker's core behaviours, through the public API only.
import { Queue, Worker, Job, UnrecoverableError } from '..'
import { connection, queueName, next, collect } from './helpers'

describe('Queue + Worker', () => {
  test('a job added by the queue is processed and its return value stored', async () => {
    const name = queueName('e2e')
    const queue = new Queue<{ n: number; when: Date }, { doubled: number }>(name, { connection: connection() })
    const job = await queue.add('double', { n: 21, when: new Date(0) })
    expect(job.id).toBe('1')
    const worker = new Worker<{ n: number }, { doubled: number }>(name, async (j) => ({ doubled: j.data.n * 2 }), { connection: connection() })
    const [done, result] = await next<[Job, { doubled: number }]>(worker, 'completed')
    expect(done.id).toBe(job.id)
    expect(result).toEqual({ doubled: 42 })
    expect(await done.getState()).toBe('completed')
    const stored = await queue.getJob(job.id!)
    expect(stored!.returnvalue).toEqual({ doubled: 42 })
    expect(stored!.data).toEqual({ n: 21, when: '1970-01-01T00:00:00.000Z' })
    expect(stored!.attemptsMade).toBe(1)
    expect(stored!.finishedOn).toBeGreaterThanOrEqual(stored!.processedOn!)
    await worker.close()
    await queue.close()
  })

  test('a throw becomes failedReason and stacktrace; attempts + backoff retry first', async () => {
    const name = queueName('fail')
    const queue = new Queue(name, { connection: connection() })
    await queue.add('x', {}, { attempts: 3, backoff: { type: 'exponential', delay: 20 } })
    const worker = new Worker(name, async () => { throw new Error('smtp down') }, { connection: connection() })
    const fails = await collect<[Job, Error]>(worker, 'failed', 3)
    expect(fails.map(([j]) => j.attemptsMade)).toEqual([1, 2, 3])
    expect(fails[2][1].message).toBe('smtp down')
    const job = (await queue.getFailed())[0]
    expect(job.failedReason).toBe('smtp down')
    expect(job.stacktrace).toHaveLength(3)
    expect(job.stacktrace![0]).toContain('smtp down')
    expect(await queue.getJobCounts('failed', 'delayed', 'waiting')).toEqual({ failed: 1, delayed: 0, waiting: 0 })
    await worker.close()
    await queue.close()
  })

  test('UnrecoverableError is not retried; a non-Error throw still fails cleanly', async () => {
    const name = queueName('unrec')
    const queue = new Queue(name, { connection: connection() })
    await queue.add('a', { k: 'unrec' }, { attempts: 5 })
    await queue.add('b', { k: 'string' }, { attempts: 1 })
    const worker = new Worker(name, async (job) => {
      if (job.data.k === 'unrec') throw new UnrecoverableError('bad input')
      throw 'plain string' // eslint-disable-line no-throw-literal
    }, { connection: connection() })
    const fails = await collect<[Job, Error]>(worker, 'failed', 2)
    const byName = Object.fromEntries(fails.map(([j, e]) => [j.name, e.message]))
    expect(byName).toEqual({ a: 'bad input', b: 'plain string' })
    const a = (await queue.getJobs(['failed'])).find((j) => j.name === 'a')!
    expect(a.attemptsMade).toBe(1)
    await worker.close()
    await queue.close()
  })

  test('undefined result is stored as null; delayed and prioritized jobs run in order', async () => {
    const name = queueName('order')
    const queue = new Queue(name, { connection: connection() })
    await queue.add('late', {}, { delay: 150 })
    await queue.add('low', {}, { priority: 10 })
    await queue.add('high', {}, { priority: 1 })
    await queue.add('plain', {})
    const order: string[] = []
    const worker = new Worker(name, async (job) => { order.push(job.name) }, { connection: connection() })
    await collect(worker, 'completed', 4)
    expect(order).toEqual(['plain', 'high', 'low', 'late'])
    const late = (await queue.getCompleted()).find((j) => j.name === 'late')!
    expect(late.returnvalue).toBeNull()
    await worker.close()
    await queue.close()
  })

  test('concurrency runs jobs in parallel and close() waits for them', async () => {
    const name = queueName('conc')
    const queue = new Queue(name, { connection: connection() })
    await queue.addBulk(Array.from({ length: 10 }, (_, i) => ({ name: 'j', data: { i } })))
    let running = 0
    let peak = 0
    const worker = new Worker(name, async () => {
      running++
      peak = Math.max(peak, running)
      await new Promise((r) => setTimeout(r, 50))
      running--
    }, { connection: connection(), concurrency: 5 })
    await next(worker, 'active')
    await new Promise((r) => setTimeout(r, 20))
    await worker.close()
    expect(running).toBe(0)
    expect(peak).toBe(5)
    expect(await queue.getActiveCount()).toBe(0)
    await queue.close()
  })

  test('progress and logs from inside the processor', async () => {
    const name = queueName('progress')
    const queue = new Queue(name, { connection: connection() })
    const { id } = await queue.add('p', {})
    const worker = new Worker(name, async (job) => {
      await job.updateProgress(50)
      await job.updateProgress({ step: 'b', percentage: 90 })
      await job.log('hello')
      return 1
    }, { connection: connection() })
    const progress = collect<[Job, unknown]>(worker, 'progress', 2)
    await next(worker, 'completed')
    expect((await progress).map(([, p]) => p)).toEqual([50, { step: 'b', percentage: 90 }])
    const job = await queue.getJob(id!)
    expect(job!.progress).toEqual({ step: 'b', percentage: 90 })
    expect(await queue.getJobLogs(id!)).toEqual({ logs: ['hello'], count: 1 })
    await worker.close()
    await queue.close()
  })

  test('remove and retry of a failed job', async () => {
    const name = queueName('retry')
    const queue = new Queue(name, { connection: connection() })
    const { id } = await queue.add('r', {})
    let fail = true
    const worker = new Worker(name, async () => { if (fail) throw new Error('once') ; return 'ok' }, { connection: connection() })
    await next(worker, 'failed')
    fail = false
    const job = (await queue.getJob(id!))!
    expect(await job.getState()).toBe('failed')
    // Listen first: the worker may finish the retried job before retry() returns.
    const completed = next(worker, 'completed')
    await job.retry()
    await completed
    expect(await queue.getJobState(id!)).toBe('completed')
    await (await queue.getJob(id!))!.remove()
    expect(await queue.getJob(id!)).toBeUndefined()
    await worker.close()
    await queue.close()
  })

  test('getWorkers lists a running worker by its BullMQ client name', async () => {
    const name = queueName('workers')
    const queue = new Queue(name, { connection: connection() })
    const worker = new Worker(name, async () => 1, { connection: connection(), name: 'w1' })
    await new Promise((r) => setTimeout(r, 100))
    const workers = await queue.getWorkers()
    expect(workers.length).toBe(1)
    expect(workers[0].rawname).toBe(`bull:${Buffer.from(name).toString('base64')}:w:w1`)
    await worker.close()
    await queue.close()
  })
})
