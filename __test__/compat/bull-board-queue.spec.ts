// bull-board (the real @bull-board/api + @bull-board/express 9.10.1) given a
// ferroq Queue directly: `new BullMQAdapter(queue)` accepts it (its check reads
// `queue.metaValues.version`, which starts with `bullmq` as BullMQ's does), and
// the board's JSON API, over real HTTP, lists ferroq's jobs and its retry,
// clean, pause and resume act on them. Routes are those of @bull-board/api
// 9.10.1 (dist/routes.js).
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter'
import IORedis from 'ioredis'
import { Queue, Job } from '../..'
import { connection, queueName, collect, eventually } from '../helpers'
import { bullConnection } from './compat-helpers'
import { firstBatch, serveBoard } from './board-helpers'

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
    const { queue, worker, added, completedIds, failedIds, letFailuresPass, untilRetryGap, untilFirstBatchCleanable } =
      await firstBatch(name)
    const board = await serveBoard(queue, name)
    const { api, boardQueue } = board
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

      // Retry one failed job, then the rest with retry-all: ferroq's worker completes them
      // (well after the first batch, so the board's clean below can tell the two apart).
      await untilRetryGap()
      letFailuresPass()
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
      await untilFirstBatchCleanable()
      await api('PUT', `/api/queues/${q}/clean/completed`)
      for (const id of completedIds) expect(await queue.getJob(id)).toBeUndefined()
      expect((await queue.getCompleted()).map((j) => j.id).sort()).toEqual(failedIds)

      // The Redis panel: the server's INFO, read through the queue's client (queue.getBackend().client).
      expect(await api('GET', '/api/redis/stats')).toMatchObject({ backend: 'redis', mode: 'standalone', port: bullConnection().port })

      // Pause and resume from the board: the queue's own flag follows.
      await api('PUT', `/api/queues/${q}/pause`)
      await eventually(() => queue.isPaused())
      expect((await boardQueue()).isPaused).toBe(true)
      await api('PUT', `/api/queues/${q}/resume`)
      await eventually(async () => !(await queue.isPaused()))
    } finally {
      await board.close()
      await worker.close()
      await queue.close()
    }
  }, 30000)
})
