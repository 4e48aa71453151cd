// Prefetch fairness: a worker fetches fast jobs ahead of its free slots, but no
// job may wait in its buffer while another worker could run it. Slow jobs are
// never fetched ahead; a buffer whose jobs wait (user code turned slow) goes
// back to wait; a closing worker gives its buffer back at once. Every job runs
// exactly once and a job given back is not counted as started.
//
// The gated jobs below block until the test opens their gate, so "B runs them
// while A's jobs are still blocked" holds or the test times out: nothing here
// is timed.
import { Queue, Worker, QueueEvents, Job } from '..'
import { connection, queueName, eventually } from './helpers'

type Gate = { promise: Promise<void>; open: () => void }
function gate(): Gate {
  let open = () => {}
  const promise = new Promise<void>((r) => {
    open = r
  })
  return { promise, open }
}

/** Runs counts per job id and per worker; gated jobs wait for `g`. */
function recorder(g: Gate) {
  const runs = new Map<string, number>()
  const gatedBy = new Map<string, string[]>()
  const processor = (who: string) => async (job: Job) => {
    runs.set(job.id!, (runs.get(job.id!) || 0) + 1)
    if (job.name === 'gated') {
      gatedBy.set(who, [...(gatedBy.get(who) || []), job.id!])
      await g.promise
    }
    return who
  }
  const gatedCount = (who: string) => (gatedBy.get(who) || []).length
  return { runs, processor, gatedCount }
}

/** `fast` trivial jobs, then `gated` ones, in one addBulk (queue order). */
async function fill(queue: Queue, fast: number, gated: number): Promise<void> {
  const jobs = []
  for (let i = 0; i < fast; i++) jobs.push({ name: 'fast', data: { i } })
  for (let i = 0; i < gated; i++) jobs.push({ name: 'gated', data: { i } })
  await queue.addBulk(jobs)
}

/** Counts jobs a worker gave back (waiting again, coming from active). */
function givenBack(events: QueueEvents): () => number {
  let n = 0
  events.on('waiting', ({ prev }: { prev?: string }) => {
    if (prev === 'active') n += 1
  })
  return () => n
}

async function expectAllOnce(queue: Queue, runs: Map<string, number>, total: number): Promise<void> {
  await eventually(async () => (await queue.getCompletedCount()) === total, 20000)
  expect(runs.size).toBe(total)
  expect([...runs.values()].every((n) => n === 1)).toBe(true)
  const jobs = await queue.getJobs(['completed'], 0, total)
  // Given-back jobs had their start taken back: every job started once.
  expect(jobs.map((j) => j.attemptsStarted)).toEqual(jobs.map(() => 1))
  expect(await queue.getJobCounts('active', 'wait', 'failed')).toEqual({ active: 0, wait: 0, failed: 0 })
}

