// The flow variant of seed 003: a batch is one parent job on the seed's
// `update-batch-status` queue whose children are the batch's
// generate-product-batch-items jobs. The parent waits until every chunk is
// done, then its worker writes the batch row; a chunk that fails for good
// fails the batch (failParentOnFailure). Batch status and progress are read
// from the flow itself, so they stay exact however few finished chunk jobs
// Redis keeps, and in any process.
import { FlowProducer, Queue, Worker } from '../../shared/ferroq'
import type { ConnectionOptions, Job } from '../../shared/ferroq'
import type { BatchId } from './items'
import {
  DEFAULT_BACKOFF_DELAY_MS,
  DEFAULT_BATCH_SIZE,
  DEFAULT_QR_CODE_PREFIX,
  GENERATE_ITEMS_JOB,
  generateItemsJobOptions,
} from './jobs'
import type { GenerateItemsData, GenerateItemsResult } from './jobs'

/** The seed's second queue: the batch row is written here once the batch ends. */
export const UPDATE_BATCH_STATUS_QUEUE = 'update-batch-status'
export const UPDATE_BATCH_STATUS_JOB = 'update-batch-status'
/** Seed: update-batch-status runs 5 at once, 3 attempts, keeps 5 completed / 3 failed. */
export const STATUS_CONCURRENCY = 5
export const STATUS_KEEP_COMPLETED = 5
export const STATUS_KEEP_FAILED = 3

/** The parent job's id: one per batch, so a batch is created once. */
export function batchJobId(batchId: BatchId): string {
  return `batch-${batchId}`
}

export interface BatchParentData {
  batchId: BatchId
  totalQuantity: number
  jobs: number
}

/** The batch row the status worker writes (the seed's `batches` table, simulated). */
export interface BatchRow {
  batchId: BatchId
  status: 'completed' | 'failed'
  itemsGenerated: number
  failedReason?: string
}

/** What `getBatchStatus` answers, read from the flow. */
export interface BatchStatus {
  batchId: BatchId
  /** generating: chunks pending; finishing: all chunks done, the row being written. */
  status: 'generating' | 'finishing' | 'completed' | 'failed' | 'unknown'
  chunks: { total: number; done: number; pending: number; failed: number }
  itemsGenerated: number
  /** Done chunks over all chunks, 0..100. */
  percent: number
  failedReason?: string
}

export interface FlowBatchOptions {
  /** Queue of the chunk jobs (default `generate-product-batch-items`). */
  itemsQueue: string
  /** Queue of the batch jobs (default `update-batch-status`). */
  statusQueue?: string
  connection?: ConnectionOptions
  prefix?: string
  backoffDelayMs?: number
}

const STATE_TO_STATUS: Record<string, BatchStatus['status']> = {
  'waiting-children': 'generating',
  waiting: 'finishing',
  prioritized: 'finishing',
  delayed: 'finishing',
  active: 'finishing',
  completed: 'completed',
  failed: 'failed',
}

/** Creates batches as flows and reads their status back from them. */
export class FlowBatchService {
  readonly statusQueueName: string
  private readonly flows: FlowProducer
  private readonly statusQueue: Queue<BatchParentData, BatchRow>
  private readonly opts: FlowBatchOptions

  constructor(opts: FlowBatchOptions) {
    this.opts = opts
    this.statusQueueName = opts.statusQueue ?? UPDATE_BATCH_STATUS_QUEUE
    this.flows = new FlowProducer({ connection: opts.connection, prefix: opts.prefix })
    this.statusQueue = new Queue(this.statusQueueName, { connection: opts.connection, prefix: opts.prefix })
  }

