// The lesson-generation queue and the app-facing helpers of seed 004:
// enqueue (idempotent), status, metrics, cleanup.
import { Queue } from '../../shared/ferroq'
import type { ConnectionOptions, JobsOptions } from '../../shared/ferroq'
import { LESSON_ATTEMPTS } from './backoff'
import type { LessonGenerationJobData, LessonGenerationResult, LessonJobStatus, LessonProgress, LessonQueueMetrics } from './types'

export const LESSON_QUEUE_NAME = 'lesson-generation'
export const LESSON_JOB_NAME = 'generate-lesson'
/** Seed: keep completed jobs 24 hours, at most 1000 of them. */
export const KEEP_COMPLETED = { age: 24 * 3600, count: 1000 }
/** Failed jobs stay a week for inspection. */
export const KEEP_FAILED = { age: 7 * 24 * 3600 }

/** Every lesson job: 3 attempts timed by the worker's custom backoff, bounded retention. */
export const LESSON_JOB_OPTIONS: JobsOptions = {
  attempts: LESSON_ATTEMPTS,
  backoff: { type: 'custom' },
  removeOnComplete: KEEP_COMPLETED,
  removeOnFail: KEEP_FAILED,
}

/** `"JavaScript Closures!"` → `javascript-closures`. */
export function slug(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
}

/**
 * The job id of a request (seed: "always use job IDs for idempotency"): one
 * lesson per user and topic, so a double click or a retried HTTP request
 * finds the job already there instead of generating the lesson twice.
 */
export function lessonJobId(data: Pick<LessonGenerationJobData, 'userId' | 'topic'>): string {
  return `lesson-${data.userId}-${slug(data.topic)}`
}

export interface LessonQueueOptions {
  /** Default `lesson-generation`; tests pass a unique name. */
  queueName?: string
  prefix?: string
  connection?: ConnectionOptions
}

/** The producer's side of lesson generation. */
export class LessonQueue {
  readonly queue: Queue<LessonGenerationJobData, LessonGenerationResult>

  constructor(opts: LessonQueueOptions = {}) {
    this.queue = new Queue(opts.queueName ?? LESSON_QUEUE_NAME, {
      connection: opts.connection,
      prefix: opts.prefix,
      defaultJobOptions: LESSON_JOB_OPTIONS,
    })
  }

  /**
   * Adds a lesson job and resolves its id. The id is derived from user and
   * topic: enqueueing the same request again resolves the existing job's id.
   * (A failed job keeps its id until removed; retry it rather than re-enqueue.)
   */
  async enqueueLessonGeneration(data: LessonGenerationJobData): Promise<string> {
    const job = await this.queue.add(LESSON_JOB_NAME, data, { jobId: lessonJobId(data) })
    return job.id!
  }

  /** `{ state, progress, result, failedReason }` of a job; state `unknown` when there is no such job. */
  async getLessonGenerationJobStatus(jobId: string): Promise<LessonJobStatus> {
    // State first: a job read after its state already holds that state's fields
    // (read the other way round, a job finishing in between shows as completed
    // with its last progress and no result).
    const state = await this.queue.getJobState(jobId)
    const job = await this.queue.getJob(jobId)
    if (!job || state === 'unknown') return { id: jobId, state: 'unknown', progress: null, result: null, failedReason: null, attemptsMade: 0 }
    return {
      id: jobId,
      state,
      // A job that has not started has progress 0 (BullMQ's default), not an object.
      progress: typeof job.progress === 'object' ? (job.progress as LessonProgress) : null,
      result: job.returnvalue ?? null,
      failedReason: job.failedReason ?? null,
      attemptsMade: job.attemptsMade,
    }
  }

  async getLessonGenerationQueueMetrics(): Promise<LessonQueueMetrics> {
    const c = await this.queue.getJobCounts('waiting', 'active', 'completed', 'failed', 'delayed')
    return { counts: { waiting: c.waiting, active: c.active, completed: c.completed, failed: c.failed, delayed: c.delayed } }
  }

  /** Removes completed jobs older than a day and failed ones older than a week (a weekly cron job). */
  async cleanLessonGenerationQueue(): Promise<{ completed: number; failed: number }> {
    const completed = await this.queue.clean(KEEP_COMPLETED.age * 1000, 0, 'completed')
    const failed = await this.queue.clean(KEEP_FAILED.age * 1000, 0, 'failed')
    return { completed: completed.length, failed: failed.length }
  }

  close(): Promise<void> {
    return this.queue.close()
  }
}
