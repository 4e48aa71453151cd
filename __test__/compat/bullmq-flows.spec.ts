// Flows across libraries: the same tree added by bullmq 6.7.0 and by ferroq
// leaves the same keys; a flow made by either runs on workers of the other
// (children and parents split between them); each reads the other's flows.
import * as bullmq from 'bullmq'
import IORedis from 'ioredis'
import { FlowProducer, Queue, Worker } from '../..'
import { connection, queueName, eventually, closeAfterEach } from '../helpers'
import { bullConnection, canonical } from './compat-helpers'

describe('flows between bullmq and ferroq', () => {
  const track = closeAfterEach()

  /** A flow with fixed ids: two queues, two levels, a failure flag and a delay. `tag` (upper
   * case, so no generated queue name contains it) names the ids. */
  const tree = (p: string, c: string, tag: string) => ({
    name: 'root',
    queueName: p,
    data: { tag },
    opts: { jobId: `${tag}-root`, priority: 2 },
    children: [
      { name: 'leaf', queueName: c, data: { n: 1 }, opts: { jobId: `${tag}-a`, failParentOnFailure: true, attempts: 2 } },
      {
        name: 'mid',
        queueName: p,
        data: { n: 2 },
        opts: { jobId: `${tag}-mid`, delay: 1000 },
        children: [{ name: 'leaf', queueName: c, data: { n: 3 }, opts: { jobId: `${tag}-b`, ignoreDependencyOnFailure: true } }],
      },
    ],
  })

  /** Every key under the two queues (events and markers included), with values, ids renamed by tag, times dropped. */
  async function snapshot(redis: IORedis, queues: string[], tag: string) {
    const out: Record<string, unknown> = {}
    for (const q of queues) {
      for (const key of (await redis.keys(`bull:${q}:*`)).sort()) {
        const type = await redis.type(key)
        let v: unknown
        if (type === 'stream') {
          // The events, in order, without their stream ids.
          v = (await redis.xrange(key, '-', '+')).map(([, fields]) => fields)
        } else if (type === 'hash') {
          const h = await redis.hgetall(key)
          for (const f of ['timestamp']) delete h[f]
          if (h.opts) h.opts = canonical(JSON.parse(h.opts)) as never
          if (h.parent) h.parent = canonical(JSON.parse(h.parent)) as never
          v = h
        } else if (type === 'set') v = (await redis.smembers(key)).sort()
        else if (type === 'zset') v = (await redis.zrange(key, 0, -1)).sort()
        else if (type === 'list') v = await redis.lrange(key, 0, -1)
        else v = await redis.get(key)
        out[key.replace(q, '<q>').replace(new RegExp(tag, 'g'), '<tag>')] = v
      }
    }
    return JSON.parse(JSON.stringify(out).replace(new RegExp(tag, 'g'), '<tag>'))
  }

  test('the same flow added by bullmq and by ferroq leaves the same keys and events', async () => {
    const redis = new IORedis(bullConnection())
    try {
      const [bp, bc, fp, fc] = [queueName('fl-bp'), queueName('fl-bc'), queueName('fl-fp'), queueName('fl-fc')]
      const bullFlows = track(new bullmq.FlowProducer({ connection: bullConnection() }))
      const ferroqFlows = track(new FlowProducer({ connection: connection() }))
      await bullFlows.add(tree(bp, bc, 'BULLTAG'))
      await ferroqFlows.add(tree(fp, fc, 'FERROTAG'))
      const fromBull = JSON.stringify(await snapshot(redis, [bp, bc], 'BULLTAG')).split(bp).join('P').split(bc).join('C')
      const fromFerroq = JSON.stringify(await snapshot(redis, [fp, fc], 'FERROTAG')).split(fp).join('P').split(fc).join('C')
      expect(JSON.parse(fromFerroq)).toEqual(JSON.parse(fromBull))
    } finally {
      redis.disconnect()
    }
  })

  test('a bullmq flow runs on ferroq workers; bullmq reads the results', async () => {
    const [p, c] = [queueName('fl-b2f-p'), queueName('fl-b2f-c')]
    const bullFlows = track(new bullmq.FlowProducer({ connection: bullConnection() }))
    const root = await bullFlows.add({
      name: 'sum',
      queueName: p,
      children: [1, 2, 3].map((n) => ({ name: 'n', queueName: c, data: { n } })),
    })
    track(new Worker(c, async (job) => job.data.n * 100, { connection: connection() }))
    track(new Worker(p, async (job) => Object.values(await job.getChildrenValues<number>()).reduce((a, b) => a + b, 0), { connection: connection() }))
    const bq = track(new bullmq.Queue(p, { connection: bullConnection() }))
    await eventually(async () => (await bq.getJobState(root.job.id!)) === 'completed')
    const job = await bq.getJob(root.job.id!)
    expect(job!.returnvalue).toBe(600)
    expect(Object.values(await job!.getChildrenValues()).sort()).toEqual([100, 200, 300])
    expect(await job!.getDependenciesCount()).toEqual({ processed: 3, unprocessed: 0, ignored: 0, failed: 0 })
    // ferroq's getFlow reads the tree bullmq made.
    const flow = await track(new FlowProducer({ connection: connection() })).getFlow({ id: root.job.id!, queueName: p })
    expect(flow!.children!.map((ch) => ch.job.returnvalue).sort()).toEqual([100, 200, 300])
  })

  test('a ferroq flow runs on bullmq workers, children failing under failParentOnFailure', async () => {
    const [p, c] = [queueName('fl-f2b-p'), queueName('fl-f2b-c')]
    const fp = track(new FlowProducer({ connection: connection() }))
    const ok = await fp.add({ name: 'sum', queueName: p, children: [1, 2].map((n) => ({ name: 'n', queueName: c, data: { n } })) })
    const bad = await fp.add({ name: 'doomed', queueName: p, children: [{ name: 'boom', queueName: c, opts: { failParentOnFailure: true } }] })
    track(new bullmq.Worker(c, async (job) => {
      if (job.name === 'boom') throw new Error('exploded')
      return job.data.n + 0.5
    }, { connection: bullConnection() }))
    track(new bullmq.Worker(p, async (job) => Object.values(await job.getChildrenValues()).length, { connection: bullConnection() }))
    const q = track(new Queue(p, { connection: connection() }))
    await eventually(async () => (await q.getJobState(ok.job.id!)) === 'completed' && (await q.getJobState(bad.job.id!)) === 'failed')
    expect((await q.getJob(ok.job.id!))!.returnvalue).toBe(2)
    expect(await ok.job.getChildrenValues()).toEqual({ [`bull:${c}:${ok.children![0].job.id}`]: 1.5, [`bull:${c}:${ok.children![1].job.id}`]: 2.5 })
    expect((await q.getJob(bad.job.id!))!.failedReason).toBe(`child bull:${c}:${bad.children![0].job.id} failed`)
    // bullmq's getFlow reads ferroq's tree.
    const flow = await track(new bullmq.FlowProducer({ connection: bullConnection() })).getFlow({ id: ok.job.id!, queueName: p })
    expect(canonical(flow!.children!.map((ch) => ch.job.data).sort((a, b) => a.n - b.n))).toEqual([{ n: 1 }, { n: 2 }])
  })

  test('children on ferroq, parent on bullmq and the reverse; ignored failures read by both', async () => {
    const [p, c] = [queueName('fl-mix-p'), queueName('fl-mix-c')]
    const bullFlows = track(new bullmq.FlowProducer({ connection: bullConnection() }))
    const root = await bullFlows.add({
      name: 'p',
      queueName: p,
      children: [
        { name: 'fine', queueName: c, data: {} },
        { name: 'flaky', queueName: c, data: {}, opts: { ignoreDependencyOnFailure: true } },
      ],
    })
    track(new Worker(c, async (job) => {
      if (job.name === 'flaky') throw new Error('ignored please')
      return 'fine'
    }, { connection: connection() }))
    const got: unknown[] = []
    track(new bullmq.Worker(p, async (job) => {
      got.push(await job.getIgnoredChildrenFailures())
      return 'parent'
    }, { connection: bullConnection() }))
    const q = track(new Queue(p, { connection: connection() }))
    await eventually(async () => (await q.getJobState(root.job.id!)) === 'completed')
    const flakyKey = `bull:${c}:${root.children![1].job.id}`
    expect(got).toEqual([{ [flakyKey]: 'ignored please' }])
    const parent = await q.getJob(root.job.id!)
    expect(await parent!.getIgnoredChildrenFailures()).toEqual({ [flakyKey]: 'ignored please' })
    expect((await parent!.getDependencies()).processed).toEqual({ [`bull:${c}:${root.children![0].job.id}`]: 'fine' })
  })

  /** Runs one flow (a completing child, an ignored failure, a removed-dependency failure) to its end with
   * `lib`'s producer and workers; answers each queue's events, ids replaced by job names. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async function runFlow(lib: any, conn: object, tag: string) {
    const [p, c] = [queueName(`fl-ev-${tag}-p`), queueName(`fl-ev-${tag}-c`)]
    const fp = track(new lib.FlowProducer({ connection: conn } as never))
    const tree = await fp.add({
      name: 'parent',
      queueName: p,
      children: [
        { name: 'ok', queueName: c, opts: { jobId: `${tag}-ok` } },
        { name: 'ignored', queueName: c, opts: { jobId: `${tag}-ignored`, ignoreDependencyOnFailure: true } },
        { name: 'removed', queueName: c, opts: { jobId: `${tag}-removed`, removeDependencyOnFailure: true } },
      ],
      opts: { jobId: `${tag}-parent` },
    })
    const cw = track(new lib.Worker(c, async (job: { name: string }) => {
      if (job.name !== 'ok') throw new Error(`${job.name} broke`)
      return 'fine'
    }, { connection: conn } as never))
    const qc = track(new lib.Queue(c, { connection: conn } as never))
    await eventually(async () => (await qc.getFailedCount()) === 2 && (await qc.getCompletedCount()) === 1)
    await cw.close()
    const pw = track(new lib.Worker(p, async (job: { getDependenciesCount: () => Promise<unknown> }) => job.getDependenciesCount(), { connection: conn } as never))
    const qp = track(new lib.Queue(p, { connection: conn } as never))
    await eventually(async () => (await qp.getJobState(tree.job.id!)) === 'completed')
    await pw.close()
    const redis = new IORedis(bullConnection())
    try {
      const out: Record<string, string[][]> = {}
      for (const [label, q] of [['P', p], ['C', c]]) {
        out[label] = (await redis.xrange(`bull:${q}:events`, '-', '+')).map(([, f]) =>
          f.map((v) => v.split(tag).join('<tag>').split(p).join('P').split(c).join('C')),
        )
      }
      return out
    } finally {
      redis.disconnect()
    }
  }

  test('the same flow run by bullmq and by ferroq emits the same events on each queue', async () => {
    const ours = await runFlow(await import('../..'), connection(), 'FEVTAG')
    const theirs = await runFlow(bullmq, bullConnection(), 'BEVTAG')
    // Workers may report 'drained' when they find nothing more; everything else matches one for one.
    const noDrained = (evs: string[][]) => evs.filter((f) => f[1] !== 'drained')
    expect(noDrained(ours.P)).toEqual(noDrained(theirs.P))
    expect(noDrained(ours.C)).toEqual(noDrained(theirs.C))
    expect(noDrained(ours.P).map((f) => f[1])).toEqual(['added', 'waiting-children', 'waiting', 'active', 'completed'])
  })

  test('continueParentOnFailure and removeDependencyOnFailure across libraries', async () => {
    const [p, c] = [queueName('fl-cpof-p'), queueName('fl-cpof-c')]
    // ferroq's flow, bullmq's children worker, ferroq's parent worker.
    const tree = await track(new FlowProducer({ connection: connection() })).add({
      name: 'parent',
      queueName: p,
      children: [
        { name: 'cont', queueName: c, opts: { continueParentOnFailure: true } },
        { name: 'gone', queueName: c, opts: { removeDependencyOnFailure: true } },
      ],
    })
    const bq = track(new bullmq.Queue(c, { connection: bullConnection() }))
    track(new bullmq.Worker(c, async (job) => {
      throw new Error(`${job.name} broke`)
    }, { connection: bullConnection() }))
    await eventually(async () => (await bq.getFailedCount()) === 2)
    const seen: unknown[] = []
    track(new Worker(p, async (job) => {
      seen.push(await job.getFailedChildrenValues(), await job.getDependenciesCount())
      return 'ran'
    }, { connection: connection() }))
    const q = track(new Queue(p, { connection: connection() }))
    await eventually(async () => (await q.getJobState(tree.job.id!)) === 'completed')
    const contKey = `bull:${c}:${tree.children![0].job.id}`
    expect(seen).toEqual([{ [contKey]: 'cont broke' }, { processed: 0, unprocessed: 0, ignored: 1, failed: 0 }])
    // bullmq reads the parent's record the same way.
    const theirs = await bullmq.Job.fromId(track(new bullmq.Queue(p, { connection: bullConnection() })), tree.job.id!)
    expect(await theirs!.getIgnoredChildrenFailures()).toEqual({ [contKey]: 'cont broke' })
    expect(await theirs!.getDependenciesCount()).toEqual({ processed: 0, unprocessed: 0, ignored: 1, failed: 0 })
  })

  test("removeChildDependency and removeUnprocessedChildren on the other library's flows", async () => {
    const [p, c] = [queueName('fl-unlink-p'), queueName('fl-unlink-c')]
    const later = { delay: 3_600_000 }
    const theirs = await track(new bullmq.FlowProducer({ connection: bullConnection() })).add({
      name: 'p',
      queueName: p,
      children: [{ name: 'a', queueName: c, opts: later }, { name: 'b', queueName: c, opts: later, children: [{ name: 'bb', queueName: c, opts: later }] }],
    })
    const q = track(new Queue(c, { connection: connection() }))
    const qp = track(new Queue(p, { connection: connection() }))
    expect(await (await q.getJob(theirs.children![0].job.id!))!.removeChildDependency()).toBe(true)
    await (await qp.getJob(theirs.job.id!))!.removeUnprocessedChildren()
    expect(await q.getJob(theirs.children![1].job.id!)).toBeUndefined()
    expect(await q.getJob(theirs.children![1].children![0].job.id!)).toBeUndefined()
    expect(await q.getJobState(theirs.children![0].job.id!)).toBe('delayed')
    const bqp = track(new bullmq.Queue(p, { connection: bullConnection() }))
    expect(await bqp.getJobState(theirs.job.id!)).toBe('waiting')
    // And bullmq on ferroq's flow.
    const ours = await track(new FlowProducer({ connection: connection() })).add({ name: 'p', queueName: p, children: [{ name: 'a', queueName: c, opts: later }] })
    const bq = track(new bullmq.Queue(c, { connection: bullConnection() }))
    expect(await (await bq.getJob(ours.children![0].job.id!))!.removeChildDependency()).toBe(true)
    expect(await qp.getJobState(ours.job.id!)).toBe('waiting')
    expect((await q.getJob(ours.children![0].job.id!))!.parentKey).toBeUndefined()
  })

  test('bullmq removes a ferroq flow with its children; ferroq removes a bullmq one', async () => {
    const [p, c] = [queueName('fl-rm-p'), queueName('fl-rm-c')]
    const fp = track(new FlowProducer({ connection: connection() }))
    const bullFlows = track(new bullmq.FlowProducer({ connection: bullConnection() }))
    const bq = track(new bullmq.Queue(c, { connection: bullConnection() }))
    const q = track(new Queue(c, { connection: connection() }))
    const ours = await fp.add({ name: 'r', queueName: p, children: [{ name: 'x', queueName: c }] })
    await (await bullmq.Job.fromId(track(new bullmq.Queue(p, { connection: bullConnection() })), ours.job.id!))!.remove()
    expect(await bq.getJob(ours.children![0].job.id!)).toBeUndefined()
    const theirs = await bullFlows.add({ name: 'r', queueName: p, children: [{ name: 'x', queueName: c }] })
    await track(new Queue(p, { connection: connection() })).remove(theirs.job.id!)
    expect(await q.getJob(theirs.children![0].job.id!)).toBeUndefined()
  })
})
