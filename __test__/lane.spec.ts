// The add lane (src/js/lane.js, src/binding/queue/lane.rs): once a queue's
// first add went the engine's way, its adds travel on a socket of the JS
// thread. They must read exactly as before (ids, order, data bullmq reads,
// per-job errors, Redis error replies), keep their order against other
// requests, survive a flushed script cache and a killed socket without losing
// or doubling a job, finish before close, and never keep Node alive while idle.
import * as path from 'node:path'
import { spawn } from 'node:child_process'
import IORedis from 'ioredis'
import * as bullmq from 'bullmq'
import { Queue } from '..'
import { describeRedisOnly, eventually, queueName } from './helpers'
import { laneRig, nativeOf, type Server } from './lane-rig'

const { startRedis } = require('./setup/redis-server.js')
const ROOT = path.resolve(__dirname, '..')

type Coded = Error & { code?: string }

/** The queue's lane, as its native handle holds it (null: adds go the engine's way). */
const laneOf = (q: Queue) => nativeOf(q)._lane

/** Ids of the clients connected to the server. */
async function clientIds(admin: IORedis): Promise<Map<string, string>> {
  const text = (await admin.client('LIST')) as string
  const out = new Map<string, string>()
  for (const line of text.trim().split('\n')) out.set(/\bid=(\d+)/.exec(line)![1], line)
  return out
}

/** A queue whose lane is open: one add the engine's way, one on the lane. */
async function withLane(q: Queue): Promise<void> {
  await q.add('first', { first: true })
  expect(laneOf(q)).toBeNull()
  // Opens the lane; the add itself goes the engine's way while the lane's
  // handshake is unanswered.
  await q.add('second', { second: true })
  expect(laneOf(q)).not.toBeNull()
  await eventually(() => laneOf(q)!.ready)
}

