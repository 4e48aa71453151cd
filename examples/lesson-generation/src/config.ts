// The one place the lesson example reads its environment.
//   REDIS_URL                  where Redis is (see shared/connection.ts)
//   LESSON_QUEUE_NAME          queue name (default lesson-generation)
//   LESSON_WORKER_CONCURRENCY  jobs per worker process at once (default 2)
//   LESSON_BACKOFF_SCALE       multiplier of the 5 s / 15 s retry delays (default 1)
//   LESSON_STEP_DELAY_MS       simulated AI time per step (default 300)
import type { ConnectionOptions } from '../../shared/ferroq'
import { redisConnection } from '../../shared/connection'
import { LESSON_QUEUE_NAME } from './queue'
import { DEFAULT_LESSON_CONCURRENCY, DEFAULT_STEP_DELAY_MS } from './worker'

export interface LessonConfig {
  queueName: string
  connection?: ConnectionOptions
  concurrency: number
  backoffScale: number
  stepDelayMs: number
}

function numberFromEnv(name: string, fallback: number): number {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return fallback
  const n = Number(raw)
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a non-negative number, got "${raw}"`)
  return n
}

export function lessonConfigFromEnv(): LessonConfig {
  return {
    queueName: process.env.LESSON_QUEUE_NAME || LESSON_QUEUE_NAME,
    connection: redisConnection(),
    concurrency: numberFromEnv('LESSON_WORKER_CONCURRENCY', DEFAULT_LESSON_CONCURRENCY),
    backoffScale: numberFromEnv('LESSON_BACKOFF_SCALE', 1),
    stepDelayMs: numberFromEnv('LESSON_STEP_DELAY_MS', DEFAULT_STEP_DELAY_MS),
  }
}
