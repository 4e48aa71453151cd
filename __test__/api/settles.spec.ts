// Nothing hangs, nothing crashes: promises BullMQ users await settle as
// BullMQ's do (run against both libraries), and ferroq's async errors carry the
// caller's stack and name the Redis they could not reach, never its password.
import { BOTH, FERROQ, closer } from './parity'
import { queueName, next } from '../helpers'
import { gate } from '../compat/compat-helpers'

type AnyJob = { id: string; name: string; moveToDelayed(t: number, token?: string): Promise<void>; waitUntilFinished(qe: unknown, ttl?: number): Promise<unknown> }

describe.each(BOTH)('promises settle on %s', (_label, { lib, connection }) => {
  const c = closer()
  afterEach(() => c.closeAll())

  test('QueueEvents.waitUntilReady() resolves with autorun: false', async () => {
    const events = c.add(new lib.QueueEvents(queueName('qeready'), { connection: connection(), autorun: false }))
    await events.waitUntilReady()
  })

  test('worker.close() resolves after pause() while the active job threw DelayedError', async () => {
    const name = queueName('closedelayed')
    const queue = c.add(new lib.Queue(name, { connection: connection() }))
    const started = gate()
    const release = gate()
    const worker = new lib.Worker(name, async (job: AnyJob, token: string) => {
      started.open()
      await release.promise
      await job.moveToDelayed(Date.now() + 60_000, token)
      throw new lib.DelayedError()
    }, { connection: connection() })
    await queue.add('d', 1)
    await started.promise
    const paused = worker.pause()
    release.open()
    await paused
    await worker.close()
    expect(await queue.getJobCounts('active', 'delayed')).toEqual({ active: 0, delayed: 1 })
  })

  test('job.waitUntilFinished() rejects for a job already removed by removeOnComplete', async () => {
    const name = queueName('wufremoved')
    const queue = c.add(new lib.Queue(name, { connection: connection() }))
    const events = c.add(new lib.QueueEvents(name, { connection: connection() }))
    await events.waitUntilReady()
    const worker = c.add(new lib.Worker(name, async () => 'done', { connection: connection() }))
    const completed = next(worker, 'completed')
    // QueueEvents has read the 'completed' event too, so it cannot reach the waiter late (bullmq
    // would resolve with it: its waiter listens before it looks the job up).
    const seen = next(events, 'completed')
    const job: AnyJob = await queue.add('r', 1, { removeOnComplete: true })
    await completed
    await seen
    expect(await queue.getJob(job.id)).toBeUndefined()
    await expect(job.waitUntilFinished(events)).rejects.toThrow(`Missing key for job bull:${name}:${job.id}. isFinished`)
  })

  test('job.waitUntilFinished() resolves with the return value of a job that completes later', async () => {
    const name = queueName('wufok')
    const queue = c.add(new lib.Queue(name, { connection: connection() }))
    const events = c.add(new lib.QueueEvents(name, { connection: connection() }))
    const job: AnyJob = await queue.add('r', 1)
    const finished = job.waitUntilFinished(events)
    c.add(new lib.Worker(name, async () => ({ answer: 42 }), { connection: connection() }))
    expect(await finished).toEqual({ answer: 42 })
  })

  test("a throwing QueueEvents listener is reported as 'error'", async () => {
    const name = queueName('qethrow')
    const queue = c.add(new lib.Queue(name, { connection: connection() }))
    // From the stream's start: bullmq's waitUntilReady does not wait for XREAD to begin.
    const events = c.add(new lib.QueueEvents(name, { connection: connection(), lastEventId: '0-0' }))
    events.on('waiting', () => {
      throw new Error('events listener bug')
    })
    const error = next<[Error]>(events, 'error')
    await queue.add('a', 1)
    expect((await error)[0].message).toBe('events listener bug')
  })
})

describe('ferroq errors say where they come from', () => {
  const { lib, connection } = FERROQ

  test('an async error carries the stack of the code that awaited it', async () => {
    const queue = new lib.Queue(queueName('stack'), { connection: connection() })
    async function addWithIntegerId() {
      const job = await queue.add('x', 1, { jobId: '42' })
      return job
    }
    const err = await addWithIntegerId().catch((e: Error) => e)
    await queue.close()
    expect(err.message).toBe('Custom Id cannot be integers')
    // (Jest's source mapping drops V8's "async" before awaited frames.)
    expect(err.stack).toMatch(/at (async )?addWithIntegerId \(.*settles\.spec\.ts/)
  })

  test('a connection error names host:port and never the password', async () => {
    const queue = new lib.Queue(queueName('conn'), { connection: { url: 'redis://someone:s3cret-pw@127.0.0.1:1' } })
    const err = await queue.add('x', 1).catch((e: Error & { code: string }) => e)
    await queue.close()
    expect(err.code).toBe('ERR_FERROQ_CONNECTION')
    expect(err.message).toContain('127.0.0.1:1')
    expect(`${err.message}\n${err.stack}`).not.toContain('s3cret-pw')
  })
})
