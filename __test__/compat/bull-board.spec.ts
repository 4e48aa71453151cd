// bull-board (the real @bull-board/api + @bull-board/express app, reading
// through bullmq's own Queue) over a queue that ferroq writes and works: its
// JSON API sees ferroq's jobs, and its retry and clean actions take effect on
// ferroq's side. Routes are those of @bull-board/api 9.10.1 (dist/routes.js).
import * as bullmq from 'bullmq'
import { Job } from '../..'
import { queueName, collect, eventually } from '../helpers'
import { bullConnection } from './compat-helpers'
import { firstBatch, serveBoard } from './board-helpers'

describe('bull-board over a ferroq queue', () => {
  test('lists, shows, retries and cleans the jobs ferroq wrote', async () => {
    const name = queueName('board')
    // Jobs with `fail` fail until the test lets them pass: the retried ones then complete.
    const { queue, worker, added, completedIds, failedIds, letFailuresPass, untilRetryGap, untilFirstBatchCleanable } =
      await firstBatch(name)

    // The board, reading through bullmq's classes, on a random loopback port.
    const bullQueue = new bullmq.Queue(name, { connection: bullConnection() })
    const board = await serveBoard(bullQueue, name)
    const { api, boardQueue } = board

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

      // Retry one failed job from the board: ferroq's worker runs it again and it completes
      // (well after the first batch, so the board's clean below can tell the two apart).
      await untilRetryGap()
      letFailuresPass()
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
      await untilFirstBatchCleanable()
      await api('PUT', `/api/queues/${encodeURIComponent(name)}/clean/completed`)
      for (const id of completedIds) expect(await queue.getJob(id)).toBeUndefined()
      expect((await queue.getCompleted()).map((j) => j.id).sort()).toEqual(failedIds)
      expect((await boardQueue()).counts).toMatchObject({ completed: 2, failed: 0 })

      // A board-side pause is seen by ferroq too.
      await api('PUT', `/api/queues/${encodeURIComponent(name)}/pause`)
      await eventually(() => queue.isPaused())
    } finally {
      await board.close()
      await bullQueue.close()
      await worker.close()
      await queue.close()
    }
  }, 30000)
})