describeRedisOnly('the add lane', () => {
  const rig = laneRig()

  test('awaited and same-tick adds resolve with their ids, in order; bullmq reads the jobs', async () => {
    const q = rig.queue('lane-ids')
    await withLane(q)
    const seq: string[] = []
    for (let i = 0; i < 30; i++) seq.push((await q.add('seq', { i }, { priority: i % 3, attempts: 2 })).id!)
    expect(seq).toEqual(Array.from({ length: 30 }, (_, i) => String(i + 3)))
    const tick = await Promise.all(Array.from({ length: 40 }, (_, i) => q.add('tick', { i, s: 'é/"x' })))
    expect(tick.map((j) => j.id)).toEqual(Array.from({ length: 40 }, (_, i) => String(i + 33)))
    const delayed = await q.add('later', { d: 1 }, { delay: 60_000, jobId: 'custom-1' })
    expect(delayed.id).toBe('custom-1')
    expect(laneOf(q)).not.toBeNull()

    const bq = new bullmq.Queue(q.name, { connection: { host: '127.0.0.1', port: rig.server.port } })
    try {
      const j = await bq.getJob(seq[7])
      expect(j!.name).toBe('seq')
      expect(j!.data).toEqual({ i: 7 })
      expect(j!.opts.attempts).toBe(2)
      expect(j!.opts.priority).toBe(1)
      const t = await bq.getJob(tick[39].id!)
      expect(t!.data).toEqual({ i: 39, s: 'é/"x' })
      expect(t!.timestamp).toBe(tick[39].timestamp)
      expect(await bq.getJobState('custom-1')).toBe('delayed')
      expect(await bq.count()).toBe(73)
    } finally {
      await bq.close()
    }
  })

  test('a job with an invalid option fails alone, with the error the engine path gives', async () => {
    const results = async (q: Queue) =>
      Promise.allSettled([q.add('a', { v: 1 }), q.add('big', { pad: 'x'.repeat(50) }, { sizeLimit: 10 }), q.add('bad', {}, { delay: -5 }), q.add('c', { v: 3 })])
    const q = rig.queue('lane-invalid')
    await withLane(q)
    const got = await results(q)
    const off = rig.queue('lane-invalid-off')
    process.env.FERROQ_LANE = '0'
    try {
      await off.add('first', {})
      await off.add('second', {})
      expect(laneOf(off)).toBeNull()
    } finally {
      delete process.env.FERROQ_LANE
    }
    const want = await results(off)
    expect(got.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled'])
    for (const i of [1, 2]) {
      const [a, b] = [(got[i] as PromiseRejectedResult).reason as Coded, (want[i] as PromiseRejectedResult).reason as Coded]
      expect(a.code).toBe('ERR_FERROQ_INVALID_OPTION')
      expect([a.code, a.message]).toEqual([b.code, b.message])
    }
    expect(await q.count()).toBe(4)
  })

  test('a request issued after an unawaited add sees it', async () => {
    const q = rig.queue('lane-order')
    await withLane(q)
    for (let round = 0; round < 20; round++) {
      void q.add('x', { round })
      expect(await q.count()).toBe(3 + round)
    }
    const adds = Array.from({ length: 10 }, (_, i) => q.add('y', { i }))
    const counts = await q.getJobCounts('waiting')
    expect(counts.waiting).toBe(32)
    await Promise.all(adds)
  })

  test('a duplicate custom jobId resolves with the existing job', async () => {
    const q = rig.queue('lane-dup')
    await withLane(q)
    const a = await q.add('a', { v: 1 }, { jobId: 'same' })
    const b = await q.add('b', { v: 2 }, { jobId: 'same' })
    expect(laneOf(q)).not.toBeNull()
    expect([a.id, b.id]).toEqual(['same', 'same'])
    expect((await q.getJob('same'))!.data).toEqual({ v: 1 })
    expect(await q.count()).toBe(3)
  })

  test('adds go on after SCRIPT FLUSH, none lost', async () => {
    const q = rig.queue('lane-flush')
    await withLane(q)
    const ids: string[] = []
    for (let i = 0; i < 10; i++) {
      if (i === 4) await rig.admin.script('FLUSH')
      ids.push((await q.add('x', { i })).id!)
    }
    const tick = await Promise.all(Array.from({ length: 20 }, (_, i) => q.add('t', { i })))
    ids.push(...tick.map((j) => j.id!))
    expect(new Set(ids).size).toBe(30)
    expect(await q.count()).toBe(32)
  })

  test('a killed lane with adds in flight: every add resolves once', async () => {
    const q = rig.queue('lane-kill')
    await q.add('first', {})
    const before = await clientIds(rig.admin)
    await q.add('second', {})
    const lanes = [...(await clientIds(rig.admin)).keys()].filter((id) => !before.has(id))
    expect(lanes).toHaveLength(1)
    // Writes wait while paused: the lane's adds are sent but not run.
    await rig.admin.call('CLIENT', 'PAUSE', '20000', 'WRITE')
    const adds: Promise<{ id?: string }>[] = []
    try {
      for (let batch = 0; batch < 5; batch++) {
        for (let i = 0; i < 10; i++) adds.push(q.add('x', { batch, i }))
        await new Promise((r) => setImmediate(r))
      }
      expect(laneOf(q)!.waiting.length).toBe(5)
      // The lane's first add is held by the pause ('b'locked) before it is killed.
      await eventually(async () => /flags=\S*b/.test((await clientIds(rig.admin)).get(lanes[0]) ?? ''))
      await rig.admin.call('CLIENT', 'KILL', 'ID', lanes[0])
    } finally {
      await rig.admin.call('CLIENT', 'UNPAUSE')
    }
    const ids = (await Promise.all(adds)).map((j) => j.id)
    expect(laneOf(q)).toBeNull()
    expect(new Set(ids).size).toBe(50)
    expect(await q.count()).toBe(52)
    // A later add may open a new lane; either way it lands once.
    await q.add('after', {})
    expect(await q.count()).toBe(53)
  })

  test('close() answers the adds still on the lane first', async () => {
    const q = new Queue(queueName('lane-close'), { connection: { url: rig.server.url } })
    await withLane(q)
    const lane = laneOf(q)!
    // Writes wait while paused: the batch is on the lane, unanswered, when close() starts.
    await rig.admin.call('CLIENT', 'PAUSE', '20000', 'WRITE')
    let adds: Promise<{ id?: string }>[] = []
    let closed: Promise<void>
    try {
      adds = Array.from({ length: 25 }, (_, i) => q.add('x', { i }))
      await new Promise((r) => setImmediate(r))
      expect(lane.waiting.length).toBe(1)
      closed = q.close()
      await new Promise((r) => setTimeout(r, 20))
    } finally {
      await rig.admin.call('CLIENT', 'UNPAUSE')
    }
    await closed!
    const jobs = await Promise.all(adds)
    expect(new Set(jobs.map((j) => j.id)).size).toBe(25)
    expect(lane.socket.destroyed || lane.waiting.length === 0).toBe(true)
    await expect(q.add('late', {})).rejects.toMatchObject({ code: 'ERR_FERROQ_CLOSED' })
  })

  test('an idle lane does not keep Node alive', async () => {
    const script = `
      const { Queue } = require(${JSON.stringify(ROOT)})
      const q = new Queue('lane-exit-' + process.pid, { connection: { url: ${JSON.stringify(rig.server.url)} } })
      ;(async () => {
        for (let i = 0; i < 5; i++) await q.add('x', { i })
        console.log(q._native._lane !== null ? 'lane' : 'no lane')
      })()`
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] })
    let out = ''
    child.stdout.on('data', (d) => (out += d))
    const code = await new Promise((r) => child.on('exit', r))
    expect(code).toBe(0)
    expect(out.trim()).toBe('lane')
  })
  test('a refused handshake turns the lane off: the adds go the engine way, none doubled', async () => {
    // The user may run everything but SCRIPT (so the lane's SCRIPT LOAD is
    // refused with NOPERM); its EVALSHAs run because another client cached the script.
    const name = queueName('acl')
    const boot = new Queue(name, { connection: { url: rig.server.url } })
    rig.open.push(boot)
    await boot.add('boot', {})
    await rig.admin.call('ACL', 'SETUSER', 'noscript', 'on', '>pw', '~*', '&*', '+@all', '-script')
    const q = new Queue(name, { connection: { url: `redis://noscript:pw@127.0.0.1:${rig.server.port}` } })
    rig.open.push(q)
    const native = nativeOf(q)
    for (let i = 0; i < 20; i++) await q.add('j', { i })
    await eventually(() => native._laneOff)
    for (let i = 20; i < 30; i++) await q.add('j', { i })
    expect(laneOf(q)).toBeNull()
    expect(await q.count()).toBe(31)
    const datas = (await q.getJobs(['waiting'], 0, -1)).filter((j) => j.name === 'j').map((j) => j.data.i).sort((a, b) => a - b)
    expect(datas).toEqual(Array.from({ length: 30 }, (_, i) => i))
  })
})

