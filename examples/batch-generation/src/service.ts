// The seed's BatchService: split a batch into jobs, report its progress, retry
// its failed jobs.
import type { Job, JobType, Queue, RateLimiterOptions } from '../../shared/ferroq'
import type { BatchId } from './items'
import {
  DEFAULT_BACKOFF_DELAY_MS,
  DEFAULT_BATCH_SIZE,
  DEFAULT_LIMITER,
  DEFAULT_MAX_ITEMS_PER_JOB,
  DEFAULT_QR_CODE_PREFIX,
  GENERATE_ITEMS_JOB,
  generateItemsJobId,
  generateItemsJobOptions,
} from './jobs'
import type { GenerateItemsData, GenerateItemsResult } from './jobs'
import type { BatchLedger, JobOutcome } from './ledger'

export interface CreateItemsOptions {
  /** Items per job (default 100). */
  batchSize?: number
  /** QR code prefix (default `QR`). */
  qrCodePrefix?: string
  /** Cap on items per job, whatever batchSize says (default 1000). */
  maxJobsPerBatch?: number
}

export interface CreateItemsResult {
  success: true
  batchId: BatchId
  totalQuantity: number
  jobsCreated: number
  jobIds: string[]
  /** How long the rate limit alone needs for these jobs, e.g. `'2 minutes'`. */
  estimatedDuration: string
}

/** Jobs of one batch per state. `waiting` covers waiting, prioritized and delayed (backing off). */
export interface BatchProgress {
  total: number
  waiting: number
  active: number
  completed: number
  failed: number
}

export interface RetryReport {
  retried: number
  jobIds: string[]
}

type GenerateItemsQueue = Queue<GenerateItemsData, GenerateItemsResult>
type Bucket = Exclude<keyof BatchProgress, 'total'>

// Read in lifecycle order: a job that moves on between two reads is seen
// again in its later state, and the later sighting wins.
const STATE_BUCKETS: [JobType, Bucket][] = [
  ['waiting', 'waiting'],
  ['paused', 'waiting'],
  ['prioritized', 'waiting'],
  ['delayed', 'waiting'],
  ['active', 'active'],
  ['completed', 'completed'],
  ['failed', 'failed'],
]

/** `ms` as the seed shows it: `'40 seconds'`, `'100 minutes'`. */
function formatDuration(ms: number): string {
  const seconds = Math.ceil(ms / 1000)
  if (seconds < 120) return `${seconds} seconds`
  return `${Math.ceil(seconds / 60)} minutes`
}

export interface BatchServiceOptions {
  queue: GenerateItemsQueue
  ledger: BatchLedger
  /** The workers' limiter, for estimatedDuration (default 5 per 10 s). */
  limiter?: RateLimiterOptions
  /** First retry delay of exponential backoff (default 2000 ms). */
  backoffDelayMs?: number
}

export class BatchService {
  private readonly queue: GenerateItemsQueue
  private readonly ledger: BatchLedger
  private readonly limiter: RateLimiterOptions
  private readonly backoffDelayMs: number

  constructor(opts: BatchServiceOptions) {
    this.queue = opts.queue
    this.ledger = opts.ledger
    this.limiter = opts.limiter ?? DEFAULT_LIMITER
    this.backoffDelayMs = opts.backoffDelayMs ?? DEFAULT_BACKOFF_DELAY_MS
  }

