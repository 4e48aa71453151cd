// BullMQ 6's Job API, run against ferroq and bullmq alike (see parity.ts):
// Job.create / createBulk / fromJSON, asJSON / toJSON, the state predicates,
// retry() clearing what the finished attempt left, job.delay.
import { BOTH, closer } from './parity'
import { queueName, next, eventually } from '../helpers'

const plain = (v: unknown) => JSON.parse(JSON.stringify(v))
const sortedKeys = (v: object) => Object.keys(plain(v)).sort()

describe.each(BOTH)('Job API on %s', (_label, { lib, connection }) => {
  const c = closer()
  afterEach(() => c.closeAll())

  test('Job.create adds the job to the queue; Job.fromId reads it back', async () => {
    const queue = c.add(new lib.Queue(queueName('jcreate'), { connection: connection() }))
    const job = await lib.Job.create(queue, 'send', { to: 'a@b' }, { attempts: 3, delay: 0 })
    expect(job.id).toBe('1')
    expect(job.opts.attempts).toBe(3)
    const read = await lib.Job.fromId(queue, job.id)
    expect(read.name).toBe('send')
    expect(read.data).toEqual({ to: 'a@b' })
    expect(read.opts.attempts).toBe(3)
    expect(await lib.Job.fromId(queue, 'nope')).toBeUndefined()
  })

  test('Job.createBulk adds every job in one call and gives each its id', async () => {
    const queue = c.add(new lib.Queue(queueName('jbulk'), { connection: connection() }))
    const jobs = await lib.Job.createBulk(queue, [
      { name: 'a', data: 1 },
      { name: 'b', data: 2, opts: { jobId: 'custom-b' } },
      { name: 'c', data: 3, opts: { priority: 4 } },
    ])
    expect(jobs.map((j: { id: string }) => j.id)).toEqual(['1', 'custom-b', '3'])
    expect(await queue.getJobCounts('waiting', 'prioritized')).toEqual({ waiting: 2, prioritized: 1 })
  })

  test('Job.fromJSON(queue, job.asJSON()) gives back the same job', async () => {
    const queue = c.add(new lib.Queue(queueName('jfromjson'), { connection: connection() }))
    const job = await queue.add('n', { deep: { list: [1, 'two'] } }, { attempts: 2, backoff: 50, priority: 3 })
    const json = job.asJSON()
    expect(typeof json.data).toBe('string')
    expect(json.opts).toEqual(expect.objectContaining({ attempts: 2, backoff: { type: 'fixed', delay: 50 }, priority: 3 }))
    const copy = lib.Job.fromJSON(queue, json)
    expect(copy.id).toBe(job.id)
    expect(copy.name).toBe('n')
    expect(copy.data).toEqual({ deep: { list: [1, 'two'] } })
    expect(copy.opts).toEqual(job.opts)
    expect(copy.timestamp).toBe(job.timestamp)
    expect(copy.stacktrace).toEqual([])
    expect(copy.returnvalue).toBeNull()
    // An explicit id is used when the JSON has none.
    const { id: _id, ...noId } = json
    expect(lib.Job.fromJSON(queue, noId, 'given').id).toBe('given')
  })

  test('asJSON and toJSON have BullMQ\'s keys, for a new job and a read one', async () => {
    const queue = c.add(new lib.Queue(queueName('jkeys'), { connection: connection() }))
    const job = await queue.add('k', { a: 1 })
    expect(sortedKeys(job.asJSON())).toEqual(['attemptsMade', 'attemptsStarted', 'data', 'id', 'name', 'opts', 'progress', 'returnvalue', 'stacktrace', 'stalledCounter', 'timestamp'])
    expect(sortedKeys(job)).toEqual(['attemptsMade', 'attemptsStarted', 'data', 'id', 'name', 'opts', 'priority', 'progress', 'queueQualifiedName', 'returnvalue', 'stacktrace', 'stalledCounter', 'timestamp'])
    const read = await queue.getJob(job.id)
    expect(sortedKeys(read)).toEqual(['attemptsMade', 'attemptsStarted', 'data', 'delay', 'id', 'name', 'opts', 'priority', 'progress', 'queueQualifiedName', 'returnvalue', 'stacktrace', 'stalledCounter', 'timestamp'])
    expect(read.queueName).toBe(queue.name)
    expect(read.prefix).toBe('bull')
    expect(read.queueQualifiedName).toBe(`bull:${queue.name}`)
  })

  test('job.delay is what was asked for (undefined without a delay), and moveToDelayed updates it', async () => {
    const name = queueName('jdelay')
    const queue = c.add(new lib.Queue(name, { connection: connection() }))
    expect((await queue.add('a', 1)).delay).toBeUndefined()
    expect((await queue.add('b', 1, { delay: 60_000 })).delay).toBe(60_000)
    let moved: { delay: number } | undefined
    const worker = c.add(new lib.Worker(name, async (job: { name: string; moveToDelayed(t: number, token?: string): Promise<void>; delay: number }, token: string) => {
      if (job.name !== 'a') return
      await job.moveToDelayed(Date.now() + 60_000, token)
      moved = job
      throw new lib.DelayedError()
    }, { connection: connection() }))
    await next(worker, 'drained')
    expect(moved!.delay).toBeGreaterThan(50_000)
    expect(moved!.delay).toBeLessThanOrEqual(60_000)
  })

  test('the state predicates answer for each state', async () => {
    const name = queueName('jstates')
    const queue = c.add(new lib.Queue(name, { connection: connection() }))
    const waiting = await queue.add('w', 1)
    const delayed = await queue.add('d', 1, { delay: 60_000 })
    expect([await waiting.isWaiting(), await waiting.isDelayed(), await waiting.isActive()]).toEqual([true, false, false])
    expect([await delayed.isDelayed(), await delayed.isWaiting()]).toEqual([true, false])
    const worker = c.add(new lib.Worker(name, async (job: { name: string }) => {
      if (job.name === 'fail') throw new Error('no')
      return 'ok'
    }, { connection: connection() }))
    await next(worker, 'completed')
    expect([await waiting.isCompleted(), await waiting.isFailed(), await waiting.isWaiting()]).toEqual([true, false, false])
    const failing = await queue.add('fail', 1)
    await next(worker, 'failed')
    expect([await failing.isFailed(), await failing.isCompleted()]).toEqual([true, false])
  })

  test('retry() sets failedReason, finishedOn, processedOn and returnvalue to null', async () => {
    const name = queueName('jretry')
    const queue = c.add(new lib.Queue(name, { connection: connection() }))
    const worker = c.add(new lib.Worker(name, async () => {
      throw new Error('boom')
    }, { connection: connection() }))
    const failed = next(worker, 'failed')
    const { id } = await queue.add('r', 1)
    await failed
    await worker.close()
    const job = await queue.getJob(id)
    expect(job.failedReason).toBe('boom')
    expect(typeof job.finishedOn).toBe('number')
    await job.retry('failed')
    expect([job.failedReason, job.finishedOn, job.processedOn, job.returnvalue]).toEqual([null, null, null, null])
    expect(await job.isWaiting()).toBe(true)
  })

  test('retries issued in one tick reach wait in call order (lifo ones at the front)', async () => {
    const name = queueName('jretry-order')
    const queue = c.add(new lib.Queue(name, { connection: connection() }))
    const names = ['warm', 'j0', 'j1', 'j2', 'j3', 'j4', 'j5']
    for (const n of names) await queue.add(n, {}, n === 'j3' ? { lifo: true } : {})
    const worker = c.add(new lib.Worker(name, async () => {
      throw new Error('boom')
    }, { connection: connection() }))
    await eventually(async () => (await queue.getFailedCount()) === names.length)
    await worker.close()
    const failed = await queue.getFailed()
    const byName = new Map<string, { retry(): Promise<void> }>(failed.map((j: { name: string; retry(): Promise<void> }) => [j.name, j]))
    // One retry first, awaited: the queue's first calls (and a script Redis has
    // not seen yet) are not what this is about.
    await byName.get('warm')!.retry()
    await Promise.all(names.slice(1).map((n) => byName.get(n)!.retry()))
    const waiting = (await queue.getWaiting()).map((j: { name: string }) => j.name)
    // In call order, the lifo one first (getWaiting lists the next to run first).
    expect(waiting).toEqual(['j3', 'warm', 'j0', 'j1', 'j2', 'j4', 'j5'])
  })
})
