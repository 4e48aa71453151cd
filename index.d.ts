// Public types of ferroq, under BullMQ's exported names and shapes; the
// declarations live in src/types/ by concern.
export * from './src/types/connection'
export * from './src/types/options'
export * from './src/types/telemetry'
export * from './src/types/job'
export * from './src/types/queue'
export * from './src/types/job-scheduler'
export * from './src/types/flow'
export * from './src/types/worker'
export * from './src/types/queue-events'
export * from './src/types/errors'
export * from './src/types/presets'

/** ferroq's version. */
export declare const version: string
/** Every stable error code (`ERR_FERROQ_*`). */
export declare const errorCodes: string[]
