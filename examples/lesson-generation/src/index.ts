// AI lesson generation (seed 004): the app enqueues, a worker process
// generates with object progress, the app polls status.
import { lessonConfigFromEnv } from './config'
import { LessonQueue } from './queue'
import type { LessonGenerationJobData, LessonJobStatus, LessonQueueMetrics } from './types'

export * from './author'
export * from './backoff'
export * from './config'
export * from './processor'
export * from './queue'
export * from './types'
export * from './worker'

// The seed's module-level helpers use one queue configured from the environment,
// made on first use.
let defaultQueue: LessonQueue | undefined

function lessonQueue(): LessonQueue {
  if (!defaultQueue) {
    const { queueName, connection } = lessonConfigFromEnv()
    defaultQueue = new LessonQueue({ queueName, connection })
  }
  return defaultQueue
}

export function enqueueLessonGeneration(data: LessonGenerationJobData): Promise<string> {
  return lessonQueue().enqueueLessonGeneration(data)
}

export function getLessonGenerationJobStatus(jobId: string): Promise<LessonJobStatus> {
  return lessonQueue().getLessonGenerationJobStatus(jobId)
}

export function getLessonGenerationQueueMetrics(): Promise<LessonQueueMetrics> {
  return lessonQueue().getLessonGenerationQueueMetrics()
}

export function cleanLessonGenerationQueue(): Promise<{ completed: number; failed: number }> {
  return lessonQueue().cleanLessonGenerationQueue()
}

/** Closes the default queue, if it was opened. */
export async function closeLessonQueue(): Promise<void> {
  const q = defaultQueue
  defaultQueue = undefined
  await q?.close()
}
