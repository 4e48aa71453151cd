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

  test('a job scheduler iterates on a cluster', async () => {
    const q = track(new Queue(`{sched${process.pid}}`, { connection: connection() }))
    await q.upsertJobScheduler('tick', { every: 200, limit: 3 }, { data: { t: 1 } })
    let runs = 0
    track(new Worker(`{sched${process.pid}}`, async () => ++runs, { connection: connection() }))
    await eventually(() => runs >= 3, 30000)
    expect((await q.getJobScheduler('tick'))!.iterationCount).toBe(3)
  })
})
