// BullMQ 6's flows, the same spec body run against ferroq and bullmq 6.7.0
// (see parity.ts): each child failure option end to end, cascades, delays and
// priorities after children, removeOnComplete/removeOnFail children, retrying
// children, clean and obliterate with flows, removing dependencies, pagination,
// getFlow limits and deduplication. Written after bullmq's own flow tests.
import { BOTH, closer } from './parity'
import { queueName, eventually } from '../helpers'

const LONG = 3_600_000

describe.each(BOTH)('flows on %s', (_label, { lib, connection }) => {
  const c = closer()
  afterEach(() => c.closeAll())
  const flowProducer = () => c.add(new lib.FlowProducer({ connection: connection() }))
  const queue = (name: string) => c.add(new lib.Queue(name, { connection: connection() }))
  const worker = (name: string, fn: (job: any, token: string) => unknown, opts: object = {}) =>
    c.add(new lib.Worker(name, fn, { connection: connection(), ...opts }))
  const stateOf = async (q: any, id: string) => q.getJobState(id)
  const keyOf = (job: any) => `${job.queueQualifiedName}:${job.id}`

  test('continueParentOnFailure: the parent runs when a child fails; with others pending it cannot complete', async () => {
    const [p, ch] = [queueName('cpof-p'), queueName('cpof-c')]
    const tree = await flowProducer().add({
      name: 'parent',
      queueName: p,
      children: [
        { name: 'bad', queueName: ch, opts: { continueParentOnFailure: true } },
        { name: 'later', queueName: ch, opts: { delay: LONG } },
      ],
    })
    const seen: unknown[] = []
    worker(ch, async () => {
      throw new Error('child failed')
    })
    const errors: string[] = []
    const w = worker(p, async (job: any) => {
      seen.push(await job.getFailedChildrenValues(), await job.getDependenciesCount())
      return 'parent ran'
    })
    w.on('error', (e: Error) => errors.push(e.message))
    const qp = queue(p)
    await eventually(async () => (await stateOf(qp, tree.job.id)) === 'failed')
    expect(seen).toEqual([{ [keyOf(tree.children[0].job)]: 'child failed' }, { processed: 0, unprocessed: 1, ignored: 1, failed: 0 }])
    expect(await tree.job.getIgnoredChildrenFailures()).toEqual({ [keyOf(tree.children[0].job)]: 'child failed' })
    // Completing it is refused while a child is pending: failed, and reported as a worker error.
    const reason = `Job ${tree.job.id} has pending dependencies. moveToFinished`
    expect((await qp.getJob(tree.job.id)).failedReason).toBe(reason)
    expect(errors).toEqual([reason])
  })

  test('continueParentOnFailure: a second failing child after the parent moved on leaves it alone', async () => {
    const name = queueName('cpof-twice')
    const tree = await flowProducer().add({
      name: 'parent',
      queueName: name,
      children: [
        { name: 'bad1', queueName: name, opts: { continueParentOnFailure: true } },
        { name: 'bad2', queueName: name, opts: { continueParentOnFailure: true } },
      ],
    })
    let parentRuns = 0
    worker(name, async (job: any) => {
      if (job.name === 'parent') return ++parentRuns
      throw new Error(job.name)
    }).on('error', () => undefined)
    const q = queue(name)
    // The first failure sends the parent on; both failures are recorded, and
    // the parent runs once (its completion is refused only if a child is still pending).
    await eventually(async () => (await q.getFailedCount()) >= 2 && ['completed', 'failed'].includes(await stateOf(q, tree.job.id)))
    await eventually(async () => (await tree.job.getDependenciesCount()).ignored === 2)
    expect(parentRuns).toBe(1)
    expect(await tree.job.getIgnoredChildrenFailures()).toEqual({ [keyOf(tree.children[0].job)]: 'bad1', [keyOf(tree.children[1].job)]: 'bad2' })
    expect(await tree.job.getDependenciesCount()).toEqual({ processed: 0, unprocessed: 0, ignored: 2, failed: 0 })
  })

  test('failParentOnFailure cascades through a parent that also has it', async () => {
    const name = queueName('fpof-chain')
    const tree = await flowProducer().add({
      name: 'grand',
      queueName: name,
      children: [
        {
          name: 'parent',
          queueName: name,
          opts: { failParentOnFailure: true },
          children: [{ name: 'child', queueName: name, opts: { failParentOnFailure: true } }],
        },
      ],
    })
    worker(name, async (job: any) => {
      if (job.name === 'child') throw new Error('leaf broke')
      return job.name
    })
    const q = queue(name)
    await eventually(async () => (await stateOf(q, tree.job.id)) === 'failed')
    const parent = tree.children[0].job
    const child = tree.children[0].children[0].job
    expect((await q.getJob(parent.id)).failedReason).toBe(`child ${keyOf(child)} failed`)
    expect((await q.getJob(tree.job.id)).failedReason).toBe(`child ${keyOf(parent)} failed`)
    expect((await tree.job.getDependencies()).failed).toEqual([keyOf(parent)])
    expect(await tree.job.getDependenciesCount()).toEqual({ processed: 0, unprocessed: 0, ignored: 0, failed: 1 })
  })

  test('failParentOnFailure on a parent with delay: it goes delayed with the failure deferred, and fails when it runs', async () => {
    const [p, ch] = [queueName('fpof-del-p'), queueName('fpof-del-c')]
    const tree = await flowProducer().add({
      name: 'parent',
      queueName: p,
      opts: { delay: LONG },
      children: [
        { name: 'ok', queueName: ch },
        { name: 'bad', queueName: ch, opts: { failParentOnFailure: true, delay: 300 } },
      ],
    })
    const qp = queue(p)
    const qc = queue(ch)
    worker(ch, async (job: any) => {
      if (job.name === 'bad') throw new Error('late failure')
      return 1
    })
    await eventually(async () => (await stateOf(qc, tree.children[0].job.id)) === 'completed')
    await eventually(async () => (await stateOf(qc, tree.children[1].job.id)) === 'failed')
    expect(await stateOf(qp, tree.job.id)).toBe('delayed')
    expect((await tree.job.getDependencies()).failed).toEqual([keyOf(tree.children[1].job)])
    await (await qp.getJob(tree.job.id)).promote()
    let ran = false
    worker(p, async () => {
      ran = true
    })
    await eventually(async () => (await stateOf(qp, tree.job.id)) === 'failed')
    expect((await qp.getJob(tree.job.id)).failedReason).toBe(`child ${keyOf(tree.children[1].job)} failed`)
    expect(ran).toBe(false)
  })

  test('ignoreDependencyOnFailure and removeDependencyOnFailure mixed with a completing child', async () => {
    const name = queueName('idof-rdof')
    const tree = await flowProducer().add({
      name: 'parent',
      queueName: name,
      children: [
        { name: 'ok', queueName: name, data: { v: 7 } },
        { name: 'ignored', queueName: name, opts: { ignoreDependencyOnFailure: true } },
        { name: 'removed', queueName: name, opts: { removeDependencyOnFailure: true } },
      ],
    })
    const counts: unknown[] = []
    worker(name, async (job: any) => {
      if (job.name === 'parent') {
        counts.push(await job.getDependenciesCount())
        return job.getChildrenValues()
      }
      if (job.name === 'ok') return job.data.v
      throw new Error(`${job.name} broke`)
    })
    const q = queue(name)
    await eventually(async () => (await stateOf(q, tree.job.id)) === 'completed')
    expect(counts).toEqual([{ processed: 1, unprocessed: 0, ignored: 1, failed: 0 }])
    expect((await q.getJob(tree.job.id)).returnvalue).toEqual({ [keyOf(tree.children[0].job)]: 7 })
    expect(await tree.job.getIgnoredChildrenFailures()).toEqual({ [keyOf(tree.children[1].job)]: 'ignored broke' })
    const deps = await tree.job.getDependencies()
    expect(deps.processed).toEqual({ [keyOf(tree.children[0].job)]: 7 })
    expect(deps.ignored).toEqual({ [keyOf(tree.children[1].job)]: 'ignored broke' })
  })

  test('removeOnFail on the last pending child moves the parent on (no flags needed)', async () => {
    const name = queueName('rof-child')
    const tree = await flowProducer().add({
      name: 'parent',
      queueName: name,
      children: [
        { name: 'child0', queueName: name, opts: { removeOnFail: true } },
        { name: 'child1', queueName: name },
      ],
    })
    const counts: unknown[] = []
    worker(name, async (job: any) => {
      if (job.name === 'child0') throw new Error('fail')
      if (job.name === 'parent') counts.push(await job.getDependenciesCount())
      return job.name
    })
    const q = queue(name)
    await eventually(async () => (await stateOf(q, tree.job.id)) === 'completed')
    expect(counts).toEqual([{ processed: 1, unprocessed: 0, ignored: 0, failed: 0 }])
    expect(await q.getJob(tree.children[0].job.id)).toBeUndefined()
  })

  test('removeOnComplete children keep their values in the parent', async () => {
    const name = queueName('roc-child')
    const tree = await flowProducer().add({
      name: 'parent',
      queueName: name,
      children: [1, 2].map((n) => ({ name: 'child', queueName: name, data: { n }, opts: { removeOnComplete: true } })),
    })
    worker(name, async (job: any) => (job.name === 'child' ? job.data.n * 3 : Object.values(await job.getChildrenValues()).sort()))
    const q = queue(name)
    await eventually(async () => (await stateOf(q, tree.job.id)) === 'completed')
    expect((await q.getJob(tree.job.id)).returnvalue).toEqual([3, 6])
    expect(await q.getCompletedCount()).toBe(1)
  })

  test('a parent with delay or priority goes to delayed or prioritized after its children; delayed children wait', async () => {
    const name = queueName('after-children')
    const fp = flowProducer()
    const delayed = await fp.add({ name: 'p-delay', queueName: name, opts: { delay: LONG }, children: [{ name: 'child', queueName: name }] })
    const prio = await fp.add({ name: 'p-prio', queueName: name, opts: { priority: 5 }, children: [{ name: 'child', queueName: name }] })
    const lateChild = await fp.add({ name: 'p-late', queueName: name, children: [{ name: 'child', queueName: name, opts: { delay: LONG } }] })
    const q = queue(name)
    expect(await stateOf(q, lateChild.children[0].job.id)).toBe('delayed')
    // The parents' own delay and priority wait for their children.
    expect(await stateOf(q, delayed.job.id)).toBe('waiting-children')
    expect(await stateOf(q, prio.job.id)).toBe('waiting-children')
    await q.pause()
    worker(name, async () => 'x')
    await q.resume()
    await eventually(async () => (await stateOf(q, delayed.job.id)) === 'delayed')
    expect(['prioritized', 'active', 'completed']).toContain(await stateOf(q, prio.job.id))
    expect(await stateOf(q, lateChild.job.id)).toBe('waiting-children')
    expect((await q.getJob(delayed.job.id)).delay).toBe(LONG)
  })

  test('an empty children array adds the parent as a plain job', async () => {
    const name = queueName('empty-children')
    const tree = await flowProducer().add({ name: 'parent', queueName: name, children: [] })
    const q = queue(name)
    expect(await stateOf(q, tree.job.id)).toBe('waiting')
    expect(await tree.job.getDependenciesCount()).toEqual({ processed: 0, unprocessed: 0, ignored: 0, failed: 0 })
  })

  test('a paused parent queue keeps the released parent until resumed', async () => {
    const [p, ch] = [queueName('paused-p'), queueName('paused-c')]
    const qp = queue(p)
    await qp.pause()
    const tree = await flowProducer().add({ name: 'parent', queueName: p, children: [{ name: 'child', queueName: ch }] })
    const ran: string[] = []
    worker(ch, async () => 'child done')
    worker(p, async (job: any) => ran.push(job.name))
    const qc = queue(ch)
    await eventually(async () => (await stateOf(qc, tree.children[0].job.id)) === 'completed')
    expect(await stateOf(qp, tree.job.id)).toBe('waiting')
    expect(await qp.getWaitingCount()).toBe(1)
    expect(ran).toEqual([])
    await qp.resume()
    await eventually(async () => (await stateOf(qp, tree.job.id)) === 'completed')
    expect(ran).toEqual(['parent'])
  })

  test('retrying a failed child makes it pending again; the parent runs after it completes', async () => {
    const name = queueName('retry-child')
    const tree = await flowProducer().add({ name: 'parent', queueName: name, children: [{ name: 'child', queueName: name }] })
    let fail = true
    const w = worker(name, async (job: any) => {
      if (job.name === 'child' && fail) throw new Error('first try')
      return job.name
    })
    const q = queue(name)
    const child = tree.children[0].job
    await eventually(async () => (await stateOf(q, child.id)) === 'failed')
    expect(await tree.job.getDependenciesCount()).toEqual({ processed: 0, unprocessed: 1, ignored: 0, failed: 0 })
    fail = false
    await (await q.getJob(child.id)).retry()
    await eventually(async () => (await stateOf(q, tree.job.id)) === 'completed')
    expect(await tree.job.getChildrenValues()).toEqual({ [keyOf(child)]: 'child' })
    await w.close()
  })

  test('retrying a failed child that failed its parent under ignoreDependencyOnFailure restores the dependency', async () => {
    const name = queueName('retry-idof')
    const tree = await flowProducer().add({
      name: 'parent',
      queueName: name,
      children: [
        { name: 'child', queueName: name, opts: { ignoreDependencyOnFailure: true } },
        { name: 'blocker', queueName: name, opts: { delay: LONG } },
      ],
    })
    const w = worker(name, async (job: any) => {
      throw new Error(`${job.name} failed`)
    })
    const q = queue(name)
    const child = tree.children[0].job
    await eventually(async () => (await stateOf(q, child.id)) === 'failed')
    await w.close()
    expect(await tree.job.getDependenciesCount()).toEqual({ processed: 0, unprocessed: 1, ignored: 1, failed: 0 })
    await (await q.getJob(child.id)).retry()
    expect(await tree.job.getDependenciesCount()).toEqual({ processed: 0, unprocessed: 2, ignored: 0, failed: 0 })
  })

  test('clean removes finished children and releases a parent in another queue; one in the same queue is removed', async () => {
    const [p, ch] = [queueName('clean-p'), queueName('clean-c')]
    const fp = flowProducer()
    const qc = queue(ch)
    const qp = queue(p)
    // A failed child without flags keeps its parent waiting; cleaning it lets the parent go.
    const other = await fp.add({ name: 'parent', queueName: p, children: [{ name: 'bad', queueName: ch }] })
    const same = await fp.add({ name: 'parent', queueName: ch, children: [{ name: 'bad', queueName: ch }] })
    const w = worker(ch, async (job: any) => {
      if (job.name === 'bad') throw new Error('nope')
      return 'parent'
    })
    await eventually(async () => (await qc.getFailedCount()) === 2)
    await w.close()
    expect(await stateOf(qp, other.job.id)).toBe('waiting-children')
    const cleaned = await qc.clean(0, 10, 'failed')
    expect(cleaned.sort()).toEqual([other.children[0].job.id, same.children[0].job.id].sort())
    expect(await stateOf(qp, other.job.id)).toBe('waiting')
    expect(await qc.getJob(same.job.id)).toBeUndefined()
    expect(await qc.getJobCounts('waiting', 'waiting-children', 'failed')).toEqual({ waiting: 0, 'waiting-children': 0, failed: 0 })
  })

  test('obliterating a child queue releases a parent waiting in another queue', async () => {
    const [p, ch] = [queueName('obl-p'), queueName('obl-c')]
    const tree = await flowProducer().add({ name: 'parent', queueName: p, children: [{ name: 'c1', queueName: ch }, { name: 'c2', queueName: ch }] })
    const qc = queue(ch)
    const qp = queue(p)
    await qc.obliterate({ force: true })
    expect(await qc.getJob(tree.children[0].job.id)).toBeUndefined()
    expect(await stateOf(qp, tree.job.id)).toBe('waiting')
    // Obliterating the parent queue leaves the children's queue alone.
    const tree2 = await flowProducer().add({ name: 'parent', queueName: p, children: [{ name: 'c', queueName: ch }] })
    await qp.obliterate({ force: true })
    expect(await stateOf(qc, tree2.children[0].job.id)).toBe('waiting')
  })

  test('removing a pending child releases its parent only when it was the last one', async () => {
    const name = queueName('rm-child')
    const tree = await flowProducer().add({ name: 'parent', queueName: name, children: [{ name: 'a', queueName: name }, { name: 'b', queueName: name }] })
    const q = queue(name)
    await tree.children[0].job.remove()
    expect(await stateOf(q, tree.job.id)).toBe('waiting-children')
    await q.remove(tree.children[1].job.id)
    expect(await stateOf(q, tree.job.id)).toBe('waiting')
    expect(await tree.job.getDependenciesCount()).toEqual({ processed: 0, unprocessed: 0, ignored: 0, failed: 0 })
  })

  test('removing a parent with finished, failed and pending children removes them all, not the grandparent', async () => {
    const name = queueName('rm-tree')
    const tree = await flowProducer().add({
      name: 'grand',
      queueName: name,
      children: [
        { name: 'sibling', queueName: name, opts: { delay: LONG } },
        {
          name: 'parent',
          queueName: name,
          children: [
            { name: 'ok', queueName: name },
            { name: 'bad', queueName: name, opts: { ignoreDependencyOnFailure: true } },
            { name: 'blocker', queueName: name, opts: { delay: LONG } },
          ],
        },
      ],
    })
    const w = worker(name, async (job: any) => {
      if (job.name === 'bad') throw new Error('x')
      return 1
    })
    const q = queue(name)
    const parent = tree.children[1]
    await eventually(async () => (await stateOf(q, parent.children[0].job.id)) === 'completed' && (await stateOf(q, parent.children[1].job.id)) === 'failed')
    await w.close()
    await parent.job.remove()
    for (const child of parent.children) expect(await q.getJob(child.job.id)).toBeUndefined()
    expect(await q.getJob(parent.job.id)).toBeUndefined()
    expect(await stateOf(q, tree.job.id)).toBe('waiting-children')
    expect((await tree.job.getDependencies()).unprocessed).toEqual([keyOf(tree.children[0].job)])
    expect(await q.getJobCounts('completed', 'failed', 'delayed')).toEqual({ completed: 0, failed: 0, delayed: 1 })
  })

  test('a parent whose pending child is held by a worker is not removed, nor is anything below it', async () => {
    const name = queueName('rm-locked')
    const tree = await flowProducer().add({ name: 'parent', queueName: name, children: [{ name: 'busy', queueName: name }, { name: 'idle', queueName: name, opts: { delay: LONG } }] })
    let release!: () => void
    const held = new Promise<void>((r) => (release = r))
    let started = false
    const w = worker(name, async () => {
      started = true
      await held
      return 'ok'
    })
    const q = queue(name)
    await eventually(() => started)
    await expect(tree.job.remove()).rejects.toThrow()
    expect(await stateOf(q, tree.job.id)).toBe('waiting-children')
    expect(await stateOf(q, tree.children[1].job.id)).toBe('delayed')
    release()
    await w.close()
  })

  test('removeChildDependency: the last pending child leaving moves the parent on; the child stays, parentless', async () => {
    const name = queueName('rm-dep')
    const tree = await flowProducer().add({
      name: 'parent',
      queueName: name,
      children: [
        { name: 'a', queueName: name, opts: { delay: LONG } },
        { name: 'b', queueName: name, opts: { delay: LONG } },
      ],
    })
    const q = queue(name)
    const [a, b] = tree.children.map((ch: any) => ch.job)
    expect(await a.removeChildDependency()).toBe(true)
    expect(a.parentKey).toBeUndefined()
    expect(a.parent).toBeUndefined()
    expect(await stateOf(q, tree.job.id)).toBe('waiting-children')
    const stored = await q.getJob(a.id)
    expect(stored.parentKey).toBeUndefined()
    expect(stored.parent).toBeUndefined()
    expect(await stateOf(q, a.id)).toBe('delayed')
    // Read back before its removal, b still names its parent.
    const bRead = await q.getJob(b.id)
    expect(await bRead.removeChildDependency()).toBe(true)
    expect(await stateOf(q, tree.job.id)).toBe('waiting')
    expect(await tree.job.getDependenciesCount()).toEqual({ processed: 0, unprocessed: 0, ignored: 0, failed: 0 })
    // Gone parent, gone job: errors with bullmq's text.
    const c = await q.add('c', {}, { parent: { id: tree.job.id, queue: q.qualifiedName }, delay: LONG })
    await q.remove(tree.job.id, { removeChildren: false })
    await expect(c.removeChildDependency()).rejects.toThrow(`Missing key for parent job ${q.qualifiedName}:${tree.job.id}. removeChildDependency`)
    const d = await flowProducer().add({ name: 'p2', queueName: name, children: [{ name: 'd', queueName: name, opts: { delay: LONG } }] })
    const dJob = d.children[0].job
    await q.remove(dJob.id)
    await expect(dJob.removeChildDependency()).rejects.toThrow(`Missing key for job ${dJob.id}. removeChildDependency`)
  })

  test('removeUnprocessedChildren removes pending children and theirs, not finished, failed or active ones', async () => {
    const [p, ch] = [queueName('rm-unproc-p'), queueName('rm-unproc-c')]
    const tree = await flowProducer().add({
      name: 'parent',
      queueName: p,
      children: [
        { name: 'done', queueName: ch },
        { name: 'bad', queueName: ch },
        { name: 'busy', queueName: ch },
        { name: 'prio', queueName: ch, opts: { priority: 1, delay: LONG } },
        { name: 'later', queueName: ch, opts: { delay: LONG } },
        { name: 'mid', queueName: ch, children: [{ name: 'deep', queueName: ch, opts: { delay: LONG } }] },
      ],
    })
    const byName = Object.fromEntries(tree.children.map((n: any) => [n.job.name, n]))
    let release!: () => void
    const held = new Promise<void>((r) => (release = r))
    const w = worker(ch, async (job: any) => {
      if (job.name === 'bad') throw new Error('broke')
      if (job.name === 'busy') await held
      return job.name
    })
    const qc = queue(ch)
    const qp = queue(p)
    await eventually(async () =>
      (await stateOf(qc, byName.done.job.id)) === 'completed' &&
      (await stateOf(qc, byName.bad.job.id)) === 'failed' &&
      (await stateOf(qc, byName.busy.job.id)) === 'active')
    await tree.job.removeUnprocessedChildren()
    for (const gone of ['prio', 'later', 'mid']) expect(await qc.getJob(byName[gone].job.id)).toBeUndefined()
    expect(await qc.getJob(byName.mid.children[0].job.id)).toBeUndefined()
    for (const kept of ['done', 'bad', 'busy']) expect((await qc.getJob(byName[kept].job.id)).parentKey).toBe(keyOf(tree.job))
    expect(await tree.job.getDependenciesCount()).toEqual({ processed: 1, unprocessed: 2, ignored: 0, failed: 0 })
    expect(await stateOf(qp, tree.job.id)).toBe('waiting-children')
    release()
    await eventually(async () => (await stateOf(qc, byName.busy.job.id)) === 'completed')
    await w.close()
    // Nothing pending is left to remove: finished children stay.
    await tree.job.removeUnprocessedChildren()
    expect(await qc.getCompletedCount()).toBe(2)
  })

  test('getDependencies pages processed children with a cursor', async () => {
    const name = queueName('deps-page')
    const tree = await flowProducer().add({
      name: 'parent',
      queueName: name,
      children: Array.from({ length: 12 }, (_, i) => ({ name: 'child', queueName: name, data: { i } })),
    })
    worker(name, async (job: any) => (job.name === 'child' ? job.data.i : 'done'))
    const q = queue(name)
    await eventually(async () => (await stateOf(q, tree.job.id)) === 'completed')
    const seen = new Set<string>()
    let cursor = 0
    let rounds = 0
    do {
      const page = await tree.job.getDependencies({ processed: { cursor, count: 5 } })
      expect(typeof page.nextProcessedCursor).toBe('number')
      for (const k of Object.keys(page.processed)) seen.add(k)
      cursor = page.nextProcessedCursor
      rounds++
    } while (cursor !== 0 && rounds < 20)
    expect(seen.size).toBe(12)
    const all = await tree.job.getDependencies()
    expect(Object.keys(all.processed).sort()).toEqual([...seen].sort())
  })

  test('getFlow honours depth; maxChildren is the scan size per list', async () => {
    const name = queueName('getflow-limits')
    const fp = flowProducer()
    const tree = await fp.add({
      name: 'root',
      queueName: name,
      children: Array.from({ length: 5 }, (_, i) => ({ name: `c${i}`, queueName: name, children: [{ name: `g${i}`, queueName: name }] })),
    })
    const full = await fp.getFlow({ id: tree.job.id, queueName: name })
    expect(full.children).toHaveLength(5)
    expect(full.children.every((ch: any) => ch.children.length === 1)).toBe(true)
    // Like bullmq's, a SCAN COUNT hint: a large one reads every child at once.
    const wide = await fp.add({ name: 'wide', queueName: name, children: Array.from({ length: 30 }, () => ({ name: 'w', queueName: name })) })
    expect((await fp.getFlow({ id: wide.job.id, queueName: name, maxChildren: 100, depth: 2 })).children).toHaveLength(30)
    const shallow = await fp.getFlow({ id: tree.job.id, queueName: name, depth: 2 })
    expect(shallow.children).toHaveLength(5)
    expect(shallow.children.every((ch: any) => ch.children === undefined)).toBe(true)
    const leaf = await fp.getFlow({ id: tree.children[0].children[0].job.id, queueName: name })
    expect(leaf.job.name).toBe('g0')
    expect(leaf.children).toBeUndefined()
  })

  test('deduplication on a node with children is refused, nested too, and nothing is added', async () => {
    const name = queueName('dedup-children')
    const fp = flowProducer()
    const message = 'Deduplication options cannot be used on flow nodes with children'
    await expect(fp.add({ name: 'p', queueName: name, opts: { deduplication: { id: 'x' } }, children: [{ name: 'c', queueName: name }] }))
      .rejects.toThrow(message)
    await expect(fp.add({
      name: 'p',
      queueName: name,
      children: [{ name: 'mid', queueName: name, opts: { deduplication: { id: 'y' } }, children: [{ name: 'c', queueName: name }] }],
    })).rejects.toThrow(message)
    expect(await queue(name).getJobCountByTypes('waiting', 'waiting-children')).toBe(0)
  })

  test('QueueEvents reports waiting-children for a parent, then waiting when its children are done', async () => {
    const name = queueName('flow-events')
    const events = c.add(new lib.QueueEvents(name, { connection: connection() }))
    await events.waitUntilReady()
    const seen: string[] = []
    events.on('waiting-children', ({ jobId }: { jobId: string }) => seen.push(`waiting-children ${jobId}`))
    events.on('waiting', ({ jobId, prev }: { jobId: string; prev?: string }) => seen.push(`waiting ${jobId} ${prev}`))
    events.on('completed', ({ jobId }: { jobId: string }) => seen.push(`completed ${jobId}`))
    const tree = await flowProducer().add({ name: 'parent', queueName: name, children: [{ name: 'child', queueName: name }] })
    worker(name, async (job: any) => job.name)
    const child = tree.children[0].job.id
    await eventually(() => seen.includes(`completed ${tree.job.id}`))
    // The parent is added first; the child's completion releases it before its own 'completed'.
    expect(seen).toEqual([
      `waiting-children ${tree.job.id}`,
      `waiting ${child} undefined`,
      `waiting ${tree.job.id} waiting-children`,
      `completed ${child}`,
      `completed ${tree.job.id}`,
    ])
  })

  test('a processor adds children at run time and waits for them as one step (WaitingChildrenError)', async () => {
    const name = queueName('flow-steps')
    const q = queue(name)
    const steps: string[] = []
    worker(name, async (job: any, token: string) => {
      if (job.name === 'child') return job.data.n
      let step = job.data.step ?? 'start'
      while (step !== 'done') {
        if (step === 'start') {
          await q.add('child', { n: 5 }, { parent: { id: job.id, queue: job.queueQualifiedName } })
          await job.updateData({ step: 'wait' })
          step = 'wait'
        } else {
          const moved = await job.moveToWaitingChildren(token)
          steps.push(`moved ${moved}`)
          if (moved) throw new lib.WaitingChildrenError()
          await job.updateData({ step: 'done' })
          step = 'done'
        }
      }
      return Object.values(await job.getChildrenValues())
    })
    const parent = await q.add('parent', {})
    await eventually(async () => (await stateOf(q, parent.id)) === 'completed')
    expect(steps).toEqual(['moved true', 'moved false'])
    expect((await q.getJob(parent.id)).returnvalue).toEqual([5])
    expect(await (await q.getJob(parent.id)).isWaitingChildren()).toBe(false)
  })

  test('a job that already has a parent cannot join another one', async () => {
    const name = queueName('flow-reparent')
    const q = queue(name)
    await flowProducer().add({ name: 'tue', queueName: name, opts: { jobId: 'tue' }, children: [{ name: 'mon', queueName: name, opts: { jobId: 'mon' } }] })
    await q.add('wed', {}, { jobId: 'wed' })
    await expect(q.add('mon', {}, { jobId: 'mon', parent: { id: 'wed', queue: q.qualifiedName } }))
      .rejects.toThrow(`The parent job ${q.qualifiedName}:wed cannot be replaced. addJob`)
    expect((await q.getJob('mon')).parentKey).toBe(`${q.qualifiedName}:tue`)
  })

  test('re-adding a flow whose child already completed sends the new parent on', async () => {
    const name = queueName('flow-readd')
    const fp = flowProducer()
    const tree = () => fp.add({
      name: 'tue',
      queueName: name,
      opts: { jobId: 'tue', removeOnComplete: true },
      children: [{ name: 'mon', queueName: name, opts: { jobId: 'mon' } }],
    })
    const w = worker(name, async (job: any) => job.name)
    const q = queue(name)
    await tree()
    await eventually(async () => (await q.getJob('tue')) === undefined && (await stateOf(q, 'mon')) === 'completed')
    await tree()
    await eventually(async () => (await q.getJob('tue')) === undefined && (await q.getCompletedCount()) === 1)
    await w.close()
    expect(await stateOf(q, 'mon')).toBe('completed')
  })

  test('a FlowProducer prefix applies to every node and to getFlow', async () => {
    const [p, ch] = [queueName('flow-prefix-p'), queueName('flow-prefix-c')]
    const prefix = `pfx${p.length}`
    const fp = c.add(new lib.FlowProducer({ connection: connection(), prefix }))
    const tree = await fp.add({ name: 'parent', queueName: p, children: [{ name: 'child', queueName: ch }] })
    expect(tree.children[0].job.parentKey).toBe(`${prefix}:${p}:${tree.job.id}`)
    const flow = await fp.getFlow({ id: tree.job.id, queueName: p })
    expect(flow.children.map((n: any) => n.job.name)).toEqual(['child'])
    expect(await fp.getFlow({ id: tree.job.id, queueName: p, prefix: 'bull' })).toBeUndefined()
    c.add(new lib.Worker(ch, async () => 7, { connection: connection(), prefix }))
    c.add(new lib.Worker(p, async (job: any) => job.getChildrenValues(), { connection: connection(), prefix }))
    const qp = c.add(new lib.Queue(p, { connection: connection(), prefix }))
    await eventually(async () => (await qp.getJobState(tree.job.id)) === 'completed')
    expect((await qp.getJob(tree.job.id)).returnvalue).toEqual({ [`${prefix}:${ch}:${tree.children[0].job.id}`]: 7 })
  })

  test('a parent with removeOnComplete takes its children record with it', async () => {
    const name = queueName('flow-roc-parent')
    const tree = await flowProducer().add({ name: 'parent', queueName: name, opts: { removeOnComplete: true }, children: [{ name: 'child', queueName: name }] })
    worker(name, async (job: any) => job.name)
    const q = queue(name)
    await eventually(async () => (await q.getJob(tree.job.id)) === undefined && (await q.getCompletedCount()) === 1)
    expect(await tree.job.getChildrenValues()).toEqual({})
    expect(await tree.job.getDependenciesCount()).toEqual({ processed: 0, unprocessed: 0, ignored: 0, failed: 0 })
  })

  test('addBulk takes parent opts on a root and dedups a lone job', async () => {
    const name = queueName('bulk-opts')
    const fp = flowProducer()
    const q = queue(name)
    const outer = await q.add('outer', {}, { delay: LONG })
    const [a, b] = await fp.addBulk([
      { name: 'a', queueName: name, opts: { parent: { id: outer.id, queue: q.qualifiedName } }, children: [{ name: 'ac', queueName: name }] },
      { name: 'b', queueName: name, opts: { deduplication: { id: 'same' } } },
    ])
    expect(a.job.parentKey).toBe(`${q.qualifiedName}:${outer.id}`)
    expect((await q.getJob(a.job.id)).parentKey).toBe(`${q.qualifiedName}:${outer.id}`)
    expect(await outer.getDependenciesCount()).toEqual({ processed: 0, unprocessed: 1, ignored: 0, failed: 0 })
    const again = await fp.add({ name: 'b', queueName: name, opts: { deduplication: { id: 'same' } } })
    expect(again.job.id).toBe(b.job.id)
    expect(await q.getWaitingCount()).toBe(2)
  })
})