  /**
   * Splits `quantity` items into jobs of `batchSize` and adds them in one
   * round trip (addBulk). Job k gets priority k, so a batch runs in order.
   */
  async createProductItemsAsync(batchId: BatchId, quantity: number, opts: CreateItemsOptions = {}): Promise<CreateItemsResult> {
    if (!Number.isInteger(quantity) || quantity < 1) throw new RangeError(`quantity must be a positive integer, got ${quantity}`)
    const {
      batchSize = DEFAULT_BATCH_SIZE,
      qrCodePrefix = DEFAULT_QR_CODE_PREFIX,
      maxJobsPerBatch = DEFAULT_MAX_ITEMS_PER_JOB,
    } = opts
    const perJob = Math.min(batchSize, maxJobsPerBatch)
    if (!Number.isInteger(perJob) || perJob < 1) throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`)
    const specs = Array.from({ length: Math.ceil(quantity / perJob) }, (_, jobIndex) => {
      const startIndex = jobIndex * perJob
      const data: GenerateItemsData = { batchId, jobIndex, startIndex, count: Math.min(perJob, quantity - startIndex), qrCodePrefix }
      return { name: GENERATE_ITEMS_JOB, data, opts: generateItemsJobOptions(batchId, jobIndex, this.backoffDelayMs) }
    })
    // Register before adding: a fast worker may finish a job before addBulk returns.
    this.ledger.addJobs(batchId, specs.map((s) => ({ id: generateItemsJobId(batchId, s.data.jobIndex), data: s.data })))
    const jobs = await this.queue.addBulk(specs)
    const windows = Math.ceil(jobs.length / this.limiter.max)
    return {
      success: true,
      batchId,
      totalQuantity: quantity,
      jobsCreated: jobs.length,
      jobIds: jobs.map((j) => j.id!),
      estimatedDuration: formatDuration(windows * this.limiter.duration),
    }
  }

  /** The batch's jobs still in Redis, found by `data.batchId`, by id with their bucket. */
  private async liveJobs(batchId: BatchId): Promise<Map<string, { bucket: Bucket; job: Job<GenerateItemsData, GenerateItemsResult> }>> {
    const seen = new Map<string, { bucket: Bucket; job: Job<GenerateItemsData, GenerateItemsResult> }>()
    for (const [state, bucket] of STATE_BUCKETS) {
      for (const job of await this.queue.getJobs(state)) {
        if (job.data.batchId === batchId) seen.set(job.id!, { bucket, job })
      }
    }
    return seen
  }

  /**
   * `{ total, waiting, active, completed, failed }` for one batch.
   *
   * Jobs still in Redis count in their current state. Jobs that Redis has
   * removed (beyond the 10 completed / 5 failed it keeps) count as the ledger
   * saw them end. A job in neither place is between the engine finishing it
   * and this process hearing so, and counts as active. When the worker runs
   * here and nothing is in flight, the numbers are exact.
   */
  async getBatchJobProgress(batchId: BatchId): Promise<BatchProgress> {
    const live = await this.liveJobs(batchId)
    const progress: BatchProgress = { total: 0, waiting: 0, active: 0, completed: 0, failed: 0 }
    for (const { bucket } of live.values()) progress[bucket] += 1
    const known = this.ledger.jobsOf(batchId)
    for (const id of known?.keys() ?? []) {
      if (live.has(id)) continue
      const outcome: JobOutcome | undefined = this.ledger.outcomeOf(batchId, id)
      progress[outcome ?? 'active'] += 1
    }
    progress.total = progress.waiting + progress.active + progress.completed + progress.failed
    return progress
  }

  /**
   * Gives the batch's failed jobs fresh attempts: failed jobs still in Redis are
   * retried with attemptsMade reset; failed jobs Redis already removed are added
   * again under their old id, with the payload they were created with.
   */
  async retryFailedBatchJobs(batchId: BatchId): Promise<RetryReport> {
    const live = await this.liveJobs(batchId)
    const jobIds: string[] = []
    for (const [id, { bucket, job }] of live) {
      if (bucket !== 'failed') continue
      await job.retry('failed', { resetAttemptsMade: true })
      jobIds.push(id)
    }
    const gone = [...(this.ledger.jobsOf(batchId) ?? [])].filter(
      ([id]) => !live.has(id) && this.ledger.outcomeOf(batchId, id) === 'failed',
    )
    if (gone.length > 0) {
      await this.queue.addBulk(
        gone.map(([, data]) => ({ name: GENERATE_ITEMS_JOB, data, opts: generateItemsJobOptions(batchId, data.jobIndex, this.backoffDelayMs) })),
      )
      jobIds.push(...gone.map(([id]) => id))
    }
    return { retried: jobIds.length, jobIds }
  }
}
