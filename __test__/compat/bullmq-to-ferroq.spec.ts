// Jobs written by the real bullmq 6.7.0 (its Queue, Worker and Job), processed and
// read by ferroq; bullmq's QueueEvents and getters read what ferroq's worker wrote.
import * as bullmq from 'bullmq'
import { Queue, Worker, Job } from '../..'
import { connection, queueName, collect, next, eventually, closeAfterEach } from '../helpers'
import { bullConnection, richData, asStored, countsReach, sleep, addRunOrderJobs, runRecorder, BULLMQ_RUN_ORDER, LATE_DELAY_MS } from './compat-helpers'

describe('bullmq producer -> ferroq worker', () => {
  // Closed newest first: workers, then queues and event readers.
  const track = closeAfterEach()

  function bullQueue(name: string) {
    return track(new bullmq.Queue(name, { connection: bullConnection() }))
  }
  async function bullEvents(name: string) {
    // Reading from the start of the stream makes the test independent of when XREAD begins.
    const qe = track(new bullmq.QueueEvents(name, { connection: bullConnection(), lastEventId: '0-0' }))
    await qe.waitUntilReady()
    return qe
  }

  test('data arrives identical (nesting, unicode, Date as ISO string) and the return value reaches bullmq', async () => {
    const name = queueName('b2f-data')
    const bq = bullQueue(name)
    const events = await bullEvents(name)
    const data = richData('b2f')
    const added = await bq.add('rich', data)
    expect(added.id).toBe('1')

    const seen: { id?: string; name: string; data: unknown; attemptsStarted: number; attemptsMade: number }[] = []
    const worker = track(new Worker(name, async (job) => {
      // A snapshot: like bullmq's, ferroq's Job object counts the attempt once it settles.
      const { id, name, data, attemptsStarted, attemptsMade } = job
      seen.push({ id, name, data, attemptsStarted, attemptsMade })
      return { echo: job.data, id: job.id, name: job.name }
    }, { connection: connection() }))
    const [completed] = await next<[{ jobId: string; returnvalue: unknown; prev: string }]>(events, 'completed')
    await worker.close()

    expect(seen).toHaveLength(1)
    expect(seen[0].id).toBe('1')
    expect(seen[0].name).toBe('rich')
    expect(seen[0].data).toEqual(asStored(data))
    expect((seen[0].data as any).when).toBe('2024-01-02T03:04:05.678Z')
    expect(seen[0].attemptsStarted).toBe(1)
    expect(seen[0].attemptsMade).toBe(0)

    const expected = { echo: asStored(data), id: '1', name: 'rich' }
    expect(completed.jobId).toBe('1')
    expect(completed.prev).toBe('active')
    expect(completed.returnvalue).toEqual(expected)

    const stored = (await bq.getJob('1'))!
    expect(stored.returnvalue).toEqual(expected)
    expect(stored.data).toEqual(asStored(data))
    expect(await stored.getState()).toBe('completed')
    expect(stored.attemptsMade).toBe(1)
    expect(stored.finishedOn).toBeGreaterThanOrEqual(stored.processedOn!)
    expect(await bq.getJobCounts()).toEqual({
      active: 0, completed: 1, delayed: 0, failed: 0, prioritized: 0, waiting: 0, 'waiting-children': 0,
    })
  })

  test('plain, delayed, prioritized, custom id and lifo jobs run in bullmq order', async () => {
    const name = queueName('b2f-order')
    const bq = bullQueue(name)
    await addRunOrderJobs(bq)
    const { order, ids, process } = runRecorder()
    const worker = track(new Worker(name, process, { connection: connection() }))
    await collect(worker, 'completed', 7)
    expect(order).toEqual(BULLMQ_RUN_ORDER)
    expect(ids.custom).toBe('my-custom-id')
    const late = (await bq.getJob(ids.late))!
    expect(late.returnvalue).toBe(2)
    expect(late.opts.delay).toBe(LATE_DELAY_MS)
    expect(await bq.getJobCounts('completed', 'delayed', 'prioritized', 'waiting', 'active')).toEqual({
      completed: 7, delayed: 0, prioritized: 0, waiting: 0, active: 0,
    })
  })

  test('attempts with fixed and exponential backoff: retries, final failure seen by bullmq QueueEvents', async () => {
    const name = queueName('b2f-retry')
    const bq = bullQueue(name)
    const events = await bullEvents(name)
    const fixed = await bq.add('fixed', {}, { attempts: 3, backoff: { type: 'fixed', delay: 60 } })
    const expo = await bq.add('expo', {}, { attempts: 3, backoff: { type: 'exponential', delay: 40 } })
    const flaky = await bq.add('flaky', {}, { attempts: 2, backoff: 30 })
    const once = await bq.add('once', {})

    const starts: Record<string, number[]> = { fixed: [], expo: [], flaky: [], once: [] }
    const failed = collect<[{ jobId: string; failedReason: string; prev: string }]>(events, 'failed', 3)
    const exhausted = collect<[{ jobId: string; attemptsMade: string }]>(events, 'retries-exhausted', 3)
    const worker = track(new Worker(name, async (job) => {
      starts[job.name].push(Date.now())
      if (job.name === 'flaky' && job.attemptsMade === 1) return 'second time lucky'
      throw new Error(`boom ${job.name} #${job.attemptsMade + 1}`)
    }, { connection: connection(), concurrency: 4 }))

    const fails = await failed
    const byId = Object.fromEntries(fails.map(([e]) => [e.jobId, e]))
    expect(Object.keys(byId).sort()).toEqual([expo.id, fixed.id, once.id].sort())
    expect(byId[fixed.id!].failedReason).toBe('boom fixed #3')
    expect(byId[expo.id!].failedReason).toBe('boom expo #3')
    expect(byId[once.id!].failedReason).toBe('boom once #1')
    expect(byId[fixed.id!].prev).toBe('active')
    const ex = Object.fromEntries((await exhausted).map(([e]) => [e.jobId, Number(e.attemptsMade)]))
    expect(ex).toEqual({ [fixed.id!]: 3, [expo.id!]: 3, [once.id!]: 1 })

    await eventually(async () => (await bq.getJobState(flaky.id!)) === 'completed')
    await worker.close()

    // Backoff gaps: fixed 60, 60; exponential 40, 80 (timer slack tolerated below, never early).
    const gaps = (t: number[]) => t.slice(1).map((x, i) => x - t[i])
    expect(starts.fixed).toHaveLength(3)
    expect(starts.expo).toHaveLength(3)
    for (const g of gaps(starts.fixed)) expect(g).toBeGreaterThanOrEqual(55)
    const [e1, e2] = gaps(starts.expo)
    expect(e1).toBeGreaterThanOrEqual(35)
    expect(e2).toBeGreaterThanOrEqual(75)
    expect(gaps(starts.flaky)[0]).toBeGreaterThanOrEqual(25)

    for (const [job, attempts] of [[fixed, 3], [expo, 3], [once, 1]] as const) {
      const j = (await bq.getJob(job.id!))!
      expect(await j.getState()).toBe('failed')
      expect(j.attemptsMade).toBe(attempts)
      expect(j.attemptsStarted).toBe(attempts)
      expect(j.failedReason).toBe(`boom ${j.name} #${attempts}`)
      expect(j.stacktrace).toHaveLength(attempts)
      expect(j.stacktrace![attempts - 1]).toContain(`boom ${j.name} #${attempts}`)
      expect(j.finishedOn).toBeGreaterThan(0)
    }
    const f = (await bq.getJob(flaky.id!))!
    expect(f.returnvalue).toBe('second time lucky')
    expect(f.attemptsMade).toBe(2)
    expect(f.failedReason).toBe('boom flaky #1')
    expect(f.stacktrace).toHaveLength(1)
    expect(f.opts.backoff).toEqual({ type: 'fixed', delay: 30 })
  })

  test('progress and logs written by a ferroq worker are read by bullmq', async () => {
    const name = queueName('b2f-progress')
    const bq = bullQueue(name)
    const events = await bullEvents(name)
    const job = await bq.add('p', { x: 1 }, { keepLogs: 2 })
    const progress = collect<[{ jobId: string; data: unknown }]>(events, 'progress', 4)
    const worker = track(new Worker(name, async (j) => {
      await j.updateProgress(40)
      await j.log('first line')
      await j.log('second — ünïcode')
      // bullmq 6's JobProgress is string | boolean | number | object.
      await j.updateProgress('uploading')
      await j.updateProgress(false)
      await j.updateProgress({ step: 'upload', pct: 90 })
      return await j.log('third line')
    }, { connection: connection() }))
    const [, result] = await next<[Job, number]>(worker, 'completed')
    expect(result).toBe(2) // keepLogs: 2 caps the count, as bullmq's addLog
    expect((await progress).map(([e]) => e.data)).toEqual([40, 'uploading', false, { step: 'upload', pct: 90 }])
    const stored = (await bq.getJob(job.id!))!
    expect(stored.progress).toEqual({ step: 'upload', pct: 90 })
    expect(await bq.getJobLogs(job.id!)).toEqual({ logs: ['second — ünïcode', 'third line'], count: 2 })
    await worker.close()
  })

  test('bullmq retries a job that failed in a ferroq worker, then removes it', async () => {
    const name = queueName('b2f-retry-remove')
    const bq = bullQueue(name)
    const events = await bullEvents(name)
    const { id } = await bq.add('r', { v: 1 })
    let fail = true
    const worker = track(new Worker(name, async () => {
      if (fail) throw new Error('first run fails')
      return 'ok now'
    }, { connection: connection() }))
    await next(worker, 'failed')
    await eventually(async () => (await bq.getJobState(id!)) === 'failed')
    fail = false

    const failedJob = (await bq.getJob(id!))!
    expect(failedJob.failedReason).toBe('first run fails')
    const completed = next<[{ jobId: string; returnvalue: unknown }]>(events, 'completed')
    await failedJob.retry()
    const [done] = await completed
    expect(done).toMatchObject({ jobId: id, returnvalue: 'ok now' })
    const after = (await bq.getJob(id!))!
    expect(await after.getState()).toBe('completed')
    expect(after.attemptsMade).toBe(2)
    expect(after.returnvalue).toBe('ok now')

    // bullmq removes it; ferroq no longer sees it.
    const fq = track(new Queue(name, { connection: connection() }))
    await after.remove()
    expect(await fq.getJob(id!)).toBeUndefined()
    expect(await fq.getJobState(id!)).toBe('unknown')
    expect(await fq.getJobCounts('completed')).toEqual({ completed: 0 })
    await worker.close()
  })

  test('ferroq retries and removes jobs bullmq failed and added', async () => {
    const name = queueName('b2f-ferroq-retry')
    const bq = bullQueue(name)
    const fq = track(new Queue(name, { connection: connection() }))
    const { id } = await bq.add('r', { v: 2 })
    const waiting = await bq.add('w', { v: 3 })
    const delayed = await bq.add('d', { v: 4 }, { delay: 60000 })
    let fail = true
    const bw = track(new bullmq.Worker(name, async (job) => {
      if (job.name === 'w') await sleep(60000) // never reached: removed while waiting
      if (fail) throw new Error('bullmq failed it')
      return 'bullmq done'
    }, { connection: bullConnection(), autorun: false }))
    // Remove the waiting and delayed jobs through ferroq before anything runs.
    expect(await fq.remove(waiting.id!)).toBe(1)
    await (await fq.getJob(delayed.id!))!.remove()
    expect(await bq.getJob(waiting.id!)).toBeUndefined()
    expect(await bq.getJob(delayed.id!)).toBeUndefined()
    expect(await bq.getJobCounts('waiting', 'delayed')).toEqual({ waiting: 1, delayed: 0 })

    bw.run()
    await countsReach(bq, { failed: 1 })
    fail = false
    const job = (await fq.getJob(id!))!
    expect(job.failedReason).toBe('bullmq failed it')
    expect(await job.getState()).toBe('failed')
    await job.retry()
    await countsReach(bq, { completed: 1, failed: 0 })
    const after = (await bq.getJob(id!))!
    expect(after.returnvalue).toBe('bullmq done')
    expect(after.attemptsMade).toBe(2)
  })
  test('a completed job is retried across sides, with attempts reset as asked', async () => {
    const name = queueName('b2f-retry-completed')
    const bq = bullQueue(name)
    const fq = track(new Queue(name, { connection: connection() }))
    const { id } = await bq.add('c', { v: 1 }, { attempts: 3 })
    let run = 0
    const worker = track(new Worker(name, async () => `run ${++run}`, { connection: connection() }))
    await eventually(async () => (await bq.getJobState(id!)) === 'completed')
    // bullmq retries the ferroq-completed job without resetting: attemptsMade keeps counting.
    await (await bq.getJob(id!))!.retry('completed')
    await eventually(async () => (await bq.getJob(id!))!.returnvalue === 'run 2')
    let j = (await bq.getJob(id!))!
    expect([await j.getState(), j.attemptsMade, j.attemptsStarted]).toEqual(['completed', 2, 2])
    // ferroq retries with resets; bullmq reads the counters from one again.
    await (await fq.getJob(id!))!.retry('completed', { resetAttemptsMade: true, resetAttemptsStarted: true })
    await eventually(async () => (await bq.getJob(id!))!.returnvalue === 'run 3')
    j = (await bq.getJob(id!))!
    expect([await j.getState(), j.attemptsMade, j.attemptsStarted]).toEqual(['completed', 1, 1])
    // Retrying a job that is not in that state is refused by both.
    await expect(j.retry('failed')).rejects.toThrow()
    await expect((await fq.getJob(id!))!.retry('failed')).rejects.toThrow()
    await worker.close()
  })
})
