// Options of queues, workers, queue events and jobs, in BullMQ's names. Like
// BullMQ's, they have no catch-all key: a misspelt option is a type error.
/// <reference types="node" />
import type { ForkOptions } from 'node:child_process'
import type { WorkerOptions as WorkerThreadsOptions } from 'node:worker_threads'
import type { ConnectionOptions } from './connection'
import type { Telemetry } from './telemetry'
import type { MinimalJob } from './job'

export interface QueueBaseOptions {
  /** Defaults: REDIS_URL, else REDIS_HOST / REDIS_PORT / REDIS_PASSWORD / REDIS_DB, else 127.0.0.1:6379. */
  connection?: ConnectionOptions
  /** Accepted for BullMQ apps; ferroq runs no Redis version check to skip. */
  skipVersionCheck?: boolean
  /** Tracing (e.g. `new BullMQOtel('my-app')` from bullmq-otel). */
  telemetry?: Telemetry
  /** ferroq: largest accepted `data` JSON in bytes (default 64 MiB; 0 = no limit). */
  maxDataBytes?: number
}

export interface KeyPrefixOptions {
  /** Key prefix; default `bull`. */
  prefix?: string
}
/** BullMQ's other name for KeyPrefixOptions. */
export type RedisKeyPrefixOptions = KeyPrefixOptions

/**
 * Keep at most `count` finished jobs, and/or those finished less than `age`
 * seconds ago (`limit`: most removed per call).
 */
export type KeepJobs =
  | {
      count: number
    }
  | {
      age: number
      count?: number
      limit?: number
    }

export interface BackoffOptions {
  /** `fixed`, `exponential`, or a name a worker's `settings.backoffStrategy` handles. */
  type: 'fixed' | 'exponential' | (string & {})
  delay?: number
  /** 0..1: how much of the delay is randomised. */
  jitter?: number
}

export type DeduplicationOptions = {
  /** Jobs with the same id are one job while the first is pending. */
  id: string
} & {
  /** ms the id stays taken; without it, until the job finishes. */
  ttl?: number
  extend?: boolean
  /** Debounce: a new job replaces the pending (delayed) one. */
  replace?: boolean
}

/** Options a queue's `defaultJobOptions` may set for every job. */
export interface DefaultJobOptions {
  timestamp?: number
  /** 0 (none, the default) .. 2 097 152; lower runs first. */
  priority?: number
  delay?: number
  attempts?: number
  backoff?: number | BackoffOptions
  lifo?: boolean
  removeOnComplete?: boolean | number | KeepJobs
  removeOnFail?: boolean | number | KeepJobs
  keepLogs?: number
  stackTraceLimit?: number
  /** Largest accepted `data` JSON in bytes for this job. */
  sizeLimit?: number
}

export interface BaseJobOptions extends DefaultJobOptions {
  /** A custom id; adding an id that exists returns the existing job. */
  jobId?: string
  /** Make the job a flow child of this existing job (it waits in waiting-children). */
  parent?: import('./flow').ParentOptions
}

/** Options BullMQ stores under short keys. */
export type CompressableJobOptions = {
  deduplication?: DeduplicationOptions
  failParentOnFailure?: boolean
  continueParentOnFailure?: boolean
  ignoreDependencyOnFailure?: boolean
  removeDependencyOnFailure?: boolean
  /** Trace context carried by the job (`metadata`), or `omitContext` to carry none. */
  telemetry?: {
    metadata?: string
    omitContext?: boolean
  }
}

export type JobsOptions = BaseJobOptions & CompressableJobOptions
export type BulkJobOptions = JobsOptions

export interface RetryOptions {
  resetAttemptsMade?: boolean
  resetAttemptsStarted?: boolean
}

export interface QueueOptions extends QueueBaseOptions, KeyPrefixOptions {
  defaultJobOptions?: DefaultJobOptions
  /** The events stream's approximate cap (default 10 000), written to the queue's meta. */
  streams?: {
    events: {
      maxLen: number
    }
  }
  /** Leave the queue's meta hash alone (for read-only users). */
  skipMetasUpdate?: boolean
}

export interface QueueEventsOptions extends Omit<QueueBaseOptions, 'telemetry'>, KeyPrefixOptions {
  /** Start reading at once (default true). */
  autorun?: boolean
  /** Start after this stream id (default: events from now on). */
  lastEventId?: string
  /** XREAD block time in ms (default 10000). */
  blockingTimeout?: number
}

export interface RateLimiterOptions {
  /** Jobs per `duration` ms. */
  max: number
  duration: number
}

export interface MetricsOptions {
  /** How many one-minute points to keep (see `MetricsTime`). */
  maxDataPoints?: number
}

/**
 * A custom backoff: the delay in ms before the next attempt, 0 to retry at
 * once, -1 to fail without retrying.
 */
export type BackoffStrategy = (attemptsMade: number, type?: string, err?: Error, job?: MinimalJob) => Promise<number> | number

export interface AdvancedOptions {
  backoffStrategy?: BackoffStrategy
}

/** How a processor file runs: a child process (default) or a worker thread. */
export interface SandboxedOptions {
  useWorkerThreads?: boolean
  /** Passed to `child_process.fork` for each child. */
  workerForkOptions?: ForkOptions
  /** Passed to `new worker_threads.Worker` for each thread. */
  workerThreadsOptions?: WorkerThreadsOptions
}

export interface WorkerOptions extends QueueBaseOptions, SandboxedOptions, KeyPrefixOptions {
  /** Worker name (stored as the job's processedBy, shown by getWorkers). */
  name?: string
  /** Start processing at once (default true). */
  autorun?: boolean
  /** Jobs processed at once (default 1). */
  concurrency?: number
  limiter?: RateLimiterOptions
  /** Keep BullMQ's per-minute completed/failed counts (see Queue.getMetrics). */
  metrics?: MetricsOptions
  maxStalledCount?: number
  /** Fail a job (UnrecoverableError) once it has been started more than this many times. */
  maxStartedAttempts?: number
  stalledInterval?: number
  /** Default for jobs without their own (BullMQ takes only the object form here; ferroq also a count or a boolean). */
  removeOnComplete?: boolean | number | KeepJobs
  removeOnFail?: boolean | number | KeepJobs
  skipStalledCheck?: boolean
  skipLockRenewal?: boolean
  /** Seconds an idle worker blocks waiting for jobs (default 5). */
  drainDelay?: number
  /** Lock lifetime in ms (default 30000); renewed from Rust. */
  lockDuration?: number
  lockRenewTime?: number
  /** Longest wait (ms) a rate-limited worker sleeps before checking again. */
  maximumRateLimitDelay?: number
  /** Pause (ms) between retries of the fetch loop after a Redis error. */
  runRetryDelay?: number
  settings?: AdvancedOptions
}
