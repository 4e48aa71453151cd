// Job schedulers across libraries: a scheduler made by bullmq 6.7.0 keeps
// running on ferroq workers and the reverse, and each library's
// getJobScheduler(s) describes the other's schedulers the same way.
import * as bullmq from 'bullmq'
import { Queue, Worker, JobSchedulerJobOptions } from '../..'
import { connection, queueName, collect, eventually, closeAfterEach } from '../helpers'
import { bullConnection, canonical } from './compat-helpers'

describe('job schedulers between bullmq and ferroq', () => {
  const track = closeAfterEach()
  const millisOf = (id: string) => Number(id.split(':').pop())

  test('a bullmq `every` scheduler runs on a ferroq worker, which creates each next iteration', async () => {
    const name = queueName('sched-b2f')
    const bq = track(new bullmq.Queue(name, { connection: bullConnection() }))
    await bq.upsertJobScheduler('b-every', { every: 300, limit: 3 }, { name: 'from-bull', data: { by: 'bullmq' }, opts: { attempts: 2 } })
    const seen: { id: string; data: unknown; count: number }[] = []
    const worker = track(new Worker(name, async (job) => {
      seen.push({ id: job.id!, data: job.data, count: (job.opts as JobSchedulerJobOptions).repeat!.count! })
      return 'done'
    }, { connection: connection() }))
    await collect(worker, 'completed', 3)
    expect(seen.map((s) => s.count)).toEqual([1, 2, 3])
    expect(seen.every((s) => canonical(s.data) !== undefined && (s.data as { by: string }).by === 'bullmq')).toBe(true)
    // Whole intervals apart (one, unless an iteration started late and the schedule skipped ahead).
    for (const i of [1, 2]) {
      expect(millisOf(seen[i].id)).toBeGreaterThan(millisOf(seen[i - 1].id))
      expect((millisOf(seen[i].id) - millisOf(seen[0].id)) % 300).toBe(0)
    }
    // bullmq sees the iterations ferroq created as its own.
    const s = await bq.getJobScheduler('b-every')
    expect(s).toMatchObject({ key: 'b-every', name: 'from-bull', iterationCount: 3, limit: 3, every: 300, next: millisOf(seen[2].id) })
    const third = await bq.getJob(seen[2].id)
    expect(third!.opts.attempts).toBe(2)
    expect(third!.repeatJobKey).toBe('b-every')
    expect(await bq.getDelayedCount()).toBe(0)
  })

  test('a bullmq cron scheduler (seconds, time zone) continues on ferroq with the next matching second', async () => {
    const name = queueName('sched-b2f-cron')
    const bq = track(new bullmq.Queue(name, { connection: bullConnection() }))
    await bq.upsertJobScheduler('b-cron', { pattern: '*/1 * * * * *', tz: 'Australia/Sydney', limit: 2 })
    const worker = track(new Worker(name, async (job) => job.id, { connection: connection() }))
    const done = await collect<[{ id: string; opts: { prevMillis: number } }]>(worker, 'completed', 2)
    const [a, b] = done.map(([j]) => j)
    expect(millisOf(b.id) % 1000).toBe(0)
    expect(millisOf(b.id)).toBeGreaterThan(millisOf(a.id))
    expect(b.opts.prevMillis).toBe(millisOf(b.id))
    expect((await bq.getJobScheduler('b-cron'))!.iterationCount).toBe(2)
  })

  test('a ferroq scheduler runs on a bullmq worker', async () => {
    const name = queueName('sched-f2b')
    const queue = track(new Queue(name, { connection: connection() }))
    await queue.upsertJobScheduler('f-every', { every: 300, limit: 3 }, { name: 'from-ferroq', data: { by: 'ferroq' } })
    const seen: { id: string; name: string; data: unknown }[] = []
    const worker = track(new bullmq.Worker(name, async (job) => {
      seen.push({ id: job.id!, name: job.name, data: job.data })
    }, { connection: bullConnection() }))
    await eventually(() => seen.length >= 3)
    await worker.close()
    expect(seen.map((s) => s.name)).toEqual(['from-ferroq', 'from-ferroq', 'from-ferroq'])
    expect(seen[2].data).toEqual({ by: 'ferroq' })
    expect(millisOf(seen[1].id)).toBeGreaterThan(millisOf(seen[0].id))
    expect((millisOf(seen[2].id) - millisOf(seen[0].id)) % 300).toBe(0)
    expect(await queue.getJobScheduler('f-every')).toMatchObject({ iterationCount: 3, next: millisOf(seen[2].id) })
  })

  test("each library lists the other's schedulers identically", async () => {
    const name = queueName('sched-list')
    const queue = track(new Queue(name, { connection: connection() }))
    const bq = track(new bullmq.Queue(name, { connection: bullConnection() }))
    const start = Date.now() + 3_600_000
    await bq.upsertJobScheduler('by-bull', { pattern: '0 30 9 * * 1-5', tz: 'Europe/Berlin' }, { name: 'report', data: { a: 1 }, opts: { priority: 2, removeOnComplete: 10 } })
    await queue.upsertJobScheduler('by-ferroq', { every: 90_000, startDate: start, limit: 4 }, { name: 'sync', data: { b: [1, 2] }, opts: { attempts: 3, backoff: 1000 } })
    const fromBull = await bq.getJobSchedulers(0, -1, true)
    const fromFerroq = await queue.getJobSchedulers(0, -1, true)
    expect(fromBull.map((s) => s.key)).toEqual(fromFerroq.map((s) => s.key))
    expect(canonical(fromFerroq)).toEqual(canonical(fromBull))
    const f = fromBull.find((s) => s.key === 'by-ferroq')!
    expect(f).toMatchObject({ next: start, every: 90_000, limit: 4, iterationCount: 1, name: 'sync' })
    expect(f.template).toEqual({ data: { b: [1, 2] }, opts: { attempts: 3, backoff: { type: 'fixed', delay: 1000 } } })
    const b = fromFerroq.find((s) => s.key === 'by-bull')!
    expect(b).toMatchObject({ pattern: '0 30 9 * * 1-5', tz: 'Europe/Berlin', name: 'report' })
    expect(canonical(await queue.getJobScheduler('by-bull'))).toEqual(canonical(await bq.getJobScheduler('by-bull')))
    expect(await queue.getJobSchedulersCount()).toBe(await bq.getJobSchedulersCount())
    // The iterations each created are what the other would have created.
    const bullIt = await queue.getJob(`repeat:by-bull:${b.next}`)
    const ferroqIt = await bq.getJob(`repeat:by-ferroq:${start}`)
    expect(bullIt!.opts).toMatchObject({ priority: 2, removeOnComplete: 10, repeat: { pattern: '0 30 9 * * 1-5', tz: 'Europe/Berlin', count: 1 } })
    expect(ferroqIt!.opts).toMatchObject({ attempts: 3, repeat: { every: 90_000, limit: 4, count: 1 } })
    expect(ferroqIt!.delay).toBeGreaterThan(3_500_000)
  })

  test('an upsert by one library replaces the pending iteration the other made; removal by either clears it', async () => {
    const name = queueName('sched-replace')
    const queue = track(new Queue(name, { connection: connection() }))
    const bq = track(new bullmq.Queue(name, { connection: bullConnection() }))
    await bq.upsertJobScheduler('x', { pattern: '0 0 1 1 *' })
    await queue.upsertJobScheduler('x', { pattern: '0 0 2 2 *', tz: 'UTC' })
    expect(await bq.getDelayedCount()).toBe(1)
    await bq.upsertJobScheduler('x', { pattern: '0 0 3 3 *', tz: 'UTC' })
    const delayed = await queue.getDelayed()
    expect(delayed).toHaveLength(1)
    expect((delayed[0].opts as JobSchedulerJobOptions).repeat).toMatchObject({ pattern: '0 0 3 3 *' })
    expect(await queue.removeJobScheduler('x')).toBe(true)
    expect(await bq.getDelayedCount()).toBe(0)
    expect(await bq.getJobScheduler('x')).toBeUndefined()
    await queue.upsertJobScheduler('y', { pattern: '0 0 1 1 *' })
    expect(await bq.removeJobScheduler('y')).toBe(true)
    expect(await queue.getDelayedCount()).toBe(0)
  })
})
