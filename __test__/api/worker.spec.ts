// BullMQ 6's Worker API, run against ferroq and bullmq alike (see parity.ts):
// id, 'ready', option checks, isRunning after pause, job cancellation through
// the processor's AbortSignal, maxStartedAttempts, custom (named, async)
// backoff strategies, and listeners that throw.
import { BOTH, closer } from './parity'
import { queueName, next } from '../helpers'
import { gate } from '../compat/compat-helpers'

type AnyJob = { id: string; name: string; attemptsMade: number; data: unknown; failedReason: string }

describe.each(BOTH)('Worker API on %s', (_label, { lib, connection }) => {
  const c = closer()
  afterEach(() => c.closeAll())

  test("has an id and emits 'ready' once connected, running or not", async () => {
    const name = queueName('wready')
    const idle = c.add(new lib.Worker(name, async () => 1, { connection: connection(), autorun: false }))
    const manual = c.add(new lib.Worker(name, null, { connection: connection() }))
    await Promise.all([next(idle, 'ready'), next(manual, 'ready')])
    expect(idle.id).toMatch(/^[0-9a-f-]{36}$/)
    expect(idle.id).not.toBe(manual.id)
    await idle.waitUntilReady()
  })

  test("refuses bad numeric options with BullMQ's messages", () => {
    const make = (opts: object) => () => new lib.Worker(queueName('wopts'), async () => 1, { connection: connection(), autorun: false, ...opts })
    expect(make({ concurrency: NaN })).toThrow('concurrency must be a finite number greater than 0')
    expect(make({ concurrency: 0 })).toThrow('concurrency must be a finite number greater than 0')
    expect(make({ concurrency: Infinity })).toThrow('concurrency must be a finite number greater than 0')
    expect(make({ maxStalledCount: -1 })).toThrow('maxStalledCount must be greater or equal than 0')
    expect(make({ maxStartedAttempts: -1 })).toThrow('maxStartedAttempts must be greater or equal than 0')
    expect(make({ stalledInterval: 0 })).toThrow('stalledInterval must be greater than 0')
    expect(make({ drainDelay: 0 })).toThrow('drainDelay must be greater than 0')
  })

  test('isRunning() is false once pause() resolved and true again after resume()', async () => {
    const name = queueName('wrunning')
    const worker = c.add(new lib.Worker(name, async () => 1, { connection: connection() }))
    await next(worker, 'ready')
    expect(worker.isRunning()).toBe(true)
    await worker.pause()
    expect(worker.isRunning()).toBe(false)
    worker.resume()
    const queue = c.add(new lib.Queue(name, { connection: connection() }))
    const done = next(worker, 'completed')
    await queue.add('a', 1)
    await done
    expect(worker.isRunning()).toBe(true)
  })

  test("cancelJob aborts the processor's signal with the reason; the job fails with what the processor threw", async () => {
    const name = queueName('wcancel')
    const queue = c.add(new lib.Queue(name, { connection: connection() }))
    const started = gate()
    const worker = c.add(new lib.Worker(name, (job: AnyJob, _token: string, signal: AbortSignal) => new Promise((_resolve, reject) => {
      started.open()
      signal.addEventListener('abort', () => reject(new Error(`cancelled: ${signal.reason}`)))
    }), { connection: connection() }))
    const { id } = await queue.add('long', 1)
    await started.promise
    expect(worker.cancelJob('no-such-job', 'x')).toBe(false)
    const failed = next<[AnyJob, Error]>(worker, 'failed')
    expect(worker.cancelJob(id, 'user asked')).toBe(true)
    const [job, err] = await failed
    expect(job.id).toBe(id)
    expect(err.message).toBe('cancelled: user asked')
    expect(await queue.getJobState(id)).toBe('failed')
  })

  test('cancelAllJobs aborts every job in hand; a processor without a signal parameter cannot be cancelled', async () => {
    const name = queueName('wcancelall')
    const queue = c.add(new lib.Queue(name, { connection: connection() }))
    let started = 0
    const both = gate()
    const worker = c.add(new lib.Worker(name, (_job: AnyJob, _token: string, signal: AbortSignal) => new Promise((resolve) => {
      if (++started === 2) both.open()
      signal.addEventListener('abort', () => resolve(`aborted: ${signal.reason}`))
    }), { connection: connection(), concurrency: 2 }))
    await queue.addBulk([{ name: 'a', data: 1 }, { name: 'b', data: 2 }])
    await both.promise
    const results: unknown[] = []
    const done = new Promise<void>((resolve) => worker.on('completed', (_j: AnyJob, r: unknown) => results.push(r) === 2 && resolve()))
    worker.cancelAllJobs('shutdown')
    await done
    expect(results).toEqual(['aborted: shutdown', 'aborted: shutdown'])

    const name2 = queueName('wnosignal')
    const queue2 = c.add(new lib.Queue(name2, { connection: connection() }))
    const open = gate()
    const began = gate()
    const plainWorker = c.add(new lib.Worker(name2, async () => {
      began.open()
      await open.promise
      return 'done'
    }, { connection: connection() }))
    const { id } = await queue2.add('x', 1)
    await began.promise
    expect(plainWorker.cancelJob(id)).toBe(false)
    open.open()
    await next(plainWorker, 'completed')
  })

  test('maxStartedAttempts: a job is not retried once started that many times', async () => {
    const name = queueName('wmaxstarted')
    const queue = c.add(new lib.Queue(name, { connection: connection() }))
    const worker = c.add(new lib.Worker(name, async () => {
      throw new Error('always')
    }, { connection: connection(), maxStartedAttempts: 2 }))
    const seen: number[] = []
    const final = new Promise<AnyJob>((resolve) => worker.on('failed', (job: AnyJob) => {
      seen.push(job.attemptsMade)
      if (seen.length === 2) resolve(job)
    }))
    const { id } = await queue.add('j', 1, { attempts: 5 })
    await final
    expect(seen).toEqual([1, 2])
    expect(await queue.getJobState(id)).toBe('failed')
  })

  test('a named custom backoff type is accepted at add and computed by an async backoffStrategy', async () => {
    const name = queueName('wbackoff')
    const queue = c.add(new lib.Queue(name, { connection: connection() }))
    const calls: unknown[][] = []
    const worker = c.add(new lib.Worker(name, async (job: AnyJob) => {
      if (job.attemptsMade < 2) throw new Error(`try ${job.attemptsMade}`)
      return 'third time'
    }, {
      connection: connection(),
      settings: {
        backoffStrategy: async (attemptsMade: number, type: string, err: Error) => {
          calls.push([attemptsMade, type, err.message])
          await new Promise((r) => setTimeout(r, 5))
          return 10
        },
      },
    }))
    const job = await queue.add('j', 1, { attempts: 3, backoff: { type: 'my-type' } })
    expect(job.opts.backoff).toEqual({ type: 'my-type' })
    const [done, result] = await next<[AnyJob, string]>(worker, 'completed')
    expect([done.id, result, done.attemptsMade]).toEqual([job.id, 'third time', 3])
    expect(calls).toEqual([[1, 'my-type', 'try 0'], [2, 'my-type', 'try 1']])
  })

  test("a 'completed' listener that throws is reported as 'error' and the worker goes on", async () => {
    const name = queueName('wthrow')
    const queue = c.add(new lib.Queue(name, { connection: connection() }))
    const worker = c.add(new lib.Worker(name, async (job: AnyJob) => job.data, { connection: connection() }))
    let completed = 0
    worker.on('completed', () => {
      completed++
      throw new Error('listener bug')
    })
    const errors: Error[] = []
    const two = new Promise<void>((resolve) => worker.on('error', (e: Error) => errors.push(e) === 2 && resolve()))
    await queue.add('a', 1)
    await queue.add('b', 2)
    await two
    expect(completed).toBe(2)
    expect(errors.map((e) => e.message)).toEqual(['listener bug', 'listener bug'])
  })

  test("with no 'error' listener, a throwing listener's error is printed with console.error", async () => {
    const name = queueName('wconsole')
    const queue = c.add(new lib.Queue(name, { connection: connection() }))
    const worker = c.add(new lib.Worker(name, async () => 'ok', { connection: connection() }))
    const printed: unknown[] = []
    const spy = jest.spyOn(console, 'error').mockImplementation((e: unknown) => {
      printed.push(e)
    })
    try {
      const done = new Promise<void>((resolve) => worker.on('completed', () => {
        setImmediate(resolve)
        throw new Error('unhandled listener bug')
      }))
      await queue.add('a', 1)
      await done
      // Node wraps an error from another realm (Jest's sandbox) as "Unhandled error. (...)".
      expect(printed).toHaveLength(1)
      expect((printed[0] as Error).message).toMatch(/unhandled listener bug/)
    } finally {
      spy.mockRestore()
    }
  })
})
