// The lesson-generation worker, meant to run in its own process (worker.ts at
// the example's root is that process).
import { Worker } from '../../shared/ferroq'
import type { ConnectionOptions } from '../../shared/ferroq'
import { simulatedAuthor } from './author'
import type { LessonAuthor } from './author'
import { lessonBackoff } from './backoff'
import { lessonProcessor } from './processor'
import { LESSON_QUEUE_NAME } from './queue'
import type { LessonGenerationJobData, LessonGenerationResult } from './types'

/** Seed: LESSON_WORKER_CONCURRENCY=2. */
export const DEFAULT_LESSON_CONCURRENCY = 2
/** Time the simulated AI takes per outline or section. */
export const DEFAULT_STEP_DELAY_MS = 300

export interface LessonWorkerOptions {
  queueName?: string
  prefix?: string
  connection?: ConnectionOptions
  concurrency?: number
  /** Multiplies the 5 s / 15 s retry delays (default 1). */
  backoffScale?: number
  /** The AI; default the simulated one with `stepDelayMs` per call. */
  author?: LessonAuthor
  stepDelayMs?: number
}

export type LessonWorker = Worker<LessonGenerationJobData, LessonGenerationResult>

export function startLessonWorker(opts: LessonWorkerOptions = {}): LessonWorker {
  const author = opts.author ?? simulatedAuthor(opts.stepDelayMs ?? DEFAULT_STEP_DELAY_MS)
  return new Worker(opts.queueName ?? LESSON_QUEUE_NAME, lessonProcessor(author), {
    connection: opts.connection,
    prefix: opts.prefix,
    concurrency: opts.concurrency ?? DEFAULT_LESSON_CONCURRENCY,
    settings: { backoffStrategy: lessonBackoff(opts.backoffScale ?? 1) },
  })
}
