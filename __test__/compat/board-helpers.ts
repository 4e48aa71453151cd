// What both bull-board specs share: a queue with a finished first batch (3
// completed, 2 failed) processed by ferroq, the real board served over HTTP on
// a loopback port, and the waits that keep the board's clean grace period from
// racing the machine's speed.
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createBullBoard } from '@bull-board/api'
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter'
import { ExpressAdapter } from '@bull-board/express'
import { Queue, Worker, Job } from '../..'
import { connection, collect } from '../helpers'
import { sleep } from './compat-helpers'

// express ships no types of its own and @types/express is not a dependency:
// type the two calls these tests make.
type App = { use(path: string, handler: unknown): void; listen(port: number, host: string, cb: () => void): Server }
// eslint-disable-next-line @typescript-eslint/no-require-imports
const express = require('express') as () => App

/** bull-board's clean-all route removes only jobs finished more than this long ago (cleanAll.js). */
const BOARD_CLEAN_GRACE_MS = 5000
/** How long after the first batch the retried jobs are run. */
const RETRY_GAP_MS = 3000

export interface BoardQueue {
  name: string
  counts: Record<string, number>
  isPaused: boolean
  jobs: Array<{ id: string; name: string; data: unknown; failedReason?: string; returnValue?: unknown }>
}

/**
 * A ferroq queue and worker on `name`, with a first batch finished: jobs n=1..3
 * completed, n=4..5 failed (`boom <n>`). They fail until `letFailuresPass()`.
 */
export async function firstBatch(name: string) {
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
  return {
    queue,
    worker,
    added,
    completedIds: completed.map(([j]) => j.id!).sort(),
    failedIds: failed.map(([j]) => j.id!).sort(),
    letFailuresPass: () => {
      failing = false
    },
    /**
     * Waits until retries run now finish RETRY_GAP_MS after the first batch, so
     * the board's clean can tell the two batches apart however fast or slow the
     * machine is.
     */
    untilRetryGap: () => sleep(Math.max(0, completedAt + RETRY_GAP_MS - Date.now())),
    /** Waits until the first batch is past the board's clean grace period and the retried jobs are not. */
    untilFirstBatchCleanable: () => sleep(Math.max(0, completedAt + BOARD_CLEAN_GRACE_MS + RETRY_GAP_MS / 3 - Date.now())),
  }
}

/** The real board over `adapted` (a Queue the BullMQAdapter takes), served at /ui on a loopback port. */
export async function serveBoard(adapted: unknown, name: string) {
  const serverAdapter = new ExpressAdapter()
  serverAdapter.setBasePath('/ui')
  createBullBoard({ queues: [new BullMQAdapter(adapted as never)], serverAdapter })
  const app = express()
  app.use('/ui', serverAdapter.getRouter())
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s))
  })
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ui`
  /** One API call; fails with the board's answer unless it has `status`. */
  const api = async (method: string, path: string, status = 200) => {
    const res = await fetch(`${base}${path}`, { method })
    const text = await res.text()
    expect({ path, status: res.status, text: res.status === status ? '' : text }).toEqual({ path, status, text: '' })
    return text ? JSON.parse(text) : undefined
  }
  /** The board's view of this queue (with `query`, e.g. a status tab). */
  const boardQueue = async (query = ''): Promise<BoardQueue> => {
    const body = await api('GET', `/api/queues${query}`)
    const q = body.queues.find((x: BoardQueue) => x.name === name)
    expect(q).toBeDefined()
    return q
  }
  const close = () => new Promise((r) => server.close(r))
  return { api, boardQueue, close }
}
