// Drop-in gaps that BullMQ's own test files showed (npm run test:bullmq-suite),
// each checked here in our own words against ferroq and bullmq 6.7.0 alike.
import { BOTH, closer } from './parity'
import { queueName } from '../helpers'

describe.each(BOTH)('gaps found by the BullMQ suite, on %s', (label, { lib, connection }) => {
  const c = closer()
  afterEach(() => c.closeAll())

  test('getMeta on a queue that only set a limit still has the meta the queue writes', async () => {
    const queue = c.add(new lib.Queue(queueName('meta'), { connection: connection() }))
    await queue.setGlobalConcurrency(3)
    const meta = await queue.getMeta()
    expect(meta).toMatchObject({ concurrency: 3, maxLenEvents: 10000, paused: false })
    expect(String(meta.version)).toMatch(/^bullmq:/)
  })

  test('a missing or colon-holding queue name is refused with BullMQ\'s words', () => {
    expect(() => new lib.Queue('', { connection: connection() })).toThrow('Queue name must be provided')
    expect(() => new lib.Queue('a:b', { connection: connection() })).toThrow('Queue name cannot contain :')
  })

  test('queue.getDependencies pages a parent\'s pending and then processed children, across queues', async () => {
    const [a, b] = [queueName('deps-a'), queueName('deps-b')]
    const queue = c.add(new lib.Queue(a, { connection: connection() }))
    const flows = c.add(new lib.FlowProducer({ connection: connection() }))
    const children = [
      { name: 'k1', queueName: a, data: { n: 1 } },
      { name: 'k2', queueName: a, data: { n: 2 } },
      { name: 'k3', queueName: b, data: { n: 3 } },
    ]
    const tree = await flows.add({ name: 'parent', queueName: a, children })
    const pending = await queue.getDependencies(tree.job.id, 'pending', 0, -1)
    expect(pending.total).toBe(3)
    const keys = tree.children.map((n: { job: { queueQualifiedName: string; id: string } }) => `${n.job.queueQualifiedName}:${n.job.id}`)
    expect(pending.items.map((i: { id: string }) => i.id).sort()).toEqual([...keys].sort())
    expect(pending.jobs.map((j: { name: string }) => j.name).sort()).toEqual(['k1', 'k2', 'k3'])
    const page = await queue.getDependencies(tree.job.id, 'pending', 0, 1)
    expect([page.items.length, page.jobs.length, page.total]).toEqual([2, 2, 3])

    const done = (job: { data: { n: number } }) => job.data.n * 10
    const workers = [a, b].map((q) => c.add(new lib.Worker(q, done, { connection: connection() })))
    const finished = new Promise<void>((resolve) => {
      let n = 0
      for (const w of workers) w.on('completed', (job: { name: string }) => job.name !== 'parent' && ++n === 3 && resolve())
    })
    await finished
    expect((await queue.getDependencies(tree.job.id, 'pending', 0, -1)).total).toBe(0)
    const processed = await queue.getDependencies(tree.job.id, 'processed', 0, -1)
    expect(processed.total).toBe(3)
    expect(processed.items.map((i: { v: number }) => i.v).sort()).toEqual([10, 20, 30])
    expect(processed.jobs.map((j: { name: string }) => j.name).sort()).toEqual(['k1', 'k2', 'k3'])
  })

  test('removing a scheduler\'s pending iteration is refused with BullMQ\'s words', async () => {
    const queue = c.add(new lib.Queue(queueName('sched-rm'), { connection: connection() }))
    const job = await queue.upsertJobScheduler('hourly', { every: 3_600_000 }, { name: 'tick' })
    await expect(job.remove()).rejects.toThrow(`Job ${job.id} belongs to a job scheduler and cannot be removed directly. remove`)
  })

  test('moveToWaitingChildren with a failed child names moveToWaitingChildren', async () => {
    const [a, b] = [queueName('fail-parent'), queueName('fail-child')]
    const queue = c.add(new lib.Queue(a, { connection: connection() }))
    const children = c.add(new lib.Queue(b, { connection: connection() }))
    const manual = c.add(new lib.Worker(a, null, { connection: connection() }))
    await queue.add('parent', {})
    const parent = await manual.getNextJob('tok')
    const childFailed = new Promise((resolve) => {
      const w = c.add(new lib.Worker(b, async () => { throw new Error('child broke') }, { connection: connection() }))
      w.on('failed', resolve)
    })
    await children.add('child', {}, { parent: { id: parent.id, queue: parent.queueQualifiedName }, failParentOnFailure: true })
    await childFailed
    await expect(parent.moveToWaitingChildren('tok')).rejects.toThrow(
      `Cannot complete job ${parent.id} because it has at least one failed child. moveToWaitingChildren`,
    )
  })

  test('an endDate already past by this process\'s clock is refused before anything is sent', async () => {
    const queue = c.add(new lib.Queue(queueName('end-date'), { connection: connection() }))
    const realNow = Date.now
    const inAnHour = realNow() + 3_600_000
    // This process's clock runs a day ahead (as under fake timers): the end date is past for it.
    Date.now = () => realNow() + 86_400_000
    try {
      await expect(queue.upsertJobScheduler('s', { every: 1000, endDate: inAnHour })).rejects.toThrow('End date must be greater than current timestamp')
    } finally {
      Date.now = realNow
    }
    expect(await queue.getJobSchedulersCount()).toBe(0)
  })

  describe('Job.moveToFailed when the job will be tried again', () => {
    async function held(tag: string, opts: object) {
      const name = queueName(tag)
      const queue = c.add(new lib.Queue(name, { connection: connection() }))
      const worker = c.add(new lib.Worker(name, null, { connection: connection() }))
      await queue.add('x', { n: 1 }, opts)
      const job = await worker.getNextJob('tok')
      return { queue, worker, job }
    }

    test('a retry now leaves the job waiting, fetches nothing and answers nothing', async () => {
      const { worker, job } = await held('retry-now', { attempts: 3 })
      const answer = await job.moveToFailed(new Error('once'), 'tok', true)
      expect(answer).toBeUndefined()
      expect(await job.getState()).toBe('waiting')
      expect(job.stacktrace).toHaveLength(1)
      // The same job is there to take again.
      const again = await worker.getNextJob('tok')
      expect(again && again.id).toBe(job.id)
    })

    test('a retry later without fetchNext answers an empty list', async () => {
      const { job } = await held('retry-later', { attempts: 3, backoff: 60_000 })
      expect(await job.moveToFailed(new Error('once'), 'tok', false)).toEqual([])
      expect(await job.getState()).toBe('delayed')
    })

    test('a job not active names the retry in the error', async () => {
      const name = queueName('retry-idle')
      const queue = c.add(new lib.Queue(name, { connection: connection() }))
      const job = await queue.add('x', {}, { attempts: 3 })
      await expect(job.moveToFailed(new Error('x'), '0', true)).rejects.toThrow(`Job ${job.id} is not in the active state. retryJob`)
      if (label === 'ferroq') await expect(job.moveToFailed(new Error('x'), '0')).rejects.toMatchObject({ code: 'ERR_FERROQ_NOT_IN_STATE' })
    })
  })
})
