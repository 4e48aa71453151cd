// The bull-board parity cases (bull-board-parity.spec.ts, bull-board-swapped.spec.ts):
// the real @bull-board/api + @bull-board/express 9.10.1 over a ferroq Queue must
// answer every route as over a bullmq 6.7.0 Queue. The same scenario (finished,
// failed, delayed, prioritized, waiting jobs, a flow, a job scheduler, logs,
// progress, metrics) is built through each library's own API on the same Redis,
// each queue behind its own board, and every route of dist/routes.js is called
// on both; the JSON answers (and, after each write, the board's whole view of
// the queue) must be equal once queue names, ids of Redis connections and clock
// readings are normalised. The spec files say which `bullmq` bull-board loads.
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createBullBoard } from '@bull-board/api'
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter'
import { ExpressAdapter } from '@bull-board/express'
import { connection, queueName, collect } from '../helpers'
import { bullConnection, gate } from './compat-helpers'

type App = { use(path: string, handler: unknown): void; listen(port: number, host: string, cb: () => void): Server }
// eslint-disable-next-line @typescript-eslint/no-require-imports
const express = require('express') as () => App

/* eslint-disable @typescript-eslint/no-explicit-any */
export type Lib = { Queue: any; Worker: any; FlowProducer: any }
type Answer = { status: number; body: unknown }

/** Jobs c1..c3 completed, f4/f5 failed (with logs, progress and metrics), d6 delayed, p7 prioritized, w8 waiting, a flow par <- k1, k2 (and k3 in queue `<name>-far`), a scheduler. */
async function scenario(lib: Lib, name: string, conn: object) {
  const queue = new lib.Queue(name, { connection: conn, defaultJobOptions: { attempts: 1, removeOnFail: false } })
  const worker = new lib.Worker(
    name,
    async (job: any) => {
      await job.updateProgress(50)
      await job.log('line one')
      await job.log('line two')
      if (job.data.fail) throw new Error(`boom ${job.data.n}`)
      return { n: job.data.n }
    },
    { connection: conn, metrics: { maxDataPoints: 10 }, name: 'board-worker' },
  )
  const finished = Promise.all([collect(worker, 'completed', 3), collect(worker, 'failed', 2)])
  for (const n of [1, 2, 3]) await queue.add('ok', { n }, { jobId: `c${n}` })
  for (const n of [4, 5]) await queue.add('bad', { n, fail: true }, { jobId: `f${n}` })
  await finished
  await worker.close()
  await queue.add('later', { n: 6 }, { delay: 3600000, jobId: 'd6' })
  await queue.add('prio', { n: 7 }, { priority: 5, jobId: 'p7' })
  await queue.add('plain', { n: 8 }, { jobId: 'w8' })
  const flows = new lib.FlowProducer({ connection: conn })
  await flows.add({
    name: 'parent',
    queueName: name,
    data: { p: 1 },
    opts: { jobId: 'par' },
    children: [
      ...[1, 2].map((k) => ({ name: 'kid', queueName: name, data: { k }, opts: { jobId: `k${k}` } })),
      // A child in a queue the board does not show: the tree reads it through the backend's forQueue.
      { name: 'far', queueName: `${name}-far`, data: { k: 3 }, opts: { jobId: 'k3' } },
    ],
  })
  await flows.close()
  await queue.upsertJobScheduler('sched', { every: 3600000 }, { name: 'tick', data: { t: 1 } })
  return queue
}

