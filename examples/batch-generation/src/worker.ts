// The generate-product-batch-items worker: generates a job's items chunk by
// chunk, writes each chunk, and reports progress after each one.
import { Worker, UnrecoverableError } from '../../shared/ferroq'
import type { ConnectionOptions, Job, RateLimiterOptions } from '../../shared/ferroq'
import { generateProductItems, ProductItemStore } from './items'
import type { ItemGenerator } from './items'
import { DEFAULT_CHUNK_SIZE, DEFAULT_CONCURRENCY, DEFAULT_LIMITER, KEEP_COMPLETED, KEEP_FAILED } from './jobs'
import type { GenerateItemsData, GenerateItemsResult } from './jobs'
import type { BatchLedger } from './ledger'

export interface BatchWorkerOptions {
  queueName: string
  connection?: ConnectionOptions
  prefix?: string
  /** Jobs at once (default 2). */
  concurrency?: number
  /** Jobs started per window across all workers (default 5 per 10 s). */
  limiter?: RateLimiterOptions
  /** Items per generate-and-insert round (default 50). */
  chunkSize?: number
  /** Where items go (the simulated database). */
  store: ProductItemStore
  /** How items are made (default: the simulated generator). */
  generateItems?: ItemGenerator
  /** Receives every job's outcome, for batch progress. */
  ledger?: BatchLedger
  /** Start at once (default true). */
  autorun?: boolean
  /** Progress and completion lines; default none. */
  log?: (line: string) => void
}

export type BatchWorker = Worker<GenerateItemsData, GenerateItemsResult>

/** The processor: one job = `count` items, written in chunks, progress in percent. */
function processGenerateItems(opts: BatchWorkerOptions) {
  const chunkSize = opts.chunkSize ?? DEFAULT_CHUNK_SIZE
  const generate = opts.generateItems ?? generateProductItems
  const log = opts.log ?? (() => {})
  return async (job: Job<GenerateItemsData, GenerateItemsResult>): Promise<GenerateItemsResult> => {
    const { batchId, startIndex, count, qrCodePrefix } = job.data
    log(`Starting batch generation for batch ${batchId}, items ${startIndex}-${startIndex + count - 1}`)
    let firstQrCode = ''
    let lastQrCode = ''
    for (let done = 0; done < count; ) {
      const n = Math.min(chunkSize, count - done)
      let items
      try {
        items = await generate({ batchId, from: startIndex + done, count: n, qrCodePrefix })
      } catch (err) {
        // Keep the context in failedReason: which batch, which items.
        const reason = err instanceof Error ? err.message : String(err)
        throw new Error(`batch ${batchId} items ${startIndex + done}-${startIndex + done + n - 1}: ${reason}`)
      }
      if (items.length !== n) throw new UnrecoverableError(`generator returned ${items.length} items, expected ${n}`)
      await opts.store.insertMany(items)
      if (done === 0) firstQrCode = items[0].qrCode
      lastQrCode = items[items.length - 1].qrCode
      done += n
      await job.updateProgress(Math.round((done / count) * 100))
      log(`Processed ${done}/${count} items for batch ${batchId}`)
    }
    log(`Successfully generated ${count} product items for batch ${batchId}`)
    return { batchId, generated: count, firstQrCode, lastQrCode }
  }
}

/** Whether this `failed` event is the job's last: no attempts left, or not retryable. */
function isFinalFailure(job: Job, err: Error): boolean {
  return err instanceof UnrecoverableError || job.attemptsMade >= (job.opts.attempts ?? 1)
}

/**
 * Starts the worker: concurrency 2, 5 jobs per 10 s, and keeps the last 10
 * completed and 5 failed jobs. Job outcomes go to `opts.ledger`.
 */
export function startBatchWorker(opts: BatchWorkerOptions): BatchWorker {
  const worker: BatchWorker = new Worker(opts.queueName, processGenerateItems(opts), {
    connection: opts.connection,
    prefix: opts.prefix,
    concurrency: opts.concurrency ?? DEFAULT_CONCURRENCY,
    limiter: opts.limiter ?? DEFAULT_LIMITER,
    removeOnComplete: KEEP_COMPLETED,
    removeOnFail: KEEP_FAILED,
    autorun: opts.autorun ?? true,
  })
  const { ledger } = opts
  const log = opts.log ?? (() => {})
  worker.on('completed', (job) => {
    ledger?.setOutcome(job.data.batchId, job.id!, 'completed')
    log(`Job ${job.id} completed successfully for batch ${job.data.batchId}`)
  })
  worker.on('failed', (job, err) => {
    if (!job) return
    const final = isFinalFailure(job, err)
    if (final) ledger?.setOutcome(job.data.batchId, job.id!, 'failed')
    log(`Job ${job.id} of batch ${job.data.batchId} failed (attempt ${job.attemptsMade}${final ? ', final' : ''}): ${err.message}`)
  })
  // A worker without an 'error' listener stays quiet; say what went wrong.
  worker.on('error', (err) => log(`worker error: ${err.message}`))
  return worker
}