  /** Adds the batch as one flow, atomically: its parent and one child per `batchSize` items. */
  async createProductItemsFlow(batchId: BatchId, quantity: number, batchSize = DEFAULT_BATCH_SIZE): Promise<{ batchJobId: string; chunkJobIds: string[] }> {
    if (!Number.isInteger(quantity) || quantity < 1) throw new RangeError(`quantity must be a positive integer, got ${quantity}`)
    const backoff = this.opts.backoffDelayMs ?? DEFAULT_BACKOFF_DELAY_MS
    const children = Array.from({ length: Math.ceil(quantity / batchSize) }, (_, jobIndex) => {
      const startIndex = jobIndex * batchSize
      const data: GenerateItemsData = { batchId, jobIndex, startIndex, count: Math.min(batchSize, quantity - startIndex), qrCodePrefix: DEFAULT_QR_CODE_PREFIX }
      return { name: GENERATE_ITEMS_JOB, queueName: this.opts.itemsQueue, data, opts: { ...generateItemsJobOptions(batchId, jobIndex, backoff), failParentOnFailure: true } }
    })
    const parent: BatchParentData = { batchId, totalQuantity: quantity, jobs: children.length }
    const tree = await this.flows.add({
      name: UPDATE_BATCH_STATUS_JOB,
      queueName: this.statusQueueName,
      data: parent,
      opts: { jobId: batchJobId(batchId), attempts: 3, backoff: { type: 'exponential', delay: backoff } },
      children,
    })
    return { batchJobId: tree.job.id!, chunkJobIds: (tree.children ?? []).map((c) => c.job.id!) }
  }

  /** The batch's status and progress, from its parent job and the parent's children lists. */
  async getBatchStatus(batchId: BatchId): Promise<BatchStatus> {
    const job = await this.statusQueue.getJob(batchJobId(batchId))
    const chunks = { total: 0, done: 0, pending: 0, failed: 0 }
    if (!job) return { batchId, status: 'unknown', chunks, itemsGenerated: 0, percent: 0 }
    const [state, counts, values] = await Promise.all([job.getState(), job.getDependenciesCount(), job.getChildrenValues<GenerateItemsResult>()])
    chunks.done = counts.processed ?? 0
    chunks.pending = counts.unprocessed ?? 0
    chunks.failed = (counts.failed ?? 0) + (counts.ignored ?? 0)
    chunks.total = job.data.jobs
    const itemsGenerated = Object.values(values).reduce((n, r) => n + r.generated, 0)
    return {
      batchId,
      status: STATE_TO_STATUS[state] ?? 'unknown',
      chunks,
      itemsGenerated,
      percent: chunks.total ? Math.round((chunks.done / chunks.total) * 100) : 0,
      failedReason: job.failedReason || undefined,
    }
  }

  async close(): Promise<void> {
    await this.flows.close()
    await this.statusQueue.close()
  }
}

/**
 * The update-batch-status worker: runs a batch's parent once its chunks are
 * done and writes the row (`rows`); a batch failed by a chunk gets a failed row.
 */
export function startBatchStatusWorker(opts: { queueName?: string; connection?: ConnectionOptions; prefix?: string; rows: Map<BatchId, BatchRow> }): Worker<BatchParentData, BatchRow> {
  const worker = new Worker<BatchParentData, BatchRow>(
    opts.queueName ?? UPDATE_BATCH_STATUS_QUEUE,
    async (job: Job<BatchParentData, BatchRow>) => {
      const results = Object.values(await job.getChildrenValues<GenerateItemsResult>())
      const row: BatchRow = { batchId: job.data.batchId, status: 'completed', itemsGenerated: results.reduce((n, r) => n + r.generated, 0) }
      opts.rows.set(job.data.batchId, row)
      return row
    },
    {
      connection: opts.connection,
      prefix: opts.prefix,
      concurrency: STATUS_CONCURRENCY,
      removeOnComplete: { count: STATUS_KEEP_COMPLETED },
      removeOnFail: { count: STATUS_KEEP_FAILED },
    },
  )
  worker.on('failed', (job, err) => {
    if (job) opts.rows.set(job.data.batchId, { batchId: job.data.batchId, status: 'failed', itemsGenerated: 0, failedReason: err.message })
  })
  return worker
}
