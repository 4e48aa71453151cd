// Job schedulers through the public API: iterations run on a worker, upserting
// again replaces without duplicates, limit and endDate end a schedule,
// removing takes the pending iteration with it, and bad input has codes.
import { Queue, Worker, Job, JobSchedulerJobOptions } from '..'
import { connection, queueName, collect, eventually, closeAfterEach } from './helpers'

describe('job schedulers', () => {
  const track = closeAfterEach()

  const millisOf = (id: string) => Number(id.split(':').pop())

  test('an every scheduler runs its iterations on a worker, `every` ms apart, until its limit', async () => {
    const name = queueName('sched-every')
    const queue = track(new Queue(name, { connection: connection() }))
    const first = await queue.upsertJobScheduler('tick', { every: 250, limit: 3 }, { name: 'tick-job', data: { n: 1 }, opts: { attempts: 2 } })
    expect(first).toBeInstanceOf(Job)
    expect(first!.id).toMatch(/^repeat:tick:\d+$/)
    expect(first!.name).toBe('tick-job')
    expect(first!.repeatJobKey).toBe('tick')
    expect((first!.opts as JobSchedulerJobOptions).repeat).toEqual({ every: 250, limit: 3, count: 1 })

    const seen: Job[] = []
    const worker = track(new Worker(name, async (job) => {
      seen.push(job)
      return job.data.n
    }, { connection: connection() }))
    await collect(worker, 'completed', 3)
    const ids = seen.map((j) => j.id!)
    expect(ids[0]).toBe(first!.id)
    // Each run is a whole number of intervals after the first (one interval
    // unless the worker started an iteration late and the schedule skipped ahead).
    for (const i of [1, 2]) {
      expect(millisOf(ids[i])).toBeGreaterThan(millisOf(ids[i - 1]))
      expect((millisOf(ids[i]) - millisOf(ids[0])) % 250).toBe(0)
    }
    expect(seen.map((j) => (j.opts as JobSchedulerJobOptions).repeat!.count)).toEqual([1, 2, 3])
    expect(seen.every((j) => j.name === 'tick-job' && j.opts.attempts === 2)).toBe(true)
    // The limit ended it: nothing pending, and the scheduler stays listed.
    expect(await queue.getDelayedCount()).toBe(0)
    expect(await queue.getWaitingCount()).toBe(0)
    const s = await queue.getJobScheduler('tick')
    expect(s).toMatchObject({ key: 'tick', name: 'tick-job', every: 250, limit: 3, iterationCount: 3, next: millisOf(ids[2]) })
    expect(s!.template).toEqual({ data: { n: 1 }, opts: { attempts: 2 } })
  })

  test('a cron pattern with seconds and a time zone fires on whole seconds', async () => {
    const name = queueName('sched-cron')
    const queue = track(new Queue(name, { connection: connection() }))
    const first = await queue.upsertJobScheduler('sec', { pattern: '* * * * * *', tz: 'America/New_York', limit: 2 }, { data: { k: 'v' } })
    expect(first!.id).toMatch(/^repeat:sec:\d+000$/)
    expect(first!.name).toBe('sec')
    expect(await first!.getState()).toBe('delayed')
    const worker = track(new Worker(name, async (job) => job.id, { connection: connection() }))
    const done = await collect<[Job, string]>(worker, 'completed', 2)
    const ids = done.map(([job]) => job.id!)
    expect(ids[0]).toBe(first!.id)
    expect(millisOf(ids[1]) % 1000).toBe(0)
    expect(millisOf(ids[1])).toBeGreaterThan(millisOf(ids[0]))
    expect((await queue.getJobScheduler('sec'))!.iterationCount).toBe(2)
  })

  test('upserting again changes the schedule and leaves exactly one pending iteration', async () => {
    const name = queueName('sched-upsert')
    const queue = track(new Queue(name, { connection: connection() }))
    const start = Date.now() + 3_600_000
    await queue.upsertJobScheduler('s', { every: 60_000, startDate: start })
    await queue.upsertJobScheduler('s', { every: 60_000, startDate: start })
    const later = await queue.upsertJobScheduler('s', { pattern: '0 0 12 * * *', tz: 'UTC' }, { name: 'noon' })
    const delayed = await queue.getDelayed()
    expect(delayed.map((j) => j.id)).toEqual([later!.id])
    expect(millisOf(later!.id!) % 86_400_000).toBe(12 * 3_600_000)
    expect(await queue.getJobSchedulersCount()).toBe(1)
    expect(await queue.getJobScheduler('s')).toMatchObject({ pattern: '0 0 12 * * *', tz: 'UTC', name: 'noon', next: millisOf(later!.id!) })
  })

  test('endDate ends an every schedule', async () => {
    const name = queueName('sched-end')
    const queue = track(new Queue(name, { connection: connection() }))
    const endDate = new Date(Date.now() + 600)
    await queue.upsertJobScheduler('e', { every: 200, endDate })
    const worker = track(new Worker(name, async () => 'ok', { connection: connection() }))
    // Once an iteration starts after endDate, no further one is created, so
    // the queue runs dry; no iteration is due later than one interval past it.
    await eventually(async () => (await queue.getCompletedCount()) >= 1)
    await eventually(async () => (await queue.getDelayedCount()) + (await queue.getWaitingCount()) + (await queue.getActiveCount()) === 0)
    const completed = await queue.getCompleted()
    expect(Math.max(...completed.map((j) => millisOf(j.id!)))).toBeLessThanOrEqual(endDate.getTime() + 200)
    expect((await queue.getJobScheduler('e'))!.endDate).toBe(endDate.getTime())
    await worker.close()
  })

  test('removeJobScheduler removes its delayed iteration and says whether it existed', async () => {
    const name = queueName('sched-remove')
    const queue = track(new Queue(name, { connection: connection() }))
    const job = await queue.upsertJobScheduler('r', { pattern: '0 0 1 1 *' })
    await expect(queue.remove(job!.id!)).rejects.toMatchObject({ code: 'ERR_FERROQ_SCHEDULER_JOB' })
    expect(await queue.removeJobScheduler('r')).toBe(true)
    expect(await queue.removeJobScheduler('r')).toBe(false)
    expect(await queue.getJob(job!.id!)).toBeUndefined()
    expect(await queue.getJobScheduler('r')).toBeUndefined()
    expect(await queue.getJobSchedulersCount()).toBe(0)
  })

  test('getJobSchedulers lists by next run, descending by default', async () => {
    const name = queueName('sched-list')
    const queue = track(new Queue(name, { connection: connection() }))
    const now = Date.now()
    await queue.upsertJobScheduler('b', { every: 60_000, startDate: now + 20_000 })
    await queue.upsertJobScheduler('a', { every: 60_000, startDate: now + 10_000 })
    await queue.upsertJobScheduler('c', { pattern: '0 0 1 1 *', tz: 'Europe/Paris' }, { data: { x: 1 }, opts: { priority: 3, removeOnComplete: true } })
    expect((await queue.getJobSchedulers()).map((s) => s.key)).toEqual(['c', 'b', 'a'])
    expect((await queue.getJobSchedulers(0, 1, true)).map((s) => s.key)).toEqual(['a', 'b'])
    const c = (await queue.getJobSchedulers(0, 0))[0]
    expect(c.template).toEqual({ data: { x: 1 }, opts: { priority: 3, removeOnComplete: true } })
    expect(await queue.getJobSchedulersCount()).toBe(3)
  })

  test('bad repeat options and templates are refused with coded errors', async () => {
    const queue = track(new Queue(queueName('sched-bad'), { connection: connection() }))
    // bullmq's own wording where bullmq refuses the same input.
    const cases: [() => Promise<unknown>, RegExp][] = [
      [() => queue.upsertJobScheduler('x', { every: 1000, pattern: '* * * * *' }), /^Both .pattern and .every options are defined for this repeatable job$/],
      [() => queue.upsertJobScheduler('x', {}), /^Either .pattern or .every options must be defined for this repeatable job$/],
      [() => queue.upsertJobScheduler('x', { pattern: '* * * * *', immediately: true, startDate: Date.now() + 1000 }), /^Both .immediately and .startDate options are defined/],
      [() => queue.upsertJobScheduler('x', { every: 1000, endDate: Date.now() - 1 }), /^End date must be greater than current timestamp$/],
      [() => queue.upsertJobScheduler('x', { pattern: 'every tuesday' }), /not a valid cron pattern/],
      [() => queue.upsertJobScheduler('x', { pattern: '* * * * *', tz: 'Nowhere/Special' }), /IANA/],
      [() => queue.upsertJobScheduler('x', { every: 1000, startDate: 'not a date' }), /repeatOpts.startDate/],
      [() => queue.upsertJobScheduler('x', { every: 1000 }, { opts: { priority: 1.5 } }), /^Priority should not be float$/],
    ]
    for (const [call, message] of cases) {
      await expect(call()).rejects.toMatchObject({ code: 'ERR_FERROQ_INVALID_OPTION', message: expect.stringMatching(message) })
    }
    expect(await queue.getJobSchedulersCount()).toBe(0)
  })
})
