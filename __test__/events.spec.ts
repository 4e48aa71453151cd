// QueueEvents reads the events stream from any process.
import { Queue, Worker, QueueEvents } from '..'
import { connection, queueName, next } from './helpers'

describe('QueueEvents', () => {
  test('closing is undefined until close(), then the promise close() returns (as BullMQ, which @nestjs/bullmq reads)', async () => {
    const events = new QueueEvents(queueName('qe-closing'), { connection: connection() })
    await events.waitUntilReady()
    expect(events.closing).toBeUndefined()
    const closed = events.close()
    expect(events.closing).toBe(closed)
    await closed
    expect(events.closing).toBe(closed)
  })

  test('sees added, waiting, active, progress, completed and failed with their fields', async () => {
    const name = queueName('qe')
    const events = new QueueEvents(name, { connection: connection() })
    await events.waitUntilReady()
    const queue = new Queue(name, { connection: connection() })
    const seen: string[] = []
    for (const e of ['added', 'waiting', 'active', 'progress', 'completed', 'failed', 'retries-exhausted']) {
      events.on(e, () => seen.push(e))
    }
    const completed = next<[{ jobId: string; returnvalue: unknown }]>(events, 'completed')
    const failed = next<[{ jobId: string; failedReason: string }]>(events, 'failed')
    const progress = next<[{ jobId: string; data: unknown }]>(events, 'progress')
    const ok = await queue.add('ok', { v: 1 })
    const bad = await queue.add('bad', { v: 2 })
    const worker = new Worker(name, async (job) => {
      if (job.name === 'bad') throw new Error('nope')
      await job.updateProgress({ half: true })
      return { v: job.data.v }
    }, { connection: connection() })
    expect((await completed)[0]).toMatchObject({ jobId: ok.id, returnvalue: { v: 1 } })
    expect((await failed)[0]).toMatchObject({ jobId: bad.id, failedReason: 'nope' })
    expect((await progress)[0]).toMatchObject({ jobId: ok.id, data: { half: true } })
    expect(seen).toEqual(expect.arrayContaining(['added', 'waiting', 'active', 'progress', 'completed', 'failed', 'retries-exhausted']))
    await worker.close()
    await queue.close()
    await events.close()
  })

  test('job.waitUntilFinished resolves with the result and rejects with the failure', async () => {
    const name = queueName('wuf')
    const events = new QueueEvents(name, { connection: connection() })
    await events.waitUntilReady()
    const queue = new Queue(name, { connection: connection() })
    const worker = new Worker(name, async (job) => {
      if (job.data.fail) throw new Error('bad luck')
      return job.data.x * 2
    }, { connection: connection() })
    const ok = await queue.add('a', { x: 21 })
    await expect(ok.waitUntilFinished(events, 5000)).resolves.toBe(42)
    const bad = await queue.add('b', { fail: true })
    await expect(bad.waitUntilFinished(events, 5000)).rejects.toThrow('bad luck')
    // Already finished before waiting: still resolves.
    await expect(ok.waitUntilFinished(events, 5000)).resolves.toBe(42)
    await worker.close()
    await queue.close()
    await events.close()
  })

  test('paused, resumed, delayed, removed and drained reach QueueEvents', async () => {
    const name = queueName('qe2')
    const events = new QueueEvents(name, { connection: connection() })
    await events.waitUntilReady()
    const queue = new Queue(name, { connection: connection() })
    const paused = next(events, 'paused')
    const resumed = next(events, 'resumed')
    const delayed = next<[{ jobId: string; delay: number }]>(events, 'delayed')
    const removed = next<[{ jobId: string; prev: string }]>(events, 'removed')
    await queue.pause()
    await queue.resume()
    await paused
    await resumed
    const before = Date.now()
    const d = await queue.add('d', {}, { delay: 5000 })
    const [{ delay }] = await delayed
    expect(delay).toBeGreaterThanOrEqual(before + 5000)
    await queue.remove(d.id!)
    expect((await removed)[0]).toEqual({ jobId: d.id, prev: 'delayed' })
    const drained = next(events, 'drained')
    await queue.add('x', {})
    const worker = new Worker(name, async () => 1, { connection: connection() })
    await drained
    await worker.close()
    await queue.close()
    await events.close()
  })
})
