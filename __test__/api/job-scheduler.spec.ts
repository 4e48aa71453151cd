// BullMQ 6's job schedulers, the same spec body run against ferroq and
// bullmq 6.7.0 (see parity.ts): startDate, immediately and offset place the
// first iteration; upserts replace without duplicates; iterations survive
// drain, clean and remove; promote, failure and retry keep one pending
// iteration; removeOnComplete; events. Written after bullmq's own scheduler tests.
import { BOTH, closer } from './parity'
import { queueName, eventually, collect } from '../helpers'

const HOUR = 3_600_000
const millisOf = (id: string) => Number(id.split(':').pop())

describe.each(BOTH)('job schedulers on %s', (_label, { lib, connection }) => {
  const c = closer()
  afterEach(() => c.closeAll())
  const queue = (name: string) => c.add(new lib.Queue(name, { connection: connection() }))
  const worker = (name: string, fn: (job: any) => unknown, opts: object = {}) =>
    c.add(new lib.Worker(name, fn, { connection: connection(), ...opts }))
  /** Ids of the iterations waiting or delayed. */
  const pending = async (q: any) => (await q.getJobs(['waiting', 'delayed', 'prioritized', 'paused'])).map((j: any) => j.id).sort()

  test('an every scheduler with a future startDate waits for it; one in the past starts now', async () => {
    const q = queue(queueName('s-start'))
    const start = Date.now() + HOUR
    const future = await q.upsertJobScheduler('future', { every: 60_000, startDate: start })
    expect(future.id).toBe(`repeat:future:${start}`)
    expect(await future.getState()).toBe('delayed')
    const past = await q.upsertJobScheduler('past', { every: 60_000, startDate: Date.now() - HOUR })
    expect(await past.getState()).toBe('waiting')
    expect((await q.getJobScheduler('future')).next).toBe(start)
  })

  test('a pattern scheduler with immediately runs now, then follows the pattern', async () => {
    const name = queueName('s-immediately')
    const q = queue(name)
    const first = await q.upsertJobScheduler('now', { pattern: '0 0 1 1 *', tz: 'UTC', immediately: true }, { name: 'yearly' })
    expect(await first.getState()).toBe('waiting')
    const done: string[] = []
    worker(name, async (job: any) => done.push(job.id))
    await eventually(async () => done.length === 1 && (await q.getDelayedCount()) === 1)
    const [next] = await q.getDelayed()
    expect(new Date(millisOf(next.id)).toISOString()).toMatch(/-01-01T00:00:00.000Z$/)
    expect(next.name).toBe('yearly')
    expect(next.opts.repeat.count).toBe(2)
  })

  test('offset shifts an every schedule within its interval', async () => {
    const q = queue(queueName('s-offset'))
    const every = 10 * 60_000
    const start = Date.now() + HOUR
    const job = await q.upsertJobScheduler('shifted', { every, offset: 1234, startDate: start })
    const scheduler = await q.getJobScheduler('shifted')
    expect(scheduler.offset).toBe(1234)
    expect(job.opts.repeat.offset).toBe(1234)
    expect(millisOf(job.id) % every === 1234 || millisOf(job.id) === start).toBe(true)
    expect(job.delay).toBeGreaterThan(HOUR - 60_000)
  })

  test('upserting the same scheduler twice keeps one scheduler and one iteration; another id adds one', async () => {
    const q = queue(queueName('s-twice'))
    await q.upsertJobScheduler('same', { pattern: '0 0 1 1 *' })
    await q.upsertJobScheduler('same', { pattern: '0 0 1 1 *' })
    expect(await q.getJobSchedulersCount()).toBe(1)
    expect(await q.getDelayedCount()).toBe(1)
    await q.upsertJobScheduler('other', { pattern: '0 0 1 1 *' })
    expect(await q.getJobSchedulersCount()).toBe(2)
    expect(await q.getDelayedCount()).toBe(2)
    // Changing every to a pattern on one id replaces its pending iteration.
    await q.upsertJobScheduler('same', { every: HOUR * 24, startDate: Date.now() + HOUR })
    expect(await q.getDelayedCount()).toBe(2)
    expect((await q.getJobScheduler('same')).every).toBe(HOUR * 24)
    expect((await q.getJobScheduler('same')).pattern).toBeUndefined()
  })

  test('upserting a scheduler whose iteration is waiting replaces that waiting iteration', async () => {
    const name = queueName('s-waiting')
    const q = queue(name)
    await q.upsertJobScheduler('w', { every: HOUR })
    expect(await q.getWaitingCount()).toBe(1)
    await q.upsertJobScheduler('w', { every: HOUR * 2 }, { data: { v: 2 } })
    const ids = await pending(q)
    expect(ids).toHaveLength(1)
    expect((await q.getJob(ids[0])).data).toEqual({ v: 2 })
  })

  test('a missing scheduler reads as undefined and its removal says false', async () => {
    const q = queue(queueName('s-missing'))
    expect(await q.getJobScheduler('none')).toBeUndefined()
    expect(await q.removeJobScheduler('none')).toBe(false)
    expect(await q.getJobSchedulers()).toEqual([])
  })

  test('the pending iteration survives drain and clean, and queue.remove refuses it', async () => {
    const q = queue(queueName('s-keep'))
    const job = await q.upsertJobScheduler('keep', { pattern: '0 0 1 1 *' })
    await q.add('plain', {}, { delay: HOUR })
    await q.drain(true)
    expect(await pending(q)).toEqual([job.id])
    expect(await q.clean(0, 100, 'delayed')).toEqual([])
    expect(await pending(q)).toEqual([job.id])
    await expect(q.remove(job.id)).rejects.toThrow(/belongs to a job scheduler/)
    expect(await pending(q)).toEqual([job.id])
  })

  test('a promoted iteration runs now and the next one is scheduled after it', async () => {
    const name = queueName('s-promote')
    const q = queue(name)
    const first = await q.upsertJobScheduler('p', { every: HOUR, startDate: Date.now() + HOUR })
    await first.promote()
    const seen: string[] = []
    worker(name, async (job: any) => seen.push(job.id))
    await eventually(async () => seen.length === 1 && (await q.getDelayedCount()) === 1)
    const [next] = await q.getDelayed()
    expect(millisOf(next.id)).toBe(millisOf(first.id) + HOUR)
    expect(await q.getWaitingCount()).toBe(0)
  })

  test('a failing iteration keeps the schedule going; retrying it adds no second pending iteration', async () => {
    const name = queueName('s-fail')
    const q = queue(name)
    await q.upsertJobScheduler('f', { every: HOUR })
    const w = worker(name, async () => {
      throw new Error('iteration failed')
    })
    await eventually(async () => (await q.getFailedCount()) === 1 && (await q.getDelayedCount()) === 1)
    await w.close()
    const [failed] = await q.getFailed()
    expect(failed.failedReason).toBe('iteration failed')
    await failed.retry()
    expect(await q.getDelayedCount()).toBe(1)
    expect(await q.getWaitingCount()).toBe(1)
    const again = worker(name, async () => 'ok')
    await eventually(async () => (await q.getCompletedCount()) === 1)
    await again.close()
    expect(await q.getDelayedCount()).toBe(1)
    // The count includes the pending iteration made when the first one started.
    expect((await q.getJobScheduler('f')).iterationCount).toBe(2)
  })

  test('retryJobs on a failed iteration adds no second pending iteration', async () => {
    const name = queueName('s-retryjobs')
    const q = queue(name)
    await q.upsertJobScheduler('rj', { every: HOUR })
    const w = worker(name, async () => {
      throw new Error('nope')
    })
    await eventually(async () => (await q.getFailedCount()) === 1 && (await q.getDelayedCount()) === 1)
    await w.close()
    await q.retryJobs({ state: 'failed' })
    expect(await q.getJobCounts('waiting', 'delayed', 'failed')).toEqual({ waiting: 1, delayed: 1, failed: 0 })
  })

  test('a cron scheduler with a limit or an endDate stops; the scheduler stays listed', async () => {
    const name = queueName('s-cron-end')
    const q = queue(name)
    await q.upsertJobScheduler('lim', { pattern: '* * * * * *', limit: 2 }, { name: 'lim' })
    await q.upsertJobScheduler('end', { pattern: '* * * * * *', endDate: Date.now() + 1500 }, { name: 'end' })
    const runs: Record<string, number> = { lim: 0, end: 0 }
    worker(name, async (job: any) => runs[job.name]++)
    await eventually(async () => runs.lim === 2 && runs.end >= 1 && (await q.getDelayedCount()) + (await q.getWaitingCount()) + (await q.getActiveCount()) === 0, 15000)
    expect(runs.lim).toBe(2)
    expect(runs.end).toBeLessThanOrEqual(3)
    expect((await q.getJobSchedulers()).map((s: any) => s.key).sort()).toEqual(['end', 'lim'])
  })

  test('removeOnComplete in the template removes each finished iteration', async () => {
    const name = queueName('s-roc')
    const q = queue(name)
    await q.upsertJobScheduler('r', { every: 150, limit: 3 }, { opts: { removeOnComplete: true } })
    const w = worker(name, async (job: any) => job.opts.repeat.count)
    await collect(w, 'completed', 3)
    expect(await q.getCompletedCount()).toBe(0)
    expect((await q.getJobScheduler('r')).iterationCount).toBe(3)
  })

  test('QueueEvents sees the first iteration waiting, later ones delayed', async () => {
    const name = queueName('s-events')
    const events = c.add(new lib.QueueEvents(name, { connection: connection(), lastEventId: '0-0' }))
    await events.waitUntilReady()
    const q = queue(name)
    const waiting: string[] = []
    const delayed: string[] = []
    events.on('waiting', ({ jobId }: { jobId: string }) => waiting.push(jobId))
    events.on('delayed', ({ jobId }: { jobId: string }) => delayed.push(jobId))
    const first = await q.upsertJobScheduler('ev', { every: HOUR })
    await eventually(() => waiting.includes(first.id))
    worker(name, async () => 'ok')
    await eventually(() => delayed.length === 1)
    expect(millisOf(delayed[0])).toBe(millisOf(first.id) + HOUR)
  })

  test('removing and upserting again while an iteration runs leaves one pending iteration', async () => {
    const name = queueName('s-rm-upsert')
    const q = queue(name)
    await q.upsertJobScheduler('x', { every: HOUR })
    let release!: () => void
    const held = new Promise<void>((r) => (release = r))
    let started = false
    const w = worker(name, async () => {
      started = true
      await held
      return 'done'
    })
    await eventually(() => started)
    expect(await q.removeJobScheduler('x')).toBe(true)
    await q.upsertJobScheduler('x', { every: HOUR, startDate: Date.now() + HOUR })
    release()
    await eventually(async () => (await q.getCompletedCount()) === 1)
    await w.close()
    expect(await q.getDelayedCount()).toBe(1)
    expect(await q.getJobSchedulersCount()).toBe(1)
  })
})
