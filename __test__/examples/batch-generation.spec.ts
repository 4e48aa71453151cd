// examples/batch-generation (seed 003): a 5,000-item batch split into prioritized
// jobs, rate limited, with exact per-batch progress although the queue keeps only
// 10 completed jobs; failed jobs end failed and come back with fresh attempts.
import type { Job } from '../..'
import { createBatchGeneration, generateProductItems } from '../../examples/batch-generation/src'
import type { BatchGeneration, GenerateItemsData, ItemGenerator } from '../../examples/batch-generation/src'
import { connection, queueName, eventually } from '../helpers'

// 5 jobs per 500 ms instead of per 10 s: same limiter, a 20th of the wait.
const FAST_LIMITER = { max: 5, duration: 500 }

describe('examples/batch-generation', () => {
  let app: BatchGeneration | undefined

  afterEach(async () => {
    await app?.close()
    app = undefined
  })

  test('5,000 items become 50 jobs of 100 that run in priority order, and progress stays exact', async () => {
    app = createBatchGeneration({
      queueName: queueName('batch'),
      connection: connection(),
      limiter: FAST_LIMITER,
      autorun: false,
    })
    const created = await app.service.createProductItemsAsync(123, 5000, { batchSize: 100 })
    expect(created).toMatchObject({ success: true, batchId: 123, totalQuantity: 5000, jobsCreated: 50 })
    expect(new Set(created.jobIds).size).toBe(50)
    // 50 jobs at 5 per 500 ms.
    expect(created.estimatedDuration).toBe('5 seconds')

    // Earlier jobs get lower priority numbers (run sooner): 1, 2, ..., 50.
    const jobs = await Promise.all(created.jobIds.map((id) => app!.queue.getJob(id)))
    expect(jobs.map((j) => j!.priority)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1))
    expect(jobs.map((j) => j!.data.startIndex)).toEqual(Array.from({ length: 50 }, (_, i) => i * 100))
    expect(jobs[0]!.opts).toMatchObject({ attempts: 3, backoff: { type: 'exponential' } })
    expect(await app.service.getBatchJobProgress(123)).toEqual({ total: 50, waiting: 50, active: 0, completed: 0, failed: 0 })

    const started: number[] = []
    const progress = new Map<string, unknown[]>()
    app.worker.on('active', (job) => started.push(job.priority))
    app.worker.on('progress', (job, p) => progress.set(job.id!, [...(progress.get(job.id!) ?? []), p]))
    void app.worker.run()

    await eventually(async () => (await app!.service.getBatchJobProgress(123)).completed === 50, 15000)
    expect(await app.service.getBatchJobProgress(123)).toEqual({ total: 50, waiting: 0, active: 0, completed: 50, failed: 0 })
    // The queue itself keeps only the last 10: the other 40 are counted from the ledger.
    expect(await app.queue.getCompletedCount()).toBe(10)

    expect(started).toEqual([...started].sort((a, b) => a - b))
    expect(started).toHaveLength(50)
    // Two chunks of 50 per job: progress 50 then 100.
    expect(progress.size).toBe(50)
    for (const values of progress.values()) expect(values).toEqual([50, 100])

    const items = app.store.itemsOf(123)
    expect(items).toHaveLength(5000)
    expect(items[0].qrCode).toBe('QR-123-000001')
    expect(items[4999].qrCode).toBe('QR-123-005000')
    const last = (await app.queue.getJob(created.jobIds[49]))!
    expect(last.returnvalue).toEqual({ batchId: 123, generated: 100, firstQrCode: 'QR-123-004901', lastQrCode: 'QR-123-005000' })
    expect(last.progress).toBe(100)
  })

  test('failing jobs end failed after 3 attempts; retryFailedBatchJobs completes them with fresh attempts', async () => {
    // Six jobs of ten fail while the "database" is down: one more than the 5
    // failed jobs the queue keeps, so one of them is re-created, not retried.
    const broken = new Set([100, 300, 400, 600, 700, 900])
    let databaseDown = true
    const generateItems: ItemGenerator = async (range) => {
      if (databaseDown && broken.has(range.from)) throw new Error('database unavailable')
      return generateProductItems(range)
    }
    app = createBatchGeneration({
      queueName: queueName('batch-retry'),
      connection: connection(),
      limiter: FAST_LIMITER,
      backoffDelayMs: 10,
      generateItems,
    })
    const { jobIds } = await app.service.createProductItemsAsync(7, 1000, { batchSize: 100, qrCodePrefix: 'LOT' })
    expect(jobIds).toHaveLength(10)
    const failedIds = jobIds.filter((_, i) => broken.has(i * 100))

    await eventually(async () => {
      const p = await app!.service.getBatchJobProgress(7)
      return p.completed + p.failed === 10
    }, 15000)
    expect(await app.service.getBatchJobProgress(7)).toEqual({ total: 10, waiting: 0, active: 0, completed: 4, failed: 6 })
    expect(await app.queue.getFailedCount()).toBe(5)
    for (const job of await app.queue.getFailed()) {
      expect(job.attemptsMade).toBe(3)
      expect(job.failedReason).toMatch(/^batch 7 items \d+-\d+: database unavailable$/)
    }

    databaseDown = false
    const report = await app.service.retryFailedBatchJobs(7)
    expect(report.retried).toBe(6)
    expect([...report.jobIds].sort()).toEqual([...failedIds].sort())

    await eventually(async () => (await app!.service.getBatchJobProgress(7)).completed === 10, 15000)
    expect(await app.service.getBatchJobProgress(7)).toEqual({ total: 10, waiting: 0, active: 0, completed: 10, failed: 0 })
    // Fresh attempts: one successful run each, not 3 + 1.
    const retried = await Promise.all(failedIds.map((id) => app!.queue.getJob(id)))
    expect(retried.map((j) => (j as Job<GenerateItemsData>).attemptsMade)).toEqual([1, 1, 1, 1, 1, 1])
    expect(retried.map((j) => j!.finishedOn !== undefined && j!.failedReason === undefined)).toEqual(Array(6).fill(true))
    expect(app.store.itemsOf(7).map((i) => i.qrCode)).toEqual(
      Array.from({ length: 1000 }, (_, i) => `LOT-7-${String(i + 1).padStart(6, '0')}`),
    )
  })
})
