// BullMQ 6's Queue API, run against ferroq and bullmq alike (see parity.ts):
// key names, the queue's local events with BullMQ's payloads, clean types,
// updateJobProgress / addJobLog, and listeners that throw.
import { BOTH, closer } from './parity'
import { queueName, next } from '../helpers'

describe.each(BOTH)('Queue API on %s', (_label, { lib, connection }) => {
  const c = closer()
  afterEach(() => c.closeAll())

  test('toKey, keys and qualifiedName name the Redis keys as BullMQ does', async () => {
    const name = queueName('qkeys')
    const queue = c.add(new lib.Queue(name, { connection: connection() }))
    expect(queue.qualifiedName).toBe(`bull:${name}`)
    expect(queue.toKey('wait')).toBe(`bull:${name}:wait`)
    expect(Object.keys(queue.keys)).toEqual(['', 'active', 'wait', 'waiting-children', 'paused', 'id', 'delayed', 'prioritized', 'stalled-check', 'completed', 'failed', 'stalled', 'repeat', 'limiter', 'meta', 'events', 'pc', 'marker', 'de'])
    expect(queue.keys.events).toBe(`bull:${name}:events`)
    expect(queue.keys['']).toBe(`bull:${name}:`)
    const other = c.add(new lib.Queue(name, { connection: connection(), prefix: 'pfx' }))
    expect(other.toKey('meta')).toBe(`pfx:${name}:meta`)
  })

  test("local events carry BullMQ's payloads: waiting, removed, cleaned, paused, resumed, progress", async () => {
    const queue = c.add(new lib.Queue(queueName('qevents'), { connection: connection() }))
    const seen: unknown[][] = []
    for (const e of ['waiting', 'removed', 'cleaned', 'paused', 'resumed', 'progress']) {
      queue.on(e, (...args: unknown[]) => seen.push([e, ...args.map((a) => (a && typeof a === 'object' && 'id' in a ? `job:${(a as { id: string }).id}` : a))]))
    }
    const a = await queue.add('a', 1)
    const b = await queue.add('b', 2)
    await queue.updateJobProgress(a.id, 42)
    await b.updateProgress({ step: 1 })
    expect(await queue.remove(a.id)).toBe(1)
    await b.remove()
    await queue.add('c', 3)
    expect(await queue.clean(0, 0, 'waiting')).toHaveLength(1)
    await queue.pause()
    await queue.resume()
    expect(seen).toEqual([
      ['waiting', 'job:1'],
      ['waiting', 'job:2'],
      ['progress', '1', 42],
      ['progress', 'job:2', { step: 1 }],
      ['removed', '1'],
      ['removed', 'job:2'],
      ['waiting', 'job:3'],
      ['cleaned', ['3'], 'wait'],
      ['paused'],
      ['resumed'],
    ])
  })

  test('updateJobProgress and addJobLog act on a job by id', async () => {
    const queue = c.add(new lib.Queue(queueName('qjobops'), { connection: connection() }))
    const { id } = await queue.add('a', 1)
    await queue.updateJobProgress(id, { pct: 50 })
    expect((await queue.getJob(id)).progress).toEqual({ pct: 50 })
    expect(await queue.addJobLog(id, 'one')).toBe(1)
    expect(await queue.addJobLog(id, 'two')).toBe(2)
    expect(await queue.addJobLog(id, 'three', 2)).toBe(2)
    expect(await queue.getJobLogs(id)).toEqual({ logs: ['two', 'three'], count: 2 })
  })

  test("a listener that throws becomes an 'error' event instead of a crash", async () => {
    const queue = c.add(new lib.Queue(queueName('qthrow'), { connection: connection() }))
    queue.on('waiting', () => {
      throw new Error('listener bug')
    })
    const error = next<[Error]>(queue, 'error')
    const job = await queue.add('a', 1)
    expect(job.id).toBe('1')
    expect((await error)[0].message).toBe('listener bug')
  })
})
