// The Worker class, with BullMQ's generics.
/// <reference types="node" />
import { EventEmitter } from 'node:events'
import type { URL } from 'node:url'
import type { WorkerOptions } from './options'
import type { Job, JobProgress, Processor } from './job'

/**
 * BullMQ's name for its Redis backend, the 4th type parameter of `Worker`.
 * ferroq has one backend (its Rust engine on Redis): this is a type only, so
 * `Worker<Data, Result, Name, RedisQueueBackend, Progress>` reads as in BullMQ.
 */
export interface RedisQueueBackend {
  readonly kind?: 'redis'
}

/** The worker's local events. */
export interface WorkerListener<DataType = any, ResultType = any, NameType extends string = string, ProgressType extends JobProgress = JobProgress> {
  active: (job: Job<DataType, ResultType, NameType, ProgressType>, prev: string) => void
  closed: () => void
  closing: (msg: string) => void
  completed: (job: Job<DataType, ResultType, NameType, ProgressType>, result: ResultType, prev: string) => void
  drained: () => void
  error: (failedReason: Error) => void
  failed: (job: Job<DataType, ResultType, NameType, ProgressType> | undefined, error: Error, prev: string) => void
  paused: () => void
  progress: (job: Job<DataType, ResultType, NameType, ProgressType>, progress: ProgressType) => void
  ready: () => void
  resumed: () => void
  stalled: (jobId: string, prev: string) => void
  /** Jobs whose lock could not be renewed (another worker may now hold them). */
  lockRenewalFailed: (jobIds: string[]) => void
}

/** `worker.getNextJob(token, { block })`: whether to wait on an empty queue (default true). */
export interface GetNextJobOptions {
  block?: boolean
}

export declare class Worker<
  DataType = any,
  ResultType = any,
  NameType extends string = string,
  Backend = RedisQueueBackend,
  ProgressType extends JobProgress = JobProgress,
> extends EventEmitter {
  /**
   * `processor`: a function, or a file path / file URL whose default export
   * runs in a child process (a worker thread with `useWorkerThreads`). A
   * relative path is taken from the current directory.
   */
  constructor(name: string, processor?: string | URL | null | Processor<DataType, ResultType, NameType, ProgressType>, opts?: WorkerOptions)
  readonly name: string
  readonly prefix: string
  readonly qualifiedName: string
  /** A random id for this worker instance. */
  readonly id: string
  /** Jobs processed at once; settable while the worker runs (an integer >= 1). */
  get concurrency(): number
  set concurrency(concurrency: number)
  readonly opts: WorkerOptions
  /** The Job class this worker builds jobs with. */
  get Job(): typeof Job
  on<U extends keyof WorkerListener<DataType, ResultType, NameType, ProgressType>>(event: U, listener: WorkerListener<DataType, ResultType, NameType, ProgressType>[U]): this
  on(event: string | symbol, listener: (...args: any[]) => void): this
  once<U extends keyof WorkerListener<DataType, ResultType, NameType, ProgressType>>(event: U, listener: WorkerListener<DataType, ResultType, NameType, ProgressType>[U]): this
  once(event: string | symbol, listener: (...args: any[]) => void): this
  off<U extends keyof WorkerListener<DataType, ResultType, NameType, ProgressType>>(event: U, listener: WorkerListener<DataType, ResultType, NameType, ProgressType>[U]): this
  off(event: string | symbol, listener: (...args: any[]) => void): this
  emit<U extends keyof WorkerListener<DataType, ResultType, NameType, ProgressType>>(
    event: U,
    ...args: Parameters<WorkerListener<DataType, ResultType, NameType, ProgressType>[U]>
  ): boolean
  emit(event: string | symbol, ...args: any[]): boolean
  /** Starts processing (autorun does this); resolves when the worker has closed. */
  run(): Promise<void>
  /**
   * Aborts the signal (the processor's third argument) of a job this worker
   * is processing; false when it is not processing that job.
   */
  cancelJob(jobId: string, reason?: string): boolean
  /** Aborts the signals of every job this worker is processing. */
  cancelAllJobs(reason?: string): void
  /**
   * Manual processing (a worker made with a null processor): takes the next
   * job, active and locked with `token`; settle it with `job.moveToCompleted`
   * / `job.moveToFailed` and the same token. Resolves undefined when the queue
   * stays empty (typed as BullMQ types it, without `undefined`).
   */
  getNextJob(token: string, opts?: GetNextJobOptions): Promise<Job<DataType, ResultType, NameType, ProgressType>>
  /** Starts the stalled-jobs check of a manually processing worker. */
  startStalledCheckTimer(): Promise<void>
  /** Extends the locks of `jobIds[i]` held with `tokens[i]` by `duration` ms; resolves with the ids whose lock was lost. */
  extendJobLocks(jobIds: string[], tokens: string[], duration: number): Promise<string[]>
  /** Resolves after `milliseconds` (default 100), or at once when `abortController` aborts. */
  delay(milliseconds?: number, abortController?: AbortController): Promise<void>
  /** Rate-limits the queue for `expireTimeMs`; then throw `Worker.RateLimitError()`. */
  rateLimit(expireTimeMs: number): Promise<void>
  static RateLimitError(): Error
  /** Stops taking new jobs (this worker only); unless `doNotWaitActive`, waits for jobs in hand. */
  pause(doNotWaitActive?: boolean): Promise<void>
  resume(): Promise<void>
  isPaused(): boolean
  isRunning(): boolean
  /** The promise of close() once it was called, else undefined. */
  readonly closing: Promise<void> | undefined
  waitUntilReady(): Promise<this>
  /** Stops fetching, waits for jobs in hand (unless `force`), then releases everything. */
  close(force?: boolean): Promise<void>
  disconnect(): Promise<void>
}
