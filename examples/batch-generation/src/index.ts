// Bulk product-item generation (seed 003): one call splits thousands of items
// into prioritized jobs; a rate-limited worker generates them chunk by chunk.
import { Queue } from '../../shared/ferroq'
import type { ConnectionOptions, RateLimiterOptions } from '../../shared/ferroq'
import { redisConnection } from '../../shared/connection'
import { ProductItemStore } from './items'
import type { ItemGenerator } from './items'
import { DEFAULT_BACKOFF_DELAY_MS, DEFAULT_LIMITER, GENERATE_ITEMS_QUEUE } from './jobs'
import type { GenerateItemsData, GenerateItemsResult } from './jobs'
import { BatchLedger } from './ledger'
import { BatchService } from './service'
import { startBatchWorker } from './worker'
import type { BatchWorker } from './worker'

export * from './items'
export * from './jobs'
export * from './ledger'
export * from './service'
export * from './worker'

export interface BatchGenerationOptions {
  /** Default `generate-product-batch-items`; tests pass a unique name. */
  queueName?: string
  prefix?: string
  /** Default: REDIS_URL (see shared/connection.ts). */
  connection?: ConnectionOptions
  /** Worker concurrency (default 2). */
  concurrency?: number
  /** Default 5 jobs per 10 s; tests shorten the window. */
  limiter?: RateLimiterOptions
  /** First retry delay, doubled per retry (default 2000 ms). */
  backoffDelayMs?: number
  /** Items per generate-and-insert round (default 50). */
  chunkSize?: number
  generateItems?: ItemGenerator
  /** Start the worker at once (default true); `false` to add jobs first, then `worker.run()`. */
  autorun?: boolean
  log?: (line: string) => void
}

/** The service, its worker and its (simulated) item table, sharing one ledger. */
export interface BatchGeneration {
  service: BatchService
  worker: BatchWorker
  queue: Queue<GenerateItemsData, GenerateItemsResult>
  store: ProductItemStore
  /** Closes the worker (waiting for jobs in hand), then the queue. */
  close(): Promise<void>
}

/** Starts the queue and worker in this process, as the seed's startAllWorkers() does. */
export function createBatchGeneration(opts: BatchGenerationOptions = {}): BatchGeneration {
  const queueName = opts.queueName ?? GENERATE_ITEMS_QUEUE
  const connection = opts.connection ?? redisConnection()
  const limiter = opts.limiter ?? DEFAULT_LIMITER
  const backoffDelayMs = opts.backoffDelayMs ?? DEFAULT_BACKOFF_DELAY_MS
  const queue = new Queue<GenerateItemsData, GenerateItemsResult>(queueName, { connection, prefix: opts.prefix })
  const ledger = new BatchLedger()
  const store = new ProductItemStore()
  const worker = startBatchWorker({
    queueName,
    connection,
    prefix: opts.prefix,
    concurrency: opts.concurrency,
    limiter,
    chunkSize: opts.chunkSize,
    store,
    generateItems: opts.generateItems,
    ledger,
    autorun: opts.autorun,
    log: opts.log,
  })
  const service = new BatchService({ queue, ledger, limiter, backoffDelayMs })
  return {
    service,
    worker,
    queue,
    store,
    async close() {
      await worker.close()
      await queue.close()
    },
  }
}
export * from './flow'
