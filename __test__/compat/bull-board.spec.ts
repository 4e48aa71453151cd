// bull-board (the real @bull-board/api + @bull-board/express app, reading
// through bullmq's own Queue) over a queue that ferroq writes and works: its
// JSON API sees ferroq's jobs, and its retry and clean actions take effect on
// ferroq's side. Routes are those of @bull-board/api 9.10.1 (dist/routes.js).
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import * as bullmq from 'bullmq'
import { createBullBoard } from '@bull-board/api'
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter'
import { ExpressAdapter } from '@bull-board/express'
import { Queue, Worker, Job } from '../..'
import { connection, queueName, collect, eventually } from '../helpers'
import { bullConnection } from './compat-helpers'

// express ships no types of its own and @types/express is not a dependency:
// type the two calls this test makes.
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

describe('bull-board over a ferroq queue', () => {
  test('lists, shows, retries and cleans the jobs ferroq wrote', async () => {
    const name = queueName('board')
    const queue = new Queue(name, { connection: connection() })
    // Jobs with `fail` fail until the test lets them pass: the retried ones then complete.
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

    // The board, reading through bullmq's classes, on a random loopback port.
    const bullQueue = new bullmq.Queue(name, { connection: bullConnection() })
    const serverAdapter = new ExpressAdapter()
    serverAdapter.setBasePath('/ui')
    createBullBoard({ queues: [new BullMQAdapter(bullQueue)], serverAdapter })
    const app = express()
    app.use('/ui', serverAdapter.getRouter())
    const server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s))
    })
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ui`
    const api = async (method: string, path: string, status = 200) => {
      const res = await fetch(`${base}${path}`, { method })
      const text = await res.text()
      expect({ path, status: res.status }).toEqual({ path, status })
      return text ? JSON.parse(text) : undefined
    }
    const boardQueue = async (query = ''): Promise<BoardQueue> => {
      const body = await api('GET', `/api/queues${query}`)
      const q = body.queues.find((x: BoardQueue) => x.name === name)
      expect(q).toBeDefined()
      return q
    }

    try {
      // Listed, with ferroq's counts.
      const listed = await boardQueue()
      expect(listed.counts).toMatchObject({ completed: 3, failed: 2, waiting: 0, active: 0, delayed: 0 })
      expect(listed.isPaused).toBe(false)

      // The failed tab shows ferroq's failures; one job's page shows its data.
      const failedTab = await boardQueue(`?activeQueue=${encodeURIComponent(name)}&status=failed&page=1&jobsPerPage=10`)
      expect(failedTab.jobs.map((j) => j.id).sort()).toEqual(failedIds)
      expect(failedTab.jobs.map((j) => j.failedReason).sort()).toEqual(['boom 4', 'boom 5'])
      const one = await api('GET', `/api/queues/${encodeURIComponent(name)}/${added[0].id}`)
      expect(one.status).toBe('completed')
      expect(one.job).toMatchObject({ id: added[0].id, name: 'ok', data: { n: 1 }, returnValue: { n: 1, ok: true } })

      // Retry one failed job from the board: ferroq's worker runs it again and it completes.
      // The retries finish well after the first batch (RETRY_GAP_MS), so the board's
      // clean below, which keeps jobs finished in its last 5 s, can tell them apart.
      await sleep(Math.max(0, completedAt + RETRY_GAP_MS - Date.now()))
      failing = false
      const [retryOne, retryAll] = failedIds
      const again = collect<[Job, unknown]>(worker, 'completed', 1)
      await api('PUT', `/api/queues/${encodeURIComponent(name)}/${retryOne}/retry`, 204)
      const [[job1, rv1]] = await again
      expect(job1.id).toBe(retryOne)
      expect(rv1).toEqual({ n: added.find((j) => j.id === retryOne)!.data.n, ok: true })
      expect(await queue.getJobState(retryOne)).toBe('completed')

      // Retry every failed job (the one left) with the retry-all route.
      const againAll = collect<[Job]>(worker, 'completed', 1)
      expect(await api('PUT', `/api/queues/${encodeURIComponent(name)}/retry/failed`)).toEqual({ retried: 1, skipped: 0 })
      expect((await againAll)[0][0].id).toBe(retryAll)
      expect(await queue.getJobCounts('completed', 'failed')).toEqual({ completed: 5, failed: 0 })

      // Clean one job: gone for ferroq.
      await api('PUT', `/api/queues/${encodeURIComponent(name)}/${completedIds[0]}/clean`, 204)
      expect(await queue.getJob(completedIds[0])).toBeUndefined()

      // Clean all completed: the board keeps jobs finished in the last 5 s, so
      // the first batch goes and the two just retried stay.
      await sleep(Math.max(0, completedAt + BOARD_CLEAN_GRACE_MS + RETRY_GAP_MS / 3 - Date.now()))
      await api('PUT', `/api/queues/${encodeURIComponent(name)}/clean/completed`)
      for (const id of completedIds) expect(await queue.getJob(id)).toBeUndefined()
      expect((await queue.getCompleted()).map((j) => j.id).sort()).toEqual(failedIds)
      expect((await boardQueue()).counts).toMatchObject({ completed: 2, failed: 0 })

      // A board-side pause is seen by ferroq too.
      await api('PUT', `/api/queues/${encodeURIComponent(name)}/pause`)
      await eventually(() => queue.isPaused())
    } finally {
      await new Promise((r) => server.close(r))
      await bullQueue.close()
      await worker.close()
      await queue.close()
    }
  }, 30000)
})
