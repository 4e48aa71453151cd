// Stalled jobs and locks: a job whose worker died goes back to wait once its
// lock expires (and fails past maxStalledCount), while a live worker whose JS
// event loop is blocked keeps its lock, because renewal runs on a Rust timer.
import { Queue, Worker, QueueEvents, Job } from '..'
import { Worker as BullWorker, Queue as BullQueue } from 'bullmq'
import { connection, queueName, next, eventually, testRedisOnly } from './helpers'
import { spawnWorker } from './fixtures/spawn-worker'

const FAST = { lockDuration: 500, stalledInterval: 300 }
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Adds one job, lets a child worker take it, SIGKILLs the child. */
async function killChildHolding(name: string, maxStalledCount?: number): Promise<void> {
  const child = spawnWorker({ url: connection().url, queue: name, mode: 'hang', ...FAST, maxStalledCount })
  try {
    await child.waitForLine((l) => l === 'active 1')
  } finally {
    await child.kill()
  }
}

describe('stalled jobs', () => {
  // Redis only (these two and the bullmq contrast): the dying worker is another
  // process, and bullmq is another client.
  testRedisOnly('a job whose worker process died is moved back to wait, emits stalled, and another worker completes it', async () => {
    const name = queueName('stalled-dead')
    const queue = new Queue(name, { connection: connection() })
    const events = new QueueEvents(name, { connection: connection() })
    await events.waitUntilReady()
    await queue.add('x', { v: 1 })
    await killChildHolding(name)
    expect(await queue.getJobState('1')).toBe('active')

    const stalledOnEvents = next<[{ jobId: string }]>(events, 'stalled')
    const worker = new Worker(name, async (job) => `done by survivor (stalled ${job.stalledCounter})`, { connection: connection(), ...FAST })
    const stalledOnWorker = next<[string, string]>(worker, 'stalled')
    const [done, result] = await next<[Job, string]>(worker, 'completed')

    expect((await stalledOnWorker)[0]).toBe('1')
    expect((await stalledOnEvents)[0].jobId).toBe('1')
    expect(done.id).toBe('1')
    expect(result).toBe('done by survivor (stalled 1)')
    const stored = (await queue.getJob('1'))!
    expect(stored.stalledCounter).toBe(1)
    expect(stored.attemptsMade).toBe(1)
    expect(stored.attemptsStarted).toBe(2)
    expect(await queue.getJobCounts('completed', 'active', 'wait', 'failed')).toEqual({ completed: 1, active: 0, wait: 0, failed: 0 })
    await worker.close()
    await events.close()
    await queue.close()
  })

  testRedisOnly('past maxStalledCount the job fails with "job stalled more than allowable limit"', async () => {
    const name = queueName('stalled-max')
    const queue = new Queue(name, { connection: connection() })
    await queue.add('x', {})
    // Stall 1: the first child dies; the second child's stalled check moves the
    // job back to wait (stalledCounter 1 <= maxStalledCount 1) and takes it itself.
    const first = spawnWorker({ url: connection().url, queue: name, mode: 'hang', ...FAST, maxStalledCount: 1 })
    await first.waitForLine((l) => l === 'active 1')
    await first.kill()
    await killChildHolding(name, 1)
    expect((await queue.getJob('1'))!.stalledCounter).toBe(1)

    // Stall 2 exceeds the limit: the survivor fails the job without running it.
    let ran = 0
    const worker = new Worker(name, async () => { ran += 1 }, { connection: connection(), ...FAST, maxStalledCount: 1 })
    const [job, err] = await next<[Job, Error]>(worker, 'failed')
    expect(job.id).toBe('1')
    expect(err.message).toBe('job stalled more than allowable limit')
    expect(ran).toBe(0)
    const stored = (await queue.getJob('1'))!
    expect(stored.failedReason).toBe('job stalled more than allowable limit')
    expect(stored.stalledCounter).toBe(2)
    expect(await queue.getJobState('1')).toBe('failed')
    await worker.close()
    await queue.close()
  })

  test('a processor that blocks the event loop longer than lockDuration does not stall: one run, no stalled event', async () => {
    const name = queueName('stalled-busy')
    const queue = new Queue(name, { connection: connection() })
    const events = new QueueEvents(name, { connection: connection() })
    await events.waitUntilReady()
    const stalled: unknown[] = []
    events.on('stalled', (a) => stalled.push(a))
    await queue.add('busy', {})

    let runs = 0
    const worker = new Worker(name, async () => {
      runs += 1
      // Three lock lifetimes with the JS thread stuck: no JS timer could fire.
      const until = Date.now() + 1500
      while (Date.now() < until) { /* busy */ }
      return 'survived'
    }, { connection: connection(), ...FAST })
    worker.on('stalled', (id) => stalled.push(id))
    const errors: Error[] = []
    worker.on('error', (e) => errors.push(e))
    const [, result] = await next<[Job, string]>(worker, 'completed')
    expect(result).toBe('survived')
    // Give any late stalled check (300 ms period) a few chances to misfire.
    await sleep(1000)

    // One assertion, so a failure shows all three (a second run with or without a stalled event or a lost lock).
    expect({ runs, stalled, errors: errors.map((e) => e.message) }).toEqual({ runs: 1, stalled: [], errors: [] })
    const stored = (await queue.getJob('1'))!
    expect(stored.attemptsMade).toBe(1)
    expect(stored.attemptsStarted).toBe(1)
    expect(stored.stalledCounter).toBe(0)
    expect(await queue.getJobCounts('completed', 'active', 'wait')).toEqual({ completed: 1, active: 0, wait: 0 })
    await worker.close()
    await events.close()
    await queue.close()
  })

  // For contrast only (nothing asserted on bullmq): bullmq renews locks on JS
  // timers, so the same blocked processor loses its lock. The counts are logged.
  testRedisOnly('contrast: bullmq@6.7.0 in the same busy-loop scenario (logged, not asserted)', async () => {
    const name = queueName('stalled-busy-bullmq')
    const { url } = connection()
    const queue = new BullQueue(name, { connection: { url } })
    await queue.add('busy', {})
    let runs = 0
    const stalled: string[] = []
    const errors: string[] = []
    const worker = new BullWorker(name, async () => {
      runs += 1
      const until = Date.now() + 1500
      while (Date.now() < until) { /* busy */ }
      return 'survived'
    }, { connection: { url }, ...FAST })
    worker.on('stalled', (id) => stalled.push(id))
    worker.on('error', (e) => errors.push(e.message))
    await eventually(async () => (await queue.getJobCounts('completed')).completed > 0 || runs > 1 || errors.length > 0, 8000).catch(() => false)
    await sleep(700)
    const job = await queue.getJob('1')
    console.log(`bullmq contrast: runs=${runs} stalled=${stalled.length} errors=${JSON.stringify(errors)} ` +
      `state=${await job?.getState()} attemptsMade=${job?.attemptsMade} stalledCounter=${job?.stalledCounter}`)
    await worker.close(true)
    await queue.obliterate({ force: true }).catch(() => undefined)
    await queue.close()
  })
})
