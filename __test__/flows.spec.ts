// Flows through the public API: FlowProducer trees across queues, parents
// running with their children's values, failure flags, a processor waiting for
// children it added, reading a flow back, removing with children, coded errors.
import { FlowProducer, Queue, QueueEvents, Worker, Job, WaitingChildrenError } from '..'
import { connection, queueName, next, eventually, closeAfterEach } from './helpers'

describe('flows', () => {
  const track = closeAfterEach()
  const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

  test('a tree across queues: parents wait for their children, then run with their values', async () => {
    const [parents, children] = [queueName('flow-p'), queueName('flow-c')]
    const fp = track(new FlowProducer({ connection: connection() }))
    const events = track(new QueueEvents(parents, { connection: connection(), lastEventId: '0-0' }))
    await events.waitUntilReady()
    const tree = await fp.add({
      name: 'total',
      queueName: parents,
      data: { of: 'sum' },
      children: [
        { name: 'part', queueName: children, data: { n: 1 } },
        { name: 'part', queueName: children, data: { n: 2 } },
        { name: 'sub', queueName: parents, data: {}, opts: { jobId: 'sub' }, children: [{ name: 'part', queueName: children, data: { n: 4 } }] },
      ],
    })
    expect(tree.job.id).toMatch(UUID)
    expect(tree.children!.map((c) => c.job.id)).toEqual([expect.stringMatching(UUID), expect.stringMatching(UUID), 'sub'])
    expect(tree.children![2].children![0].job.parentKey).toBe(`bull:${parents}:sub`)
    expect(tree.children![0].job.parent).toEqual({ id: tree.job.id, queueKey: `bull:${parents}` })
    expect(await tree.job.isWaitingChildren()).toBe(true)
    expect(await tree.job.getDependenciesCount()).toEqual({ processed: 0, unprocessed: 3, ignored: 0, failed: 0 })

    const waiting: { jobId: string; prev?: string }[] = []
    events.on('waiting', (e) => waiting.push(e))
    const seen: { name: string; values: Record<string, number> }[] = []
    track(new Worker(children, async (job) => job.data.n * 10, { connection: connection() }))
    const worker = track(new Worker(parents, async (job) => {
      const values = await job.getChildrenValues<number>()
      seen.push({ name: job.name, values })
      return Object.values(values).reduce((a, b) => a + b, 0)
    }, { connection: connection() }))
    const [done] = await next<[Job, number]>(worker, 'completed')
    const total = done.name === 'total' ? done : (await next<[Job, number]>(worker, 'completed'))[0]
    expect(total.returnvalue).toBe(10 + 20 + 40)
    expect(seen.map((s) => s.name)).toEqual(['sub', 'total'])
    expect(seen[1].values[`bull:${parents}:sub`]).toBe(40)
    const deps = await (await Job.fromId(track(new Queue(parents, { connection: connection() })), tree.job.id!))!.getDependencies()
    expect(deps.unprocessed).toEqual([])
    expect(Object.keys(deps.processed!)).toHaveLength(3)
    // The parent's queue saw it wait for children, then move on.
    await eventually(() => waiting.some((e) => e.jobId === tree.job.id))
    expect(waiting.find((e) => e.jobId === tree.job.id)!.prev).toBe('waiting-children')
  })

  test('Queue.add with a parent makes a job a child; a missing parent is refused with bullmq text', async () => {
    const name = queueName('flow-add')
    const queue = track(new Queue(name, { connection: connection() }))
    const fp = track(new FlowProducer({ connection: connection() }))
    const parent = await fp.add({ name: 'p', queueName: name, children: [{ name: 'c', queueName: name, opts: { delay: 3_600_000 } }] })
    const child = await queue.add('late', { x: 1 }, { parent: { id: parent.job.id!, queue: queue.qualifiedName } })
    expect(child.parentKey).toBe(`${queue.qualifiedName}:${parent.job.id}`)
    expect((await parent.job.getDependencies()).unprocessed).toContain(`${queue.qualifiedName}:${child.id}`)
    expect((await queue.getJob(child.id!))!.parent).toEqual({ id: parent.job.id, queueKey: queue.qualifiedName })
    await expect(queue.add('orphan', {}, { parent: { id: 'nope', queue: queue.qualifiedName } })).rejects.toMatchObject({
      code: 'ERR_FERROQ_PARENT_NOT_FOUND',
      message: `Missing key for parent job ${queue.qualifiedName}:nope. addJob`,
    })
    await expect(fp.add({ name: 'root', queueName: name, opts: { parent: { id: 'nope', queue: queue.qualifiedName } }, children: [{ name: 'c', queueName: name }] }))
      .rejects.toMatchObject({ code: 'ERR_FERROQ_PARENT_NOT_FOUND' })
    expect(await queue.getJobCountByTypes('waiting', 'waiting-children', 'delayed')).toBe(3)
    await expect(queue.add('x', {}, { parent: { id: parent.job.id!, queue: queue.qualifiedName }, deduplication: { id: 'd' } }))
      .rejects.toMatchObject({ code: 'ERR_FERROQ_INVALID_OPTION', message: 'Deduplication and parent options cannot be used together' })
  })

  test('failure flags: failParentOnFailure fails the parent, ignore/remove let it run, none keeps it waiting', async () => {
    const name = queueName('flow-flags')
    const fp = track(new FlowProducer({ connection: connection() }))
    const flags = ['failParentOnFailure', 'ignoreDependencyOnFailure', 'removeDependencyOnFailure', 'none'] as const
    const trees = await fp.addBulk(
      flags.map((flag) => ({
        name: `parent-${flag}`,
        queueName: name,
        children: [{ name: 'bad', queueName: name, opts: flag === 'none' ? {} : { [flag]: true } }],
      })),
    )
    const ran: string[] = []
    track(new Worker(name, async (job) => {
      if (job.name === 'bad') throw new Error('child broke')
      ran.push(job.name)
      return 'ok'
    }, { connection: connection() }))
    const [fpof, idof, rdof, none] = trees
    await eventually(async () => (await fpof.job.getState()) === 'failed' && (await idof.job.getState()) === 'completed' && (await rdof.job.getState()) === 'completed')
    const failedParent = await Job.fromId(track(new Queue(name, { connection: connection() })), fpof.job.id!)
    expect(failedParent!.failedReason).toBe(`child bull:${name}:${fpof.children![0].job.id} failed`)
    expect(await idof.job.getIgnoredChildrenFailures()).toEqual({ [`bull:${name}:${idof.children![0].job.id}`]: 'child broke' })
    expect(await idof.job.getFailedChildrenValues()).toEqual(await idof.job.getIgnoredChildrenFailures())
    expect(await rdof.job.getIgnoredChildrenFailures()).toEqual({})
    expect(await none.job.getState()).toBe('waiting-children')
    expect(ran.sort()).toEqual(['parent-ignoreDependencyOnFailure', 'parent-removeDependencyOnFailure'])
    expect((await fpof.job.getDependencies()).failed).toEqual([`bull:${name}:${fpof.children![0].job.id}`])
  })

  test('a processor adds children, waits for them with moveToWaitingChildren, and finishes after them', async () => {
    const name = queueName('flow-dyn')
    const queue = track(new Queue(name, { connection: connection() }))
    const steps: string[] = []
    // BullMQ's documented pattern: a step in the job's data, and only throw
    // WaitingChildrenError when moveToWaitingChildren moved the job.
    const worker = track(new Worker(name, async (job, token) => {
      if (job.name === 'child') return job.data.n * 2
      if (job.data.step === undefined) {
        for (const n of [1, 2]) await queue.add('child', { n }, { parent: { id: job.id!, queue: job.queueQualifiedName } })
        await job.updateData({ step: 'wait' })
        steps.push('spawned')
        if (await job.moveToWaitingChildren(token!)) throw new WaitingChildrenError()
      }
      steps.push('resumed')
      expect(await job.moveToWaitingChildren(token!)).toBe(false)
      return Object.values(await job.getChildrenValues<number>()).sort()
    }, { connection: connection() }))
    const parent = await queue.add('parent', {})
    const result = await eventually(async () => {
      const j = await queue.getJob(parent.id!)
      return j && j.finishedOn ? j : undefined
    })
    expect(result!.returnvalue).toEqual([2, 4])
    expect(steps).toEqual(['spawned', 'resumed'])
    // The parking attempt does not count as made.
    expect(result!.attemptsMade).toBe(1)
    expect(result!.attemptsStarted).toBe(2)
    await worker.close()
  })

  test('completing a job whose children are pending fails it with bullmq text', async () => {
    const name = queueName('flow-pending')
    const fp = track(new FlowProducer({ connection: connection() }))
    const queue = track(new Queue(name, { connection: connection() }))
    const tree = await fp.add({ name: 'p', queueName: name, children: [{ name: 'c', queueName: name, opts: { delay: 3_600_000, continueParentOnFailure: true } }] })
    // Move the parent to wait by hand: bullmq's worker would then refuse its completion.
    await queue.add('kid', {}, { parent: { id: tree.job.id!, queue: queue.qualifiedName }, continueParentOnFailure: true })
    const worker = track(new Worker(name, async (job) => {
      if (job.name === 'kid') throw new Error('kid failed')
      return 'parent done'
    }, { connection: connection() }))
    const errors: string[] = []
    worker.on('error', (e) => errors.push(e.message))
    const [job, err] = await next<[Job, Error]>(worker, 'failed', 10000).then(async (first) =>
      first[0].name === 'p' ? first : next<[Job, Error]>(worker, 'failed'),
    )
    expect(job.id).toBe(tree.job.id)
    expect(err.message).toBe(`Job ${tree.job.id} has pending dependencies. moveToFinished`)
    // As in bullmq, the refused completion is also a worker 'error'.
    expect(errors).toEqual([err.message])
  })

  test('getFlow reads a tree back by depth and maxChildren', async () => {
    const [a, b] = [queueName('flow-get-a'), queueName('flow-get-b')]
    const fp = track(new FlowProducer({ connection: connection() }))
    const tree = await fp.add({
      name: 'root',
      queueName: a,
      data: { r: true },
      children: [
        { name: 'x', queueName: b, children: [{ name: 'xx', queueName: a }] },
        { name: 'y', queueName: a },
      ],
    })
    const flow = await fp.getFlow({ id: tree.job.id!, queueName: a })
    expect(flow!.job.name).toBe('root')
    expect(flow!.job.data).toEqual({ r: true })
    const names = flow!.children!.map((c) => c.job.name).sort()
    expect(names).toEqual(['x', 'y'])
    const x = flow!.children!.find((c) => c.job.name === 'x')!
    expect(x.job.queueName).toBe(b)
    expect(x.children!.map((c) => c.job.name)).toEqual(['xx'])
    expect((await fp.getFlow({ id: tree.job.id!, queueName: a, depth: 1 }))!.children).toBeUndefined()
    expect(await fp.getFlow({ id: 'missing', queueName: a })).toBeUndefined()
    expect(await x.job.getState()).toBe('waiting-children')
  })

  test('obliterating a queue deletes its parents still waiting for children (bullmq 6.7.0 leaves them)', async () => {
    const [p, ch] = [queueName('flow-obl-p'), queueName('flow-obl-c')]
    const tree = await track(new FlowProducer({ connection: connection() })).add({ name: 'parent', queueName: p, children: [{ name: 'c', queueName: ch }] })
    const qp = track(new Queue(p, { connection: connection() }))
    await qp.obliterate({ force: true })
    expect(await qp.getJob(tree.job.id!)).toBeUndefined()
    expect(await qp.getWaitingChildrenCount()).toBe(0)
    // The child stays in its own queue, with nothing left to report to.
    const qc = track(new Queue(ch, { connection: connection() }))
    expect(await qc.getJobState(tree.children![0].job.id!)).toBe('waiting')
    track(new Worker(ch, async () => 'done', { connection: connection() }))
    await eventually(async () => (await qc.getJobState(tree.children![0].job.id!)) === 'completed')
  })

  test('removing a parent removes its children in every queue, unless removeChildren is false', async () => {
    const [a, b] = [queueName('flow-rm-a'), queueName('flow-rm-b')]
    const fp = track(new FlowProducer({ connection: connection() }))
    const qa = track(new Queue(a, { connection: connection() }))
    const qb = track(new Queue(b, { connection: connection() }))
    const flow = () => fp.add({ name: 'root', queueName: a, children: [{ name: 'c', queueName: b, children: [{ name: 'cc', queueName: b }] }] })
    const t1 = await flow()
    await t1.job.remove()
    expect(await qa.getJob(t1.job.id!)).toBeUndefined()
    expect(await qb.getJob(t1.children![0].job.id!)).toBeUndefined()
    expect(await qb.getJob(t1.children![0].children![0].job.id!)).toBeUndefined()
    const t2 = await flow()
    expect(await qa.remove(t2.job.id!, { removeChildren: false })).toBe(1)
    expect(await qb.getJob(t2.children![0].job.id!)).toBeDefined()
    // Removing the last pending child of a parent releases it.
    const t3 = await flow()
    await t3.children![0].children![0].job.remove()
    expect(await t3.children![0].job.getState()).toBe('waiting')
  })
})
