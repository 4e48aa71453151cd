// Flows and job schedulers on a local Redis Cluster: a flow whose queues share
// one hash tag runs (with bullmq 6.7.0 reading it), one spanning slots is
// refused with a coded error before anything is written, and a scheduler
// iterates.
import * as bullmq from 'bullmq'
import IORedis from 'ioredis'
import { FlowProducer, Queue, Worker } from '../..'
import { eventually } from '../helpers'

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { startCluster } = require('../setup/redis-cluster.js')

describe('flows and schedulers on Redis Cluster', () => {
  let cluster: { urls: string[]; stop(): Promise<void> }
  const closing: { close: () => Promise<unknown> }[] = []
  const track = <T extends { close: () => Promise<unknown> }>(c: T): T => {
    closing.push(c)
    return c
  }
  beforeAll(async () => {
    cluster = await startCluster()
  })
  afterAll(async () => {
    for (const c of closing.reverse()) await c.close()
    if (cluster) await cluster.stop()
  })
  const connection = () => ({ cluster: cluster.urls })
  const nodes = () => cluster.urls.map((u) => ({ host: new URL(u).hostname, port: Number(new URL(u).port) }))

  test('a flow over queues sharing a hash tag runs; bullmq reads it', async () => {
    const prefix = `{flows${process.pid}}`
    const fp = track(new FlowProducer({ connection: connection(), prefix }))
    const tree = await fp.add({
      name: 'sum',
      queueName: 'parents',
      children: [1, 2, 3].map((n) => ({ name: 'n', queueName: 'children', data: { n } })),
    })
    track(new Worker('children', async (job) => job.data.n, { connection: connection(), prefix }))
    track(new Worker('parents', async (job) => Object.values(await job.getChildrenValues<number>()).reduce((a, b) => a + b, 0), { connection: connection(), prefix }))
    const q = track(new Queue('parents', { connection: connection(), prefix }))
    await eventually(async () => (await q.getJobState(tree.job.id!)) === 'completed', 30000)
    expect((await q.getJob(tree.job.id!))!.returnvalue).toBe(6)
    const nodes = cluster.urls.map((u) => ({ host: new URL(u).hostname, port: Number(new URL(u).port) }))
    const bullFlows = track(new bullmq.FlowProducer({ connection: new IORedis.Cluster(nodes), prefix }))
    const flow = await bullFlows.getFlow({ id: tree.job.id!, queueName: 'parents' })
    expect(flow!.children!.map((c) => c.job.returnvalue).sort()).toEqual([1, 2, 3])
  })

  test('a flow spanning slots is refused with ERR_FERROQ_CROSS_SLOT and writes nothing', async () => {
    const fp = track(new FlowProducer({ connection: connection() }))
    await expect(
      fp.add({ name: 'p', queueName: `{a${process.pid}}`, children: [{ name: 'c', queueName: `{b${process.pid}}` }] }),
    ).rejects.toMatchObject({ code: 'ERR_FERROQ_CROSS_SLOT' })
    const q = track(new Queue(`{a${process.pid}}`, { connection: connection() }))
    expect(await q.getJobCountByTypes('waiting-children', 'waiting')).toBe(0)
    await expect(q.add('x', {}, { parent: { id: 'p1', queue: `bull:{b${process.pid}}` } })).rejects.toMatchObject({ code: 'ERR_FERROQ_CROSS_SLOT' })
  })

  test('a job scheduler iterates on a cluster; bullmq lists it and ferroq lists bullmq\'s', async () => {
    const name = `{sched${process.pid}}`
    const q = track(new Queue(name, { connection: connection() }))
    await q.upsertJobScheduler('tick', { every: 200, limit: 3 }, { data: { t: 1 } })
    let runs = 0
    track(new Worker(name, async () => ++runs, { connection: connection() }))
    await eventually(() => runs >= 3, 30000)
    expect((await q.getJobScheduler('tick'))!.iterationCount).toBe(3)
    const bc = new IORedis.Cluster(nodes())
    track({ close: async () => bc.disconnect() })
    const bq = track(new bullmq.Queue(name, { connection: bc }))
    expect(await bq.getJobScheduler('tick')).toMatchObject({ key: 'tick', every: 200, limit: 3, iterationCount: 3 })
    await bq.upsertJobScheduler('theirs', { pattern: '0 0 1 1 *', tz: 'UTC' }, { name: 'yearly' })
    expect((await q.getJobSchedulers(0, -1, true)).map((s) => s.key)).toEqual(['tick', 'theirs'])
    expect(await q.getJobScheduler('theirs')).toMatchObject({ pattern: '0 0 1 1 *', tz: 'UTC', name: 'yearly' })
    expect(await q.removeJobScheduler('theirs')).toBe(true)
    expect(await bq.getDelayedCount()).toBe(0)
  })

  test('a child leaves its parent and unprocessed children are removed on a cluster', async () => {
    const prefix = `{unlink${process.pid}}`
    const fp = track(new FlowProducer({ connection: connection(), prefix }))
    const later = { delay: 3_600_000 }
    const tree = await fp.add({
      name: 'p',
      queueName: 'parents',
      children: [
        { name: 'a', queueName: 'children', opts: later },
        { name: 'b', queueName: 'children', opts: later },
      ],
    })
    const q = track(new Queue('parents', { connection: connection(), prefix }))
    expect(await tree.children![0].job.removeChildDependency()).toBe(true)
    expect(await q.getJobState(tree.job.id!)).toBe('waiting-children')
    await tree.job.removeUnprocessedChildren()
    expect(await q.getJobState(tree.job.id!)).toBe('waiting')
    const qc = track(new Queue('children', { connection: connection(), prefix }))
    expect(await qc.getJob(tree.children![1].job.id!)).toBeUndefined()
    expect(await qc.getJobState(tree.children![0].job.id!)).toBe('delayed')
  })
})
