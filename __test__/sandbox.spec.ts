// Sandboxed processors, as bullmq 6.7.0 runs them: a processor given as a file
// path or a file URL runs in a child process (a worker thread with
// `useWorkerThreads`), and the job object it gets (BullMQ's SandboxedJob)
// reports progress, logs and data changes through the parent. The processor
// file is fixtures/sandbox/processor.js; the same file run by bullmq's Worker
// gives the same job shape.
import * as path from 'node:path'
import { pathToFileURL } from 'node:url'
import * as bullmq from 'bullmq'
import { Queue, Worker, Job } from '..'
import { connection, queueName, collect, next, eventually, testRedisOnly, store } from './helpers'
import { bullConnection } from './compat/compat-helpers'

const FIXTURES = path.join(__dirname, 'fixtures', 'sandbox')
const PROCESSOR = path.join(FIXTURES, 'processor.js')

const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** A describe job's result with run-specific values (times, pids, queue names) made comparable. */
function comparable(rv: { shape: Record<string, unknown> }, name: string) {
  const shape = { ...rv.shape }
  for (const k of ['processedOn', 'timestamp']) shape[k] = typeof shape[k]
  for (const k of ['queueName', 'queueQualifiedName', 'id']) shape[k] = String(shape[k]).replace(name, '<queue>')
  return { ...rv, pid: typeof (rv as { pid?: unknown }).pid, threadId: 'any', shape }
}

