// The learning tracker preset (seed 000), against a real Redis, with short windows.
import {
  createLearningTracker, initLearningTracker, queueLearningUpdate, forceUpdateNow, getQueueStatus,
  clearAllPendingUpdates, cleanup, Queue,
} from '../..'
import { connection, queueName, eventually } from '../helpers'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe('learning tracker', () => {
  test('a burst of calls for one user gives ONE run, about debounceMs after the last call', async () => {
    const calls: { userId: string; at: number }[] = []
    const t = createLearningTracker({
      connection: connection(), queueName: queueName('lt-burst'), debounceMs: 250,
      processor: async (userId: string) => { calls.push({ userId, at: Date.now() }); return { ok: userId } },
    })
    let last = 0
    for (let i = 0; i < 8; i++) {
      t.queueLearningUpdate('u1') // not awaited, as controllers call it
      last = Date.now()
      await sleep(30)
    }
    await t.queueLearningUpdate('u2')
    await eventually(() => calls.length >= 2)
    await sleep(400)
    expect(calls.filter((c) => c.userId === 'u1')).toHaveLength(1)
    expect(calls.filter((c) => c.userId === 'u2')).toHaveLength(1)
    const u1 = calls.find((c) => c.userId === 'u1')!
    expect(u1.at - last).toBeGreaterThanOrEqual(200)
    expect((await t.getQueueStatus()).completed).toBe(2)
    await t.cleanup()
  })

  test('a call while the user is being processed schedules exactly one more run', async () => {
    let release!: () => void
    const gate = new Promise<void>((r) => { release = r })
    let runs = 0
    const t = createLearningTracker({
      connection: connection(), queueName: queueName('lt-active'), debounceMs: 50,
      processor: async () => { runs++; if (runs === 1) await gate },
    })
    await t.queueLearningUpdate('u1')
    await eventually(async () => (await t.getQueueStatus()).active === 1)
    await t.queueLearningUpdate('u1')
    await t.queueLearningUpdate('u1')
    release()
    await eventually(() => runs === 2)
    await sleep(300)
    expect(runs).toBe(2)
    await t.cleanup()
  })

  test('forceUpdateNow cancels the pending update and returns the processor result (or its error)', async () => {
    const seen: string[] = []
    const t = createLearningTracker({
      connection: connection(), queueName: queueName('lt-force'), debounceMs: 60_000,
      processor: async (userId: string) => { seen.push(userId); if (userId === 'bad') throw new Error('db down'); return `insights:${userId}` },
    })
    await t.queueLearningUpdate('u1')
    expect((await t.getQueueStatus()).waiting).toBe(1)
    await expect(t.forceUpdateNow('u1')).resolves.toBe('insights:u1')
    expect(await t.getQueueStatus()).toEqual({ waiting: 0, active: 0, completed: 0, failed: 0, total: 0 })
    await expect(t.forceUpdateNow('bad')).rejects.toThrow('db down')
    expect(seen).toEqual(['u1', 'bad'])
    await t.cleanup()
  })

  test('status counts delayed updates as waiting; clearAllPendingUpdates removes them and says how many', async () => {
    const t = createLearningTracker({
      connection: connection(), queueName: queueName('lt-clear'), debounceMs: 60_000, processor: async () => 1,
    })
    await Promise.all(['a', 'b', 'c', 'a'].map((u) => t.queueLearningUpdate(u)))
    expect(await t.getQueueStatus()).toEqual({ waiting: 3, active: 0, completed: 0, failed: 0, total: 3 })
    expect(await t.clearAllPendingUpdates()).toBe(3)
    expect((await t.getQueueStatus()).total).toBe(0)
    await t.cleanup()
    await t.cleanup() // idempotent
  })

  test('queueLearningUpdate never rejects: bad input and a closed tracker go to the error event', async () => {
    const errors: Error[] = []
    const t = createLearningTracker({ connection: connection(), queueName: queueName('lt-err'), processor: async () => 1 })
    t.on('error', (e: Error) => errors.push(e))
    await expect(t.queueLearningUpdate(undefined as never)).resolves.toBeUndefined()
    await t.cleanup()
    await expect(t.queueLearningUpdate('u1')).resolves.toBeUndefined()
    expect(errors.map((e) => (e as Error & { code: string }).code)).toEqual(['ERR_FERROQ_INVALID_OPTION', 'ERR_FERROQ_CLOSED'])
  })

  test('jobs survive a restart: queued by one app process, processed by the next', async () => {
    const name = queueName('lt-restart')
    const first = createLearningTracker({ connection: connection(), queueName: name, debounceMs: 100, autorun: false, processor: async () => 'never' })
    await first.queueLearningUpdate('u9')
    await first.cleanup()
    const done: string[] = []
    const second = createLearningTracker({ connection: connection(), queueName: name, debounceMs: 100, processor: async (u: string) => { done.push(u) } })
    await eventually(() => done.length === 1)
    expect(done).toEqual(['u9'])
    // The data is what bullmq expects: a delayed job with a dedup id.
    const q = new Queue(name, { connection: connection() })
    const [job] = await q.getCompleted()
    expect(job.data).toEqual({ userId: 'u9' })
    expect(job.opts.deduplication).toMatchObject({ id: 'learning:u9', replace: true })
    await q.close()
    await second.cleanup()
  })

  test('module-level functions work on the default instance', async () => {
    const got: string[] = []
    initLearningTracker({ connection: connection(), queueName: queueName('lt-default'), debounceMs: 50, processor: async (u: string) => { got.push(u); return u } })
    queueLearningUpdate('x')
    await eventually(() => got.length === 1)
    expect(await forceUpdateNow('y')).toBe('y')
    expect(await clearAllPendingUpdates()).toBe(0)
    expect((await getQueueStatus()).completed).toBe(1)
    await cleanup()
    await cleanup()
  })
})
