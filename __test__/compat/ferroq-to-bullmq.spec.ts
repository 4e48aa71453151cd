// Jobs written by ferroq's Queue, processed by the real bullmq 6.7.0 Worker; ferroq
// reads back what bullmq's worker wrote (return values, failures, progress, logs).
import * as bullmq from 'bullmq'
import { Queue, Worker } from '../..'
import { connection, queueName, collect, next, eventually, closeAfterEach } from '../helpers'
import { bullConnection, richData, asStored, countsReach, addRunOrderJobs, runRecorder, BULLMQ_RUN_ORDER, LATE_DELAY_MS } from './compat-helpers'

describe('ferroq producer -> bullmq worker', () => {
  const track = closeAfterEach()

  function ferroqQueue(name: string) {
    return track(new Queue(name, { connection: connection() }))
  }
  function bullWorker(name: string, processor: bullmq.Processor, opts: Partial<bullmq.WorkerOptions> = {}) {
    return track(new bullmq.Worker(name, processor, { connection: bullConnection(), ...opts }))
  }

  test('data arrives identical in a bullmq worker and its return value is read by ferroq', async () => {
    const name = queueName('f2b-data')
    const fq = ferroqQueue(name)
    const data = richData('f2b')
    const added = await fq.add('rich', data)
    expect(added.id).toBe('1')
    const seen: { id?: string; name: string; data: unknown; attemptsStarted: number; attemptsMade: number; opts: unknown }[] = []
    const worker = bullWorker(name, async (job) => {
      const { id, name, data, attemptsStarted, attemptsMade, opts } = job
      seen.push({ id, name, data, attemptsStarted, attemptsMade, opts })
      return { echo: job.data, id: job.id, name: job.name }
    })
    await next(worker, 'completed')
    await worker.close()

    expect(seen).toHaveLength(1)
    expect(seen[0]).toMatchObject({ id: '1', name: 'rich', attemptsStarted: 1, attemptsMade: 0 })
    expect(seen[0].data).toEqual(asStored(data))
    expect((seen[0].data as any).when).toBe('2024-01-02T03:04:05.678Z')
    expect(seen[0].opts).toEqual({ attempts: 0 })

    const stored = (await fq.getJob('1'))!
    const expected = { echo: asStored(data), id: '1', name: 'rich' }
    expect(stored.returnvalue).toEqual(expected)
    expect(stored.data).toEqual(asStored(data))
    expect(await stored.getState()).toBe('completed')
    expect(stored.attemptsMade).toBe(1)
    expect(stored.attemptsStarted).toBe(1)
    expect(stored.finishedOn).toBeGreaterThanOrEqual(stored.processedOn!)
    expect(await fq.getJobCounts()).toEqual({
      active: 0, completed: 1, delayed: 0, failed: 0, prioritized: 0, waiting: 0, 'waiting-children': 0,
    })
  })

  test('plain, delayed, prioritized, custom id and lifo jobs run in bullmq order', async () => {
    const name = queueName('f2b-order')
    const fq = ferroqQueue(name)
    await addRunOrderJobs(fq)
    const { order, ids, process } = runRecorder()
    const worker = bullWorker(name, process)
    await collect(worker, 'completed', 7)
    expect(order).toEqual(BULLMQ_RUN_ORDER)
    expect(ids.custom).toBe('my-custom-id')
    const late = (await fq.getJob(ids.late))!
    expect(late.returnvalue).toBe(2)
    expect(late.opts.delay).toBe(LATE_DELAY_MS)
    expect((await fq.getJob('my-custom-id'))!.name).toBe('custom')
    expect(await fq.getJobCounts('completed', 'delayed', 'prioritized', 'waiting', 'active')).toEqual({
      completed: 7, delayed: 0, prioritized: 0, waiting: 0, active: 0,
    })
  })

  test('attempts with fixed and exponential backoff run in bullmq; ferroq reads the failures', async () => {
    const name = queueName('f2b-retry')
    const fq = ferroqQueue(name)
    const events = track(new bullmq.QueueEvents(name, { connection: bullConnection(), lastEventId: '0-0' }))
    await events.waitUntilReady()
    const fixed = await fq.add('fixed', {}, { attempts: 3, backoff: { type: 'fixed', delay: 60 } })
    const expo = await fq.add('expo', {}, { attempts: 3, backoff: { type: 'exponential', delay: 40 } })
    const flaky = await fq.add('flaky', {}, { attempts: 2, backoff: 30 })
    const once = await fq.add('once', {})

    const starts: Record<string, number[]> = { fixed: [], expo: [], flaky: [], once: [] }
    const failed = collect<[{ jobId: string; failedReason: string }]>(events, 'failed', 3)
    const worker = bullWorker(name, async (job) => {
      starts[job.name].push(Date.now())
      if (job.name === 'flaky' && job.attemptsMade === 1) return 'second time lucky'
      throw new Error(`boom ${job.name} #${job.attemptsMade + 1}`)
    }, { concurrency: 4 })
    const fails = Object.fromEntries((await failed).map(([e]) => [e.jobId, e.failedReason]))
    expect(fails).toEqual({
      [fixed.id!]: 'boom fixed #3', [expo.id!]: 'boom expo #3', [once.id!]: 'boom once #1',
    })
    await eventually(async () => (await fq.getJobState(flaky.id!)) === 'completed')
    await worker.close()

    const gaps = (t: number[]) => t.slice(1).map((x, i) => x - t[i])
    for (const g of gaps(starts.fixed)) expect(g).toBeGreaterThanOrEqual(55)
    const [e1, e2] = gaps(starts.expo)
    expect(e1).toBeGreaterThanOrEqual(35)
    expect(e2).toBeGreaterThanOrEqual(75)

    for (const [job, attempts] of [[fixed, 3], [expo, 3], [once, 1]] as const) {
      const j = (await fq.getJob(job.id!))!
      expect(await j.getState()).toBe('failed')
      expect(j.attemptsMade).toBe(attempts)
      expect(j.attemptsStarted).toBe(attempts)
      expect(j.failedReason).toBe(`boom ${j.name} #${attempts}`)
      expect(j.stacktrace).toHaveLength(attempts)
      expect(j.stacktrace![attempts - 1]).toContain(`boom ${j.name} #${attempts}`)
      expect(j.finishedOn).toBeGreaterThan(0)
    }
    expect((await fq.getFailed()).map((j) => j.id).sort()).toEqual([fixed.id, expo.id, once.id].sort())
    const f = (await fq.getJob(flaky.id!))!
    expect(f.returnvalue).toBe('second time lucky')
    expect(f.attemptsMade).toBe(2)
    expect(f.failedReason).toBe('boom flaky #1')
    expect(f.stacktrace).toHaveLength(1)
  })

  test('progress and logs written by a bullmq worker are read by ferroq', async () => {
    const name = queueName('f2b-progress')
    const fq = ferroqQueue(name)
    const job = await fq.add('p', { x: 1 }, { keepLogs: 2 })
    let logCount = 0
    const worker = bullWorker(name, async (j) => {
      await j.updateProgress(40)
      await j.log('first line')
      await j.log('second — ünïcode')
      await j.updateProgress({ step: 'upload', pct: 90 })
      logCount = await j.log('third line')
      return 'done'
    })
    await next(worker, 'completed')
    expect(logCount).toBe(2)
    const stored = (await fq.getJob(job.id!))!
    expect(stored.progress).toEqual({ step: 'upload', pct: 90 })
    expect(stored.opts.keepLogs).toBe(2)
    expect(await fq.getJobLogs(job.id!)).toEqual({ logs: ['second — ünïcode', 'third line'], count: 2 })
    // And the reverse on the same job: ferroq appends, bullmq reads.
    await stored.log('from ferroq')
    await stored.updateProgress(100)
    const bq = track(new bullmq.Queue(name, { connection: bullConnection() }))
    expect(await bq.getJobLogs(job.id!)).toEqual({ logs: ['third line', 'from ferroq'], count: 2 })
    expect((await bq.getJob(job.id!))!.progress).toBe(100)
    // bullmq 6's JobProgress is string | boolean | number | object, both ways.
    for (const p of ['almost there', true, 0, [1, 2]]) {
      await (await bq.getJob(job.id!))!.updateProgress(p as any)
      expect((await fq.getJob(job.id!))!.progress).toEqual(p)
      await stored.updateProgress(p as any)
      expect((await bq.getJob(job.id!))!.progress).toEqual(p)
    }
  })

  test('ferroq retries a job that failed in a bullmq worker, then removes it', async () => {
    const name = queueName('f2b-retry-remove')
    const fq = ferroqQueue(name)
    const { id } = await fq.add('r', { v: 1 })
    let fail = true
    const worker = bullWorker(name, async () => {
      if (fail) throw new Error('first run fails')
      return 'ok now'
    })
    await next(worker, 'failed')
    await eventually(async () => (await fq.getJobState(id!)) === 'failed')
    fail = false
    const failedJob = (await fq.getJob(id!))!
    expect(failedJob.failedReason).toBe('first run fails')
    expect(failedJob.stacktrace).toHaveLength(1)
    const completed = next(worker, 'completed')
    await failedJob.retry()
    await completed
    const after = (await fq.getJob(id!))!
    expect(await after.getState()).toBe('completed')
    expect(after.attemptsMade).toBe(2)
    expect(after.returnvalue).toBe('ok now')
    // job.retry() HDELs failedReason (not the stacktrace), as bullmq's reprocessJob.
    expect(after.failedReason).toBeUndefined()
    expect(after.stacktrace).toHaveLength(1)

    await after.remove()
    const bq = track(new bullmq.Queue(name, { connection: bullConnection() }))
    expect(await bq.getJob(id!)).toBeUndefined()
    expect(await bq.getJobCounts('completed')).toEqual({ completed: 0 })
  })

  test('bullmq retries and removes jobs ferroq failed and added', async () => {
    const name = queueName('f2b-bull-retry')
    const fq = ferroqQueue(name)
    const bq = track(new bullmq.Queue(name, { connection: bullConnection() }))
    const { id } = await fq.add('r', { v: 2 })
    const waiting = await fq.add('w', { v: 3 })
    const delayed = await fq.add('d', { v: 4 }, { delay: 60000 })
    const prio = await fq.add('p', { v: 5 }, { priority: 4 })
    expect(await bq.remove(waiting.id!)).toBe(1)
    await (await bq.getJob(delayed.id!))!.remove()
    await (await bq.getJob(prio.id!))!.remove()
    expect(await fq.getJob(waiting.id!)).toBeUndefined()
    expect(await fq.getJob(delayed.id!)).toBeUndefined()
    expect(await fq.getJobCounts('waiting', 'delayed', 'prioritized')).toEqual({ waiting: 1, delayed: 0, prioritized: 0 })

    let fail = true
    const fw = track(new Worker(name, async () => {
      if (fail) throw new Error('ferroq failed it')
      return 'ferroq done'
    }, { connection: connection() }))
    await countsReach(fq, { failed: 1 })
    fail = false
    const job = (await bq.getJob(id!))!
    expect(job.failedReason).toBe('ferroq failed it')
    await job.retry()
    await countsReach(fq, { completed: 1, failed: 0 })
    const after = (await fq.getJob(id!))!
    expect(after.returnvalue).toBe('ferroq done')
    expect(after.attemptsMade).toBe(2)
    await fw.close()
  })
  test('a completed job is retried across sides, with attempts reset as asked', async () => {
    const name = queueName('f2b-retry-completed')
    const fq = ferroqQueue(name)
    const bq = track(new bullmq.Queue(name, { connection: bullConnection() }))
    const { id } = await fq.add('c', { v: 1 }, { attempts: 3 })
    let run = 0
    const worker = bullWorker(name, async () => `run ${++run}`)
    await eventually(async () => (await fq.getJobState(id!)) === 'completed')
    await (await fq.getJob(id!))!.retry('completed')
    await eventually(async () => (await fq.getJob(id!))!.returnvalue === 'run 2')
    let j = (await fq.getJob(id!))!
    expect([await j.getState(), j.attemptsMade, j.attemptsStarted]).toEqual(['completed', 2, 2])
    await (await bq.getJob(id!))!.retry('completed', { resetAttemptsMade: true, resetAttemptsStarted: true })
    await eventually(async () => (await fq.getJob(id!))!.returnvalue === 'run 3')
    j = (await fq.getJob(id!))!
    expect([await j.getState(), j.attemptsMade, j.attemptsStarted]).toEqual(['completed', 1, 1])
  })
})
