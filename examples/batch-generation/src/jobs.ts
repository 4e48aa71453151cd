// The generate-product-batch-items job: its name, payload, options and id.
import type { JobsOptions, RateLimiterOptions } from '../../shared/ferroq'
import type { BatchId } from './items'

/** Queue name from the seed doc. Tests pass their own. */
export const GENERATE_ITEMS_QUEUE = 'generate-product-batch-items'
export const GENERATE_ITEMS_JOB = 'generate-product-batch-items'

/** Items per job (seed: `batchSize: 100`). */
export const DEFAULT_BATCH_SIZE = 100
/** Upper bound on items per job (seed: `maxJobsPerBatch: 1000`, "max items per individual job"). */
export const DEFAULT_MAX_ITEMS_PER_JOB = 1000
/** Items generated and inserted per round inside a job (seed: "50 items per chunk"). */
export const DEFAULT_CHUNK_SIZE = 50
export const DEFAULT_QR_CODE_PREFIX = 'QR'
/** Seed: "max 2 jobs concurrent". */
export const DEFAULT_CONCURRENCY = 2
/** Seed: "max 5 jobs per 10 seconds". */
export const DEFAULT_LIMITER: RateLimiterOptions = { max: 5, duration: 10_000 }
/** Seed: "3 attempts with exponential backoff". */
export const ATTEMPTS = 3
/** First retry delay; the next ones double (exponential). */
export const DEFAULT_BACKOFF_DELAY_MS = 2000
/** Seed: "keep 10 completed, 5 failed jobs". */
export const KEEP_COMPLETED = 10
export const KEEP_FAILED = 5
/** BullMQ's largest priority (2^21); later jobs of very large batches share it. */
export const MAX_PRIORITY = 2_097_152

/** One job's share of a batch: items `startIndex + 1 ..= startIndex + count`. */
export interface GenerateItemsData {
  batchId: BatchId
  /** 0-based index of this job within its batch. */
  jobIndex: number
  startIndex: number
  count: number
  qrCodePrefix: string
}

/** What a finished job returns (stored as its `returnvalue`). */
export interface GenerateItemsResult {
  batchId: BatchId
  generated: number
  firstQrCode: string
  lastQrCode: string
}

/**
 * Job ids are derived from the batch, so creating the same batch twice adds
 * nothing new (ferroq, like BullMQ, keeps the existing job for a known id).
 */
export function generateItemsJobId(batchId: BatchId, jobIndex: number): string {
  return `batch-${batchId}-${jobIndex + 1}`
}

/**
 * Options of job `jobIndex` of a batch. Earlier jobs run first: priority 1 for the
 * first job, 2 for the next, and so on (lower number = sooner), capped at BullMQ's maximum.
 */
export function generateItemsJobOptions(batchId: BatchId, jobIndex: number, backoffDelayMs: number): JobsOptions {
  return {
    jobId: generateItemsJobId(batchId, jobIndex),
    priority: Math.min(jobIndex + 1, MAX_PRIORITY),
    attempts: ATTEMPTS,
    backoff: { type: 'exponential', delay: backoffDelayMs },
  }
}
