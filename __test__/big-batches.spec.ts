// Batches past Lua 5.1's limits (once "ERR out of Lua stack" on the embedded
// store): addBulk of 5,000 jobs and 5,000 add() calls in one tick, on the
// suite's store and, when that is Redis, on the embedded store too.
import { Queue } from '..'
import { connection, queueName, store } from './helpers'

const memory = { url: `memory://big-batches-${process.pid}-${Date.now().toString(36)}` }
const stores: Array<[string, { url: string }]> =
  store === 'redis' ? [['redis', connection()], ['memory', memory]] : [['memory', connection()]]

const N = 5000

describe.each(stores)('big batches on %s', (_store, conn) => {
  test('addBulk of 5,000 jobs: every id in order, all waiting, data kept', async () => {
    const queue = new Queue(queueName('bulk5k'), { connection: conn })
    const jobs = await queue.addBulk(
      Array.from({ length: N }, (_, i) => ({
        name: 'b',
        data: { i },
        opts: i % 10 === 9 ? { delay: 60_000 } : {},
      })),
    )
    expect(jobs.map((j) => j.id)).toEqual(Array.from({ length: N }, (_, i) => String(i + 1)))
    expect(await queue.getJobCounts('waiting', 'delayed')).toEqual({ waiting: N - N / 10, delayed: N / 10 })
    // Oldest first: the order they were given in.
    const waiting = await queue.getJobs(['waiting'], 0, -1, true)
    expect(waiting.map((j) => j.id)).toEqual(
      Array.from({ length: N }, (_, i) => i).filter((i) => i % 10 !== 9).map((i) => String(i + 1)),
    )
    const last = await queue.getJob(String(N))
    expect(last?.data).toEqual({ i: N - 1 })
    expect(last?.opts.delay).toBe(60_000)
    await queue.obliterate({ force: true })
    await queue.close()
  })

  test('5,000 add() calls in one tick each settle on their own id; a bad one alone fails', async () => {
    const queue = new Queue(queueName('tick5k'), { connection: conn })
    const adds = Array.from({ length: N }, (_, i) => queue.add('t', { i }, i === 2500 ? { priority: -1 } : {}))
    const results = await Promise.allSettled(adds)
    const rejected = results.flatMap((r, i) => (r.status === 'rejected' ? [[i, r.reason.code]] : []))
    expect(rejected).toEqual([[2500, 'ERR_FERROQ_INVALID_OPTION']])
    const ids = results.map((r) => (r.status === 'fulfilled' ? r.value.id : null))
    expect(new Set(ids.filter((x) => x !== null)).size).toBe(N - 1)
    expect(await queue.getWaitingCount()).toBe(N - 1)
    for (const i of [0, 2499, 2501, N - 1]) {
      const job = await queue.getJob(ids[i] as string)
      expect(job?.data).toEqual({ i })
    }
    await queue.obliterate({ force: true })
    await queue.close()
  })
})