describe('prefetch fairness', () => {
  test('jobs that turn slow leave the busy worker\'s buffer: an idle worker runs them while the first is blocked', async () => {
    const name = queueName('prefetch-slow')
    const queue = new Queue(name, { connection: connection() })
    const events = new QueueEvents(name, { connection: connection() })
    await events.waitUntilReady()
    const back = givenBack(events)
    const g = gate()
    const rec = recorder(g)
    // 200 fast jobs teach A that jobs are fast (so it fetches ahead), then 6 that block.
    await fill(queue, 200, 6)
    const a = new Worker(name, rec.processor('a'), { connection: connection(), concurrency: 2 })
    await eventually(() => rec.gatedCount('a') === 2, 20000)
    // A's two slots are blocked; whatever it fetched ahead must reach B.
    const b = new Worker(name, rec.processor('b'), { connection: connection(), concurrency: 4 })
    await eventually(() => rec.gatedCount('b') === 4, 20000)
    expect(rec.gatedCount('a')).toBe(2)
    g.open()
    await expectAllOnce(queue, rec.runs, 206)
    console.log(`prefetch-slow: ${back()} job(s) given back by a buffer`)
    await Promise.all([a.close(), b.close()])
    await events.close()
    await queue.close()
  })

  test('a closing worker gives its prefetched jobs back at once; another worker runs them without a stalled check', async () => {
    const name = queueName('prefetch-close')
    const queue = new Queue(name, { connection: connection() })
    const events = new QueueEvents(name, { connection: connection() })
    await events.waitUntilReady()
    const back = givenBack(events)
    const g = gate()
    const rec = recorder(g)
    await fill(queue, 200, 4)
    const a = new Worker(name, rec.processor('a'), { connection: connection(), concurrency: 1 })
    await eventually(() => rec.gatedCount('a') === 1, 20000)
    // A closes while its one job is blocked (close waits for it): what it holds beyond
    // that job goes back now. B never checks for stalled jobs, and locks last 30 s.
    const closing = a.close()
    const b = new Worker(name, rec.processor('b'), {
      connection: connection(),
      concurrency: 3,
      stalledInterval: 600000,
    })
    await eventually(() => rec.gatedCount('b') === 3, 20000)
    g.open()
    await closing
    await expectAllOnce(queue, rec.runs, 204)
    console.log(`prefetch-close: ${back()} job(s) given back`)
    await b.close()
    await events.close()
    await queue.close()
  })

  test('jobs handed over as outcomes are reported (fetched ahead, sync and async processors) never exceed the concurrency; each runs once', async () => {
    const name = queueName('prefetch-claim')
    const queue = new Queue(name, { connection: connection() })
    const total = 1500
    const runs = new Map<string, number>()
    let running = 0
    let maxRunning = 0
    // Alternating sync and async jobs: fast, so the worker fetches ahead and the
    // slots their outcomes free take buffered jobs in the same tick.
    const processor = (job: Job) => {
      runs.set(job.id!, (runs.get(job.id!) || 0) + 1)
      running += 1
      maxRunning = Math.max(maxRunning, running)
      if (job.data.i % 2 === 0) {
        running -= 1
        return job.data.i
      }
      return Promise.resolve().then(() => {
        running -= 1
        return job.data.i
      })
    }
    await queue.addBulk(Array.from({ length: total }, (_, i) => ({ name: 'fast', data: { i } })))
    const w = new Worker(name, processor, { connection: connection(), concurrency: 3 })
    let active = 0
    let settled = 0
    let orderBroken = 0
    const started = new Set<string>()
    w.on('active', (job: Job) => {
      active += 1
      started.add(job.id!)
    })
    w.on('completed', (job: Job) => {
      settled += 1
      if (!started.has(job.id!)) orderBroken += 1
    })
    await expectAllOnce(queue, runs, total)
    await eventually(() => settled === total, 20000)
    expect(maxRunning).toBeLessThanOrEqual(3)
    expect(active).toBe(total)
    // A job's 'completed' comes after its 'active'.
    expect(orderBroken).toBe(0)
    await w.close()
    await queue.close()
  })

  test('two workers share slow jobs evenly, nothing waits in a buffer', async () => {
    const name = queueName('prefetch-even')
    const queue = new Queue(name, { connection: connection() })
    const done: Record<string, number> = { a: 0, b: 0 }
    const slow = (who: string) => async () => {
      await new Promise((r) => setTimeout(r, 200))
      return who
    }
    const a = new Worker(name, slow('a'), { connection: connection(), concurrency: 2 })
    const b = new Worker(name, slow('b'), { connection: connection(), concurrency: 2 })
    a.on('completed', () => (done.a += 1))
    b.on('completed', () => (done.b += 1))
    await Promise.all([a.waitUntilReady(), b.waitUntilReady()])
    await eventually(async () => (await queue.getWorkersCount()) === 2)
    await queue.addBulk(Array.from({ length: 16 }, (_, i) => ({ name: 'slow', data: { i } })))
    // While jobs wait, a worker holds no more than it runs: active never exceeds
    // the 4 slots of the two workers (a buffer would show as extra active jobs).
    let maxActive = 0
    while (done.a + done.b < 16) {
      maxActive = Math.max(maxActive, await queue.getActiveCount())
      await new Promise((r) => setTimeout(r, 10))
    }
    expect(maxActive).toBeLessThanOrEqual(4)
    expect(Math.abs(done.a - done.b)).toBeLessThanOrEqual(4)
    await Promise.all([a.close(), b.close()])
    await queue.close()
  })
})