/** The board over `queue` on a loopback port: `api(method, path, body)` answers `{ status, body }`. */
async function serve(queue: unknown) {
  const serverAdapter = new ExpressAdapter()
  serverAdapter.setBasePath('/ui')
  createBullBoard({ queues: [new BullMQAdapter(queue as never)], serverAdapter })
  const app = express()
  app.use('/ui', serverAdapter.getRouter())
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s))
  })
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ui`
  const api = async (method: string, path: string, body?: unknown): Promise<Answer> => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const text = await res.text()
    return { status: res.status, body: text ? JSON.parse(text) : undefined }
  }
  return { api, close: () => new Promise((r) => server.close(r)) }
}

const CLOCK_FIELDS = ['timestamp', 'processedOn', 'finishedOn', 'next', 'lastRun', 'uptime', 'age', 'activeRateLimitTtl', 'prevTS']
const CONNECTION_FIELDS = ['addr', 'used', 'peak', 'fragmentationRatio', 'connected']

/** An answer with the queue's name, clock readings and connection details replaced by placeholders. */
function normalise(v: unknown, name: string): unknown {
  return JSON.parse(JSON.stringify(v ?? null).split(name).join('<queue>'), (k, x) => {
    if (CLOCK_FIELDS.includes(k) && typeof x === 'number') return '<time>'
    if (CONNECTION_FIELDS.includes(k) && x != null) return '<connection>'
    // A worker's Redis connection: its client id.
    if (x && typeof x === 'object' && !Array.isArray(x) && 'addr' in x) return { ...x, id: '<client id>' }
    if (typeof x === 'string' && /^repeat:sched:\d+$/.test(x)) return 'repeat:sched:<time>'
    // A changed delay is counted from each call's own clock reading.
    if (k === 'delay' && typeof x === 'number' && x > 1000000) return '<delay>'
    // Stack frames below the thrown error are each library's own.
    if (k === 'stacktrace' && Array.isArray(x)) return x.map((l) => String(l).split('\n')[0])
    // Per-minute metric points depend on where a minute boundary fell: their sum does not.
    if (k === 'data' && Array.isArray(x) && x.every((p) => typeof p === 'number')) return x.reduce((a, b) => a + b, 0)
    // A flow's children come from a Redis set, in its hash order.
    if (k === 'children' && Array.isArray(x)) return [...x].sort((a, b) => String(a.id).localeCompare(String(b.id)))
    return x
  })
}

/** The parity cases, bullmq's classes being `bullmqLib` and ferroq's `ferroqLib`. */
export function boardParity(bullmqLib: unknown, ferroqLib: unknown) {
  const SIDES: Array<[string, Lib, () => object]> = [
    ['bullmq', bullmqLib as Lib, bullConnection],
    ['ferroq', ferroqLib as Lib, connection],
  ]

  const names: Record<string, string> = {}
  const boards: Record<string, Awaited<ReturnType<typeof serve>>> = {}
  const queues: Record<string, any> = {}

  beforeAll(async () => {
    for (const [side, lib, conn] of SIDES) {
      names[side] = queueName(`parity-${side}`)
      queues[side] = await scenario(lib, names[side], conn())
      boards[side] = await serve(queues[side])
    }
  }, 60000)

  afterAll(async () => {
    for (const side of Object.keys(boards)) await boards[side].close()
    for (const side of Object.keys(queues)) await queues[side].close()
  })

  /** Calls one route on both boards (`Q` in the path is each side's queue); resolves with both normalised answers. */
  async function both(method: string, path: string, body?: unknown) {
    const out: Record<string, unknown> = {}
    for (const [side] of SIDES) {
      const answer = await boards[side].api(method, path.replace(/\bQ\b/g, encodeURIComponent(names[side])), body)
      out[side] = normalise(answer, names[side])
    }
    return out as { bullmq: Answer; ferroq: Answer }
  }

  /** The board's whole view of the queue (every status, every job of the scenario). */
  async function view(side: string) {
    const q = encodeURIComponent(names[side])
    const { api } = boards[side]
    const list = await api('GET', `/api/queues?activeQueue=${q}&status=latest&page=1&jobsPerPage=50`)
    const jobs = []
    for (const id of ['c1', 'c2', 'c3', 'f4', 'f5', 'd6', 'p7', 'w8', 'par', 'k1', 'k2', 'a1', 'a2', 'd9']) jobs.push(await api('GET', `/api/queues/${q}/${id}`))
    // bull-board's retry-all retries a page of jobs at once (Promise.all): the order they reach the
    // wait list in is not the library's to keep, so the view lists jobs by id.
    const body = list.body as { queues: Array<{ jobs: Array<{ id: string }> }> }
    for (const q of body.queues) q.jobs.sort((x, y) => x.id.localeCompare(y.id))
    return normalise({ list, jobs, schedulers: await api('GET', '/api/job-schedulers') }, names[side])
  }

  const STATUSES = ['latest', 'active', 'waiting', 'waiting-children', 'prioritized', 'completed', 'failed', 'delayed', 'paused']
  const JOBS = ['c1', 'f4', 'd6', 'p7', 'w8', 'par', 'k1', 'k2', 'nope']
  const READS = [
    '/api/queues',
    ...STATUSES.map((s) => `/api/queues?activeQueue=Q&status=${s}&page=1&jobsPerPage=10`),
    '/api/queues?activeQueue=Q&status=completed&page=2&jobsPerPage=2',
    '/api/job-schedulers',
    '/api/job-schedulers?queueName=Q',
    ...JOBS.flatMap((id) => [`/api/queues/Q/${id}`, `/api/queues/Q/${id}/logs`, `/api/queues/Q/${id}/flow`]),
    '/api/queues/Q/k1/flow?root=node',
    '/api/queues/Q/par/flow?depth=1&maxChildren=1',
    '/api/queues/Q/metrics',
    '/api/queues/Q/default-job-options',
    '/api/queues/Q/workers',
    '/api/queues/Q/rate-limit',
    '/api/queues/Q/job-data-schema',
  ]

  test.each(READS)('GET %s', async (path) => {
    const { bullmq: b, ferroq: f } = await both('GET', path)
    expect(f).toEqual(b)
  })

  test("the Redis panel reads the server's INFO through the queue's client, as on bullmq", async () => {
    const { bullmq: b, ferroq: f } = await both('GET', '/api/redis/stats')
    expect(b).toMatchObject({ status: 200, body: { backend: 'redis', mode: 'standalone', port: bullConnection().port } })
    // The server's live figures (uptime, memory, clients) move between the two
    // reads: the same fields, and the same values where the server stands still.
    const still = (r: Answer) => {
      const { uptime, memory, clients, ...rest } = r.body as Record<string, unknown>
      return { status: r.status, rest, live: [typeof uptime, Object.keys(memory as object).sort(), Object.keys(clients as object).sort()] }
    }
    expect(still(f)).toEqual(still(b))
  })

  test('the flow tree of a parent and of its child: the parent with both children', async () => {
    const { bullmq: b, ferroq: f } = await both('GET', '/api/queues/Q/k2/flow')
    expect(b.body).toMatchObject({
      isFlowNode: true,
      flowRoot: { id: 'par', state: 'waiting-children', children: [{ id: 'k1' }, { id: 'k2' }, { id: 'k3', queueName: '<queue>-far' }] },
    })
    expect(f).toEqual(b)
  })

  // Each write in order on both sides: the same answer, then the same view of the queue.
  const WRITES: Array<[string, string, unknown?]> = [
    ['PUT', '/api/queues/Q/f4/retry'],
    ['PUT', '/api/queues/Q/c1/retry'],
    ['PUT', '/api/queues/Q/w8/retry'],
    ['PUT', '/api/queues/Q/retry/failed'],
    ['PUT', '/api/queues/Q/retry/completed'],
    ['PUT', '/api/queues/Q/retry/waiting'],
    ['PUT', '/api/queues/Q/d6/promote'],
    ['PUT', '/api/queues/Q/w8/promote'],
    ['PUT', '/api/queues/Q/nope/promote'],
    ['POST', '/api/queues/Q/add', { name: 'added', data: { a: 1 }, options: { delay: 3600000, jobId: 'a1' } }],
    ['POST', '/api/queues/Q/add', { name: 'added2', data: { a: 2 }, options: { priority: 3, jobId: 'a2' } }],
    ['PUT', '/api/queues/Q/promote'],
    ['PUT', '/api/queues/Q/c2/clean'],
    // Completed and failed are empty by now (retried above): what a clean removes does not hang on the clock.
    ['PUT', '/api/queues/Q/clean/completed'],
    ['PUT', '/api/queues/Q/clean/failed'],
    ['PATCH', '/api/queues/Q/w8/update-data', { jobData: { n: 80, x: [1] } }],
    ['POST', '/api/queues/Q/add', { name: 'late', data: {}, options: { delay: 3600000, jobId: 'd9' } }],
    ['PATCH', '/api/queues/Q/d9/delay', { runAt: 4102444800000 }],
    ['PATCH', '/api/queues/Q/w8/delay', { runAt: 4102444800000 }],
    ['PATCH', '/api/queues/Q/p7/priority', { priority: 9 }],
    ['PATCH', '/api/queues/Q/w8/priority', { priority: 2 }],
    ['PUT', '/api/queues/Q/par/remove-unprocessed-children'],
    ['PUT', '/api/queues/Q/par/remove-unprocessed-children'],
    // (bullmq's forced obliterate below sometimes leaves a childless waiting-children parent behind.)
    ['PUT', '/api/queues/Q/par/clean'],
    ['PUT', '/api/queues/Q/concurrency', { concurrency: 3 }],
    ['PUT', '/api/queues/Q/concurrency', { concurrency: 0 }],
    ['PUT', '/api/queues/Q/concurrency', { concurrency: 4 }],
    ['PUT', '/api/queues/Q/rate-limit', { max: 5, duration: 1000 }],
    ['GET', '/api/queues/Q/rate-limit'],
    ['PUT', '/api/queues/Q/rate-limit/release'],
    ['PUT', '/api/queues/Q/rate-limit', { max: null }],
    ['GET', '/api/queues/Q/rate-limit'],
    ['PATCH', '/api/queues/Q/job-schedulers/sched', { every: 7200000 }],
    ['PUT', '/api/queues/Q/job-schedulers/sched/run'],
    ['PATCH', '/api/queues/Q/job-schedulers/sched', { pattern: 'not a cron' }],
    ['PATCH', '/api/queues/Q/job-schedulers/nope', { every: 1000 }],
    ['PUT', '/api/queues/Q/job-schedulers/sched/remove'],
    ['PUT', '/api/queues/Q/job-schedulers/nope/remove'],
    ['PUT', '/api/queues/Q/obliterate', {}],
    ['PUT', '/api/queues/Q/pause'],
    ['PUT', '/api/queues/resume'],
    ['PUT', '/api/queues/pause'],
  ]

  test('every write route, in turn, answers the same and leaves the same queue behind', async () => {
    for (const [method, path, body] of WRITES) {
      const { bullmq: b, ferroq: f } = await both(method, path, body)
      expect({ step: `${method} ${path}`, answer: f }).toEqual({ step: `${method} ${path}`, answer: b })
      const [vb, vf] = [await view('bullmq'), await view('ferroq')]
      expect({ step: `${method} ${path}`, view: vf }).toEqual({ step: `${method} ${path}`, view: vb })
    }
  }, 60000)

  test('with a job held by a named worker: the workers, the active tab, obliterate refused, then forced', async () => {
    const held: Array<{ worker: any; open: () => void }> = []
    try {
      for (const [side, lib, conn] of SIDES) {
        const { promise, open } = gate()
        const worker = new lib.Worker(names[side], async (job: any) => {
          await job.log('held')
          await promise
        }, { connection: conn(), name: 'holder' })
        // The forced obliterate takes the held job away: finishing it then fails on either side.
        worker.on('error', () => undefined)
        const active = collect(worker, 'active', 1)
        await boards[side].api('PUT', `/api/queues/${encodeURIComponent(names[side])}/resume`)
        await active
        held.push({ worker, open })
      }
      for (const path of ['/api/queues', '/api/queues?activeQueue=Q&status=active&page=1&jobsPerPage=10', '/api/queues/Q/workers']) {
        const { bullmq: b, ferroq: f } = await both('GET', path)
        expect({ path, answer: f }).toEqual({ path, answer: b })
      }
      const workers = (await both('GET', '/api/queues/Q/workers')).ferroq.body as { workers: Array<{ name: string }> }
      expect(workers.workers.map((w) => w.name)).toEqual(['holder'])
      await both('PUT', '/api/queues/Q/pause')
      for (const [method, path, body] of [['PUT', '/api/queues/Q/obliterate', {}], ['PUT', '/api/queues/Q/obliterate', { force: true }]] as const) {
        const { bullmq: b, ferroq: f } = await both(method, path, body)
        expect({ path, body, answer: f }).toEqual({ path, body, answer: b })
      }
      const { bullmq: b, ferroq: f } = await both('GET', '/api/queues')
      expect(b).toMatchObject({ body: { queues: [{ counts: { active: 0, waiting: 0, completed: 0 } }] } })
      expect(f).toEqual(b)
    } finally {
      for (const { worker, open } of held) {
        open()
        await worker.close()
      }
    }
  }, 30000)
}