describe('sandboxed processors', () => {
  // Redis only: bullmq 6.7.0 runs the same file for comparison.
  testRedisOnly('a file path runs in a child process with BullMQ’s sandboxed job, as bullmq 6.7.0 runs it', async () => {
    const name = queueName('sandbox')
    const queue = new Queue(name, { connection: connection() })
    const worker = new Worker(name, PROCESSOR, { connection: connection() })
    const progress: unknown[] = []
    worker.on('progress', (_job, p) => progress.push(p))
    const done = next<[Job, { pid: number; shape: Record<string, unknown> }]>(worker, 'completed')
    const job = await queue.add('describe', { n: 1 })
    const [, rv] = await done
    await worker.close()

    expect(rv.pid).not.toBe(process.pid)
    expect(rv).toMatchObject({ isMainThread: true, token: 'string', signal: true, data: { n: 1, touched: true } })
    expect(progress).toEqual([40, { step: 'two' }])
    const stored = (await queue.getJob(job.id!))!
    expect(stored.progress).toEqual({ step: 'two' })
    expect(stored.data).toEqual({ n: 1, touched: true })
    expect(stored.returnvalue).toEqual(rv)
    expect(await queue.getJobLogs(job.id!)).toEqual({ logs: ['first line'], count: 1 })
    // The child is gone once the worker has closed.
    expect(alive(rv.pid)).toBe(false)

    // bullmq's own sandbox, same file, same kind of job.
    const bullName = queueName('sandbox-bullmq')
    const bq = new bullmq.Queue(bullName, { connection: bullConnection() })
    const bw = new bullmq.Worker(bullName, PROCESSOR, { connection: bullConnection() })
    const bullDone = next<[unknown, { pid: number; shape: Record<string, unknown> }]>(bw, 'completed')
    await bq.add('describe', { n: 1 })
    const [, bullRv] = await bullDone
    await bw.close()
    await bq.close()
    expect(comparable(rv, name)).toEqual(comparable(bullRv, bullName))
    await queue.close()
  }, 30000)

  test('with useWorkerThreads the processor runs in a worker thread of this process', async () => {
    const name = queueName('sandbox-thread')
    const queue = new Queue(name, { connection: connection() })
    const worker = new Worker(name, PROCESSOR, { connection: connection(), useWorkerThreads: true })
    const done = next<[Job, { pid: number; isMainThread: boolean; threadId: number; data: unknown }]>(worker, 'completed')
    await queue.add('describe', { n: 2 })
    const [, rv] = await done
    expect(rv).toMatchObject({ pid: process.pid, isMainThread: false, data: { n: 2, touched: true } })
    expect(rv.threadId).toBeGreaterThan(0)
    await worker.close()
    await queue.close()
  })

  test('a relative path is taken from the current directory, `.js` is added when missing, and a file URL works', async () => {
    const name = queueName('sandbox-paths')
    const queue = new Queue(name, { connection: connection() })
    const relative = path.relative(process.cwd(), path.join(FIXTURES, 'processor'))
    expect(path.isAbsolute(relative)).toBe(false)
    for (const processor of [relative, pathToFileURL(path.join(FIXTURES, 'esm-processor.mjs'))]) {
      const worker = new Worker(name, processor, { connection: connection() })
      const done = next<[Job, unknown]>(worker, 'completed')
      await queue.add('echo', { n: 3 })
      const [, rv] = await done
      expect(rv).toEqual(typeof processor === 'string' ? { echo: { n: 3 }, pid: expect.any(Number) } : { esm: true, n: 3 })
      await worker.close()
    }
    await queue.close()
  })

  test('worker.cancelJob aborts the signal inside the child, for ferroq as for bullmq', async () => {
    // On memory:// only ferroq's half runs (bullmq needs a Redis).
    const libs = store === 'memory' ? (['ferroq'] as const) : (['ferroq', 'bullmq'] as const)
    for (const lib of libs) {
      const name = queueName(`sandbox-cancel-${lib}`)
      const queue = lib === 'ferroq' ? new Queue(name, { connection: connection() }) : new bullmq.Queue(name, { connection: bullConnection() })
      const worker =
        lib === 'ferroq' ? new Worker(name, PROCESSOR, { connection: connection() }) : new bullmq.Worker(name, PROCESSOR, { connection: bullConnection() })
      const active = next<[Job]>(worker as Worker, 'active')
      const failed = next<[Job, Error]>(worker as Worker, 'failed')
      const job = await queue.add('cancel-me', {})
      await active
      // bullmq tracks the job for cancelling a moment after 'active': ask until it is.
      await eventually(() => worker.cancelJob(job.id!, 'stop please'))
      expect({ lib, reason: (await failed)[1].message }).toEqual({ lib, reason: 'cancelled: stop please' })
      await worker.close()
      await queue.close()
    }
  }, 30000)

  test('a missing file is refused at construction with BullMQ’s message and a code', () => {
    const missing = path.join(FIXTURES, 'nope.js')
    expect(() => new Worker(queueName('sandbox-missing'), missing, { connection: connection() })).toThrow(
      expect.objectContaining({ code: 'ERR_FERROQ_INVALID_OPTION', message: `File ${missing} does not exist` }),
    )
    const url = pathToFileURL(missing)
    expect(() => new Worker(queueName('sandbox-missing'), url, { connection: connection() })).toThrow(
      expect.objectContaining({ code: 'ERR_FERROQ_INVALID_OPTION', message: `URL ${url} does not exist in the local file system` }),
    )
  })

  test('failures, a crashing child, a file without a function and a move to delayed end the job as bullmq ends them', async () => {
    const name = queueName('sandbox-fail')
    const queue = new Queue(name, { connection: connection() })
    const worker = new Worker(name, PROCESSOR, { connection: connection(), concurrency: 2 })
    // Three failures: the crash, and both attempts of `fail`.
    const failed = collect<[Job, Error]>(worker, 'failed', 3)
    const fail = await queue.add('fail', { n: 7 }, { attempts: 2 })
    const crash = await queue.add('exit', {})
    const reasons = (await failed).map(([j, e]) => `${j.id === fail.id ? 'fail' : j.id === crash.id ? 'crash' : j.id}: ${e.message}`)
    expect(reasons.sort()).toEqual(['crash: Unexpected exit code: 3 signal: null', 'fail: kaput 7', 'fail: kaput 7'])
    // Retried once, then failed with the child's stack.
    const stored = (await queue.getJob(fail.id!))!
    expect(stored.attemptsMade).toBe(2)
    expect(stored.stacktrace![1]).toContain(PROCESSOR)

    // A DelayedError thrown after job.moveToDelayed in the child parks the job.
    const delayed = await queue.add('delay', {})
    await eventually(async () => (await queue.getJobState(delayed.id!)) === 'delayed')

    // The worker goes on after the crash: a new child runs the next job.
    const after = next<[Job, { echo: unknown }]>(worker, 'completed')
    await queue.add('echo', { again: true })
    expect((await after)[1].echo).toEqual({ again: true })
    await worker.close()

    const bad = new Worker(name, path.join(FIXTURES, 'no-function.js'), { connection: connection() })
    const badFailed = next<[Job, Error]>(bad, 'failed')
    await queue.add('any', {})
    expect((await badFailed)[1].message).toBe('No function is exported in processor file')
    await bad.close()
    await queue.close()
  }, 30000)
})
