// Retry timing from the seed: attempt 2 after 5 s, attempt 3 after 15 s.
import type { BackoffStrategy } from '../../shared/ferroq'

export const FIRST_RETRY_DELAY_MS = 5000
export const LATER_RETRY_DELAY_MS = 15000
/** Seed: "Final failure: After 3 attempts". */
export const LESSON_ATTEMPTS = 3

/**
 * The worker's `settings.backoffStrategy` for jobs with `backoff: { type: 'custom' }`.
 * `scale` multiplies both delays (tests use 0.01: 50 ms, then 150 ms).
 */
export function lessonBackoff(scale = 1): BackoffStrategy {
  return (attemptsMade) => Math.round((attemptsMade <= 1 ? FIRST_RETRY_DELAY_MS : LATER_RETRY_DELAY_MS) * scale)
}
