// bull-board (the real @bull-board/api + @bull-board/express 9.10.1) given a
// ferroq Queue directly: `new BullMQAdapter(queue)` accepts it (its check reads
// `queue.metaValues.version`, which starts with `bullmq` as BullMQ's does), and
// the board's JSON API, over real HTTP, lists ferroq's jobs and its retry,
// clean, pause and resume act on them. Routes are those of @bull-board/api
// 9.10.1 (dist/routes.js).
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createBullBoard } from '@bull-board/api'
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter'
import { ExpressAdapter } from '@bull-board/express'
import IORedis from 'ioredis'
import { Queue, Worker, Job } from '../..'
import { connection, queueName, collect, eventually } from '../helpers'
import { bullConnection } from './compat-helpers'

type App = { use(path: string, handler: unknown): void; listen(port: number, host: string, cb: () => void): Server }
// eslint-disable-next-line @typescript-eslint/no-require-imports
const express = require('express') as () => App

/** bull-board's clean-all route removes only jobs finished more than this long ago (cleanAll.js). */
const BOARD_CLEAN_GRACE_MS = 5000
const RETRY_GAP_MS = 3000

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

interface BoardQueue {
  name: string
  counts: Record<string, number>
  isPaused: boolean
  jobs: Array<{ id: string; name: string; data: unknown; failedReason?: string; returnValue?: unknown }>
}

describe('bull-board given a ferroq Queue', () => {
  test('the adapter takes the queue because its meta version is what the queue writes to Redis', async () => {
    const queue = new Queue(queueName('board-meta'), { connection: connection() })
    const redis = new IORedis(bullConnection())
    try {
      await queue.add('one', {})
      expect(queue.metaValues).toEqual({ 'opts.maxLenEvents': 10000, version: expect.stringMatching(/^bullmq:6\.7\.0\+ferroq\./) })
      expect(await redis.hgetall(`bull:${queue.name}:meta`)).toEqual({
        'opts.maxLenEvents': String(queue.metaValues['opts.maxLenEvents']),
        version: queue.metaValues.version,
      })
      expect(() => new BullMQAdapter(queue as never)).not.toThrow()
      // The adapter's check does refuse a queue without it.
      expect(() => new BullMQAdapter({ metaValues: { version: 'other:1.0.0' } } as never)).toThrow("You've used the BullMQ adapter with a non-BullMQ queue.")
    } finally {
      redis.disconnect()
      await queue.close()
    }
  })

  test('lists, shows, retries, cleans, pauses and resumes through the board', async () => {
    const name = queueName('board-direct')
    const queue = new Queue(name, { connection: connection() })
    let failing = true
    const worker = new Worker(
      name,
      async (job: Job) => {
        if (job.data.fail && failing) throw new Error(`boom ${job.data.n}`)
        return { n: job.data.n, ok: true }
      },
      { connection: connection() },
    )
    const first = Promise.all([collect<[Job]>(worker, 'completed', 3), collect<[Job]>(worker, 'failed', 2)])
    const added = await queue.addBulk([
      ...[1, 2, 3].map((n) => ({ name: 'ok', data: { n } })),
      ...[4, 5].map((n) => ({ name: 'bad', data: { n, fail: true } })),
    ])
    const [completed, failed] = await first
    const completedAt = Date.now()
    const failedIds = failed.map(([j]) => j.id!).sort()
    const completedIds = completed.map(([j]) => j.id!).sort()

    const serverAdapter = new ExpressAdapter()
    serverAdapter.setBasePath('/ui')
    createBullBoard({ queues: [new BullMQAdapter(queue as never)], serverAdapter })
    const app = express()
    app.use('/ui', serverAdapter.getRouter())
    const server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s))
    })
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ui`
    const api = async (method: string, path: string, status = 200) => {
      const res = await fetch(`${base}${path}`, { method })
      const text = await res.text()
      expect({ path, status: res.status, text: res.status === status ? '' : text }).toEqual({ path, status, text: '' })
      return text ? JSON.parse(text) : undefined
    }
    const boardQueue = async (query = ''): Promise<BoardQueue> => {
      const body = await api('GET', `/api/queues${query}`)
      const q = body.queues.find((x: BoardQueue) => x.name === name)
      expect(q).toBeDefined()
      return q
    }
    const q = encodeURIComponent(name)

    try {
      const listed = await boardQueue()
      expect(listed.counts).toMatchObject({ completed: 3, failed: 2, waiting: 0, active: 0, delayed: 0 })
      expect(listed.isPaused).toBe(false)

      const failedTab = await boardQueue(`?activeQueue=${q}&status=failed&page=1&jobsPerPage=10`)
      expect(failedTab.jobs.map((j) => j.id).sort()).toEqual(failedIds)
      expect(failedTab.jobs.map((j) => j.failedReason).sort()).toEqual(['boom 4', 'boom 5'])
      const one = await api('GET', `/api/queues/${q}/${added[0].id}`)
      expect(one.status).toBe('completed')
      expect(one.job).toMatchObject({ id: added[0].id, name: 'ok', data: { n: 1 }, returnValue: { n: 1, ok: true } })

      // Retry one failed job, then the rest with retry-all: ferroq's worker completes them.
      // The retries finish RETRY_GAP_MS after the first batch, so the board's clean below,
      // which keeps jobs finished in its last 5 s, can tell the two apart however fast or
      // slow the machine is.
      await sleep(Math.max(0, completedAt + RETRY_GAP_MS - Date.now()))
      failing = false
      const [retryOne, retryAll] = failedIds
      const again = collect<[Job]>(worker, 'completed', 1)
      await api('PUT', `/api/queues/${q}/${retryOne}/retry`, 204)
      expect((await again)[0][0].id).toBe(retryOne)
      const againAll = collect<[Job]>(worker, 'completed', 1)
      expect(await api('PUT', `/api/queues/${q}/retry/failed`)).toEqual({ retried: 1, skipped: 0 })
      expect((await againAll)[0][0].id).toBe(retryAll)
      expect(await queue.getJobCounts('completed', 'failed')).toEqual({ completed: 5, failed: 0 })

      // Clean one job, then every completed job finished before the board's grace period.
      await api('PUT', `/api/queues/${q}/${completedIds[0]}/clean`, 204)
      expect(await queue.getJob(completedIds[0])).toBeUndefined()
      await sleep(Math.max(0, completedAt + BOARD_CLEAN_GRACE_MS + RETRY_GAP_MS / 3 - Date.now()))
      await api('PUT', `/api/queues/${q}/clean/completed`)
      for (const id of completedIds) expect(await queue.getJob(id)).toBeUndefined()
      expect((await queue.getCompleted()).map((j) => j.id).sort()).toEqual(failedIds)

      // No ioredis client behind a ferroq queue: the Redis panel says so.
      expect(await api('GET', '/api/redis/stats', 404)).toEqual({ error: { key: 'ERRORS.REDIS_STATS_UNAVAILABLE' } })

      // Pause and resume from the board: the queue's own flag follows.
      await api('PUT', `/api/queues/${q}/pause`)
      await eventually(() => queue.isPaused())
      expect((await boardQueue()).isPaused).toBe(true)
      await api('PUT', `/api/queues/${q}/resume`)
      await eventually(async () => !(await queue.isPaused()))
    } finally {
      await new Promise((r) => server.close(r))
      await worker.close()
      await queue.close()
    }
  }, 30000)
})