describeRedisOnly('the add lane on a full Redis', () => {
  let server: Server
  beforeAll(async () => {
    server = await startRedis(['--maxmemory', '4mb', '--maxmemory-policy', 'noeviction'])
  })
  afterAll(async () => {
    await server.stop()
  })

  test('an OOM reply rejects the add with the code and message the engine path gives', async () => {
    const q = new Queue(queueName('lane-oom'), { connection: { url: server.url } })
    const off = new Queue(queueName('lane-oom-off'), { connection: { url: server.url } })
    process.env.FERROQ_LANE = '0'
    try {
      await off.add('first', {})
      await off.add('second', {})
    } finally {
      delete process.env.FERROQ_LANE
    }
    try {
      await withLane(q)
      const pad = 'x'.repeat(2000)
      for (;;) {
        try {
          await off.addBulk(Array.from({ length: 20 }, (_, i) => ({ name: 'fill', data: { i, pad } })))
        } catch {
          break
        }
      }
      const onLane = (await q.add('big', { pad: pad.repeat(20) }).catch((e) => e)) as Coded
      expect(laneOf(q)).not.toBeNull()
      const engine = (await off.add('big', { pad: pad.repeat(20) }).catch((e) => e)) as Coded
      expect(laneOf(off)).toBeNull()
      expect(onLane.code).toBe('ERR_FERROQ_REDIS_OOM')
      expect([onLane.code, onLane.message]).toEqual([engine.code, engine.message])
    } finally {
      await q.close()
      await off.close()
    }
  })

})
