// Public types of ferroq, in BullMQ's shapes (Queue<Data, Result, Name>, Job<Data, Result, Name>).
/// <reference types="node" />
import { EventEmitter } from 'node:events'

/** Where Redis is. A URL string, an options object, or an ioredis instance (its options are used). */
export type ConnectionOptions =
  | string
  | {
      /** `redis://[user:password@]host:port[/db]` or `rediss://...` */
      url?: string
      host?: string
      port?: number
      username?: string
      password?: string
      db?: number
      /** `true`, or `{ ca }` with a PEM root certificate for self-signed servers. */
      tls?: boolean | { ca?: string | Buffer }
      /** Redis Cluster seed nodes; every queue's keys must then share a hash tag (`prefix: '{bull}'` or `'{myqueue}'`). */
      cluster?: (string | { host: string; port: number })[]
    }
  | (string | { host: string; port: number })[]
  | { options: Record<string, unknown>; duplicate: (...args: any[]) => unknown }

export interface QueueBaseOptions {
  /** Defaults: REDIS_URL, else REDIS_HOST / REDIS_PORT / REDIS_PASSWORD / REDIS_DB, else 127.0.0.1:6379. */
  connection?: ConnectionOptions
  /** Key prefix; default `bull`. */
  prefix?: string
  /** Largest accepted `data` JSON in bytes (default 64 MiB; 0 = no limit). */
  maxDataBytes?: number
}

export type KeepJobs = boolean | number | { age?: number; count?: number }

export interface BackoffOptions {
  type: 'fixed' | 'exponential' | 'custom' | (string & {})
  delay?: number
  jitter?: number
}

export interface DeduplicationOptions {
  id: string
  /** ms the id stays taken; without it, until the job finishes. */
  ttl?: number
  extend?: boolean
  /** Debounce: a new job replaces the pending (delayed) one. */
  replace?: boolean
}

export interface JobsOptions {
  jobId?: string
  delay?: number
  priority?: number
  lifo?: boolean
  attempts?: number
  backoff?: number | BackoffOptions
  removeOnComplete?: KeepJobs
  removeOnFail?: KeepJobs
  timestamp?: number
  stackTraceLimit?: number
  keepLogs?: number
  deduplication?: DeduplicationOptions
  [key: string]: unknown
}

export interface QueueOptions extends QueueBaseOptions {
  defaultJobOptions?: JobsOptions
}

export interface RateLimiterOptions {
  max: number
  duration: number
}

export type BackoffStrategy = (attemptsMade: number, type?: string, err?: Error, job?: Job) => number

export interface WorkerOptions extends QueueBaseOptions {
  /** Start processing at once (default true). */
  autorun?: boolean
  /** Jobs processed at once (default 1). */
  concurrency?: number
  /** Lock lifetime in ms (default 30000); renewed from Rust at half of it. */
  lockDuration?: number
  lockRenewTime?: number
  stalledInterval?: number
  maxStalledCount?: number
  /** Seconds an idle worker blocks waiting for jobs (default 5). */
  drainDelay?: number
  limiter?: RateLimiterOptions
  /** Worker name (stored as the job's processedBy, shown by getWorkers). */
  name?: string
  removeOnComplete?: KeepJobs
  removeOnFail?: KeepJobs
  skipStalledCheck?: boolean
  skipLockRenewal?: boolean
  /** Keep BullMQ's per-minute completed/failed counts (see Queue.getMetrics). */
  metrics?: { maxDataPoints?: number }
  settings?: { backoffStrategy?: BackoffStrategy }
}

/** What `updateProgress` accepts and `job.progress` holds (BullMQ 6's JobProgress). */
export type JobProgress = string | boolean | number | object

export type JobState = 'completed' | 'failed' | 'delayed' | 'prioritized' | 'active' | 'waiting' | 'waiting-children' | 'unknown'
export type JobType = JobState | 'paused' | 'wait'

export declare class Job<DataType = any, ReturnType = any, NameType extends string = string> {
  id?: string
  name: NameType
  data: DataType
  opts: JobsOptions
  progress: JobProgress
  returnvalue: ReturnType | null
  stacktrace: string[]
  attemptsMade: number
  attemptsStarted: number
  stalledCounter: number
  delay: number
  priority: number
  timestamp: number
  failedReason?: string
  finishedOn?: number
  processedOn?: number
  processedBy?: string
  deduplicationId?: string
  token?: string
  queueName: string
  queueQualifiedName: string
  prefix: string
  updateProgress(progress: JobProgress): Promise<void>
  log(row: string): Promise<number>
  getState(): Promise<JobState>
  isCompleted(): Promise<boolean>
  isFailed(): Promise<boolean>
  isDelayed(): Promise<boolean>
  isActive(): Promise<boolean>
  isWaiting(): Promise<boolean>
  isPrioritized(): Promise<boolean>
  remove(): Promise<void>
  retry(state?: 'failed' | 'completed', opts?: { resetAttemptsMade?: boolean; resetAttemptsStarted?: boolean }): Promise<void>
  /** The job with this id in `queue`, or undefined. */
  static fromId<D = any, R = any, N extends string = string>(queue: Queue<D, R, N>, jobId: string): Promise<Job<D, R, N> | undefined>
  /** Replaces the job's data. */
  updateData(data: DataType): Promise<void>
  /** Gives a delayed job a new delay (ms from now). */
  changeDelay(delay: number): Promise<void>
  /** Sets the priority; a waiting job moves to its new place in line. */
  changePriority(opts: { priority?: number; lifo?: boolean }): Promise<void>
  /** Moves a delayed job to wait now. */
  promote(): Promise<void>
  /** Parks this active job in delayed until `timestamp`; throw `DelayedError` after it. */
  moveToDelayed(timestamp: number, token?: string): Promise<void>
  /** Resolves with the return value when the job completes; rejects with its failedReason when it fails. */
  waitUntilFinished(queueEvents: QueueEvents, ttl?: number): Promise<ReturnType>
  toJSON(): Record<string, unknown>
  asJSON(): Record<string, unknown>
}

export type Processor<DataType = any, ResultType = any, NameType extends string = string> = (
  job: Job<DataType, ResultType, NameType>,
  token?: string,
) => Promise<ResultType> | ResultType

export interface Metrics {
  meta: { count: number; prevTS: number; prevCount: number }
  data: number[]
  count: number
}

export interface QueueListener<DataType, ResultType, NameType extends string> {
  waiting: (job: Job<DataType, ResultType, NameType>) => void
  progress: (job: Job<DataType, ResultType, NameType>, progress: JobProgress) => void
  paused: () => void
  resumed: () => void
  error: (err: Error) => void
}

export declare class Queue<DataType = any, ResultType = any, NameType extends string = string> extends EventEmitter {
  constructor(name: string, opts?: QueueOptions)
  readonly name: string
  readonly prefix: string
  readonly qualifiedName: string
  opts: QueueOptions
  defaultJobOptions: JobsOptions
  on<U extends keyof QueueListener<DataType, ResultType, NameType>>(event: U, listener: QueueListener<DataType, ResultType, NameType>[U]): this
  on(event: string | symbol, listener: (...args: any[]) => void): this
  once<U extends keyof QueueListener<DataType, ResultType, NameType>>(event: U, listener: QueueListener<DataType, ResultType, NameType>[U]): this
  once(event: string | symbol, listener: (...args: any[]) => void): this
  waitUntilReady(): Promise<this>
  add(name: NameType, data: DataType, opts?: JobsOptions): Promise<Job<DataType, ResultType, NameType>>
  addBulk(jobs: { name: NameType; data: DataType; opts?: JobsOptions }[]): Promise<Job<DataType, ResultType, NameType>[]>
  getJob(jobId: string): Promise<Job<DataType, ResultType, NameType> | undefined>
  getJobCounts(...types: JobType[]): Promise<{ [index: string]: number }>
  getJobCountByTypes(...types: JobType[]): Promise<number>
  count(): Promise<number>
  getWaitingCount(): Promise<number>
  getActiveCount(): Promise<number>
  getDelayedCount(): Promise<number>
  getCompletedCount(): Promise<number>
  getFailedCount(): Promise<number>
  getPrioritizedCount(): Promise<number>
  getWaitingChildrenCount(): Promise<number>
  getJobs(types?: JobType[] | JobType, start?: number, end?: number, asc?: boolean): Promise<Job<DataType, ResultType, NameType>[]>
  getWaiting(start?: number, end?: number): Promise<Job<DataType, ResultType, NameType>[]>
  getActive(start?: number, end?: number): Promise<Job<DataType, ResultType, NameType>[]>
  getDelayed(start?: number, end?: number): Promise<Job<DataType, ResultType, NameType>[]>
  getPrioritized(start?: number, end?: number): Promise<Job<DataType, ResultType, NameType>[]>
  getWaitingChildren(start?: number, end?: number): Promise<Job<DataType, ResultType, NameType>[]>
  getCompleted(start?: number, end?: number): Promise<Job<DataType, ResultType, NameType>[]>
  getFailed(start?: number, end?: number): Promise<Job<DataType, ResultType, NameType>[]>
  getJobState(jobId: string): Promise<JobState>
  getJobLogs(jobId: string, start?: number, end?: number, asc?: boolean): Promise<{ logs: string[]; count: number }>
  remove(jobId: string): Promise<number>
  pause(): Promise<void>
  resume(): Promise<void>
  isPaused(): Promise<boolean>
  clean(grace: number, limit: number, type?: JobType): Promise<string[]>
  drain(delayed?: boolean): Promise<void>
  obliterate(opts?: { force?: boolean; count?: number }): Promise<void>
  retryJobs(opts?: { count?: number; state?: 'failed' | 'completed'; timestamp?: number }): Promise<void>
  promoteJobs(opts?: { count?: number }): Promise<void>
  trimEvents(maxLength: number): Promise<number>
  setGlobalConcurrency(concurrency: number): Promise<void>
  removeGlobalConcurrency(): Promise<void>
  getGlobalConcurrency(): Promise<number | null>
  setGlobalRateLimit(max: number, duration: number): Promise<void>
  removeGlobalRateLimit(): Promise<void>
  getGlobalRateLimit(): Promise<{ max: number; duration: number } | null>
  getMetrics(type: 'completed' | 'failed', start?: number, end?: number): Promise<Metrics>
  rateLimit(expireTimeMs: number): Promise<void>
  getRateLimitTtl(maxJobs?: number): Promise<number>
  getDeduplicationJobId(id: string): Promise<string | null>
  removeDeduplicationKey(id: string): Promise<number>
  getWorkers(): Promise<{ [index: string]: string }[]>
  getWorkersCount(): Promise<number>
  close(): Promise<void>
  disconnect(): Promise<void>
}

export interface WorkerListener<DataType, ResultType, NameType extends string> {
  active: (job: Job<DataType, ResultType, NameType>, prev: string) => void
  completed: (job: Job<DataType, ResultType, NameType>, result: ResultType, prev: string) => void
  failed: (job: Job<DataType, ResultType, NameType> | undefined, error: Error, prev: string) => void
  progress: (job: Job<DataType, ResultType, NameType>, progress: JobProgress) => void
  stalled: (jobId: string, prev: string) => void
  error: (failedReason: Error) => void
  drained: () => void
  ready: () => void
  paused: () => void
  resumed: () => void
  closing: (msg: string) => void
  closed: () => void
}

export declare class Worker<DataType = any, ResultType = any, NameType extends string = string> extends EventEmitter {
  constructor(name: string, processor?: string | null | Processor<DataType, ResultType, NameType>, opts?: WorkerOptions)
  readonly name: string
  readonly prefix: string
  readonly qualifiedName: string
  readonly concurrency: number
  opts: WorkerOptions
  on<U extends keyof WorkerListener<DataType, ResultType, NameType>>(event: U, listener: WorkerListener<DataType, ResultType, NameType>[U]): this
  on(event: string | symbol, listener: (...args: any[]) => void): this
  once<U extends keyof WorkerListener<DataType, ResultType, NameType>>(event: U, listener: WorkerListener<DataType, ResultType, NameType>[U]): this
  once(event: string | symbol, listener: (...args: any[]) => void): this
  off<U extends keyof WorkerListener<DataType, ResultType, NameType>>(event: U, listener: WorkerListener<DataType, ResultType, NameType>[U]): this
  off(event: string | symbol, listener: (...args: any[]) => void): this
  run(): Promise<void>
  /** Rate-limits the queue for `expireTimeMs`; then throw `Worker.RateLimitError()`. */
  rateLimit(expireTimeMs: number): Promise<void>
  static RateLimitError(): RateLimitError
  pause(doNotWaitActive?: boolean): Promise<void>
  resume(): void
  isPaused(): boolean
  isRunning(): boolean
  waitUntilReady(): Promise<this>
  close(force?: boolean): Promise<void>
  disconnect(): Promise<void>
}

export interface QueueEventsOptions extends QueueBaseOptions {
  autorun?: boolean
  /** Start after this stream id (default: events from now on). */
  lastEventId?: string
  /** XREAD block time in ms (default 10000). */
  blockingTimeout?: number
}

export interface QueueEventsListener {
  added: (args: { jobId: string; name: string }, id: string) => void
  waiting: (args: { jobId: string; prev?: string }, id: string) => void
  active: (args: { jobId: string; prev?: string }, id: string) => void
  progress: (args: { jobId: string; data: JobProgress }, id: string) => void
  completed: (args: { jobId: string; returnvalue: any; prev?: string }, id: string) => void
  failed: (args: { jobId: string; failedReason: string; prev?: string }, id: string) => void
  delayed: (args: { jobId: string; delay: number }, id: string) => void
  stalled: (args: { jobId: string }, id: string) => void
  removed: (args: { jobId: string; prev: string }, id: string) => void
  deduplicated: (args: { jobId: string; deduplicationId: string; deduplicatedJobId: string }, id: string) => void
  duplicated: (args: { jobId: string }, id: string) => void
  'retries-exhausted': (args: { jobId: string; attemptsMade: number }, id: string) => void
  cleaned: (args: { count: number }, id: string) => void
  drained: (id: string) => void
  paused: (args: {}, id: string) => void
  resumed: (args: {}, id: string) => void
  error: (err: Error) => void
  closed: () => void
}

/** Reads a queue's events stream from any process. */
export declare class QueueEvents extends EventEmitter {
  constructor(name: string, opts?: QueueEventsOptions)
  readonly name: string
  readonly prefix: string
  readonly qualifiedName: string
  on<U extends keyof QueueEventsListener>(event: U, listener: QueueEventsListener[U]): this
  on(event: string | symbol, listener: (...args: any[]) => void): this
  once<U extends keyof QueueEventsListener>(event: U, listener: QueueEventsListener[U]): this
  once(event: string | symbol, listener: (...args: any[]) => void): this
  run(): Promise<void>
  waitUntilReady(): Promise<this>
  close(): Promise<void>
  disconnect(): Promise<void>
}

// ---------------------------------------------------------------------------
// Presets

export interface LearningTrackerOptions {
  processor: (userId: string) => Promise<unknown> | unknown
  connection?: ConnectionOptions
  prefix?: string
  /** Queue name (default 'learning-tracker'). */
  queueName?: string
  /** Debounce window in ms (default 5000). */
  debounceMs?: number
  /** Worker concurrency (default 5). */
  concurrency?: number
  /** Attempts per update (default 3). */
  attempts?: number
  /** Exponential backoff (default { type: 'exponential', delay: 1000 }). */
  backoff?: number | { type?: 'exponential'; delay?: number }
  /** Start the worker at once (default true). */
  autorun?: boolean
  /** Where errors go when nobody listens to 'error' (default console; null = silent). */
  logger?: { error?: (msg: string) => void } | null
}

export interface LearningTrackerStatus {
  waiting: number
  active: number
  completed: number
  failed: number
  total: number
}

export interface LearningTracker extends EventEmitter {
  readonly queueName: string
  readonly worker: Worker
  queueLearningUpdate(userId: string | number): Promise<string | undefined>
  forceUpdateNow(userId: string | number): Promise<unknown>
  getQueueStatus(): Promise<LearningTrackerStatus>
  clearAllPendingUpdates(): Promise<number>
  cleanup(): Promise<void>
}

export declare function createLearningTracker(opts: LearningTrackerOptions): LearningTracker
export declare function initLearningTracker(opts: LearningTrackerOptions): LearningTracker
/** Debounced per user; never rejects (failures go to the tracker's 'error' event and the log). */
export declare function queueLearningUpdate(userId: string | number): Promise<string | undefined>
export declare function forceUpdateNow(userId: string | number): Promise<unknown>
export declare function getQueueStatus(): Promise<LearningTrackerStatus>
export declare function clearAllPendingUpdates(): Promise<number>
export declare function cleanup(): Promise<void>

export type EmailProcessor = (data: any, job: Job) => Promise<unknown> | unknown
export interface InitializeQueuesOptions {
  /** Per queue: one function, or one function per job name. */
  processors?: { [queue: string]: EmailProcessor | { [jobName: string]: EmailProcessor } }
  connection?: ConnectionOptions
  prefix?: string
  logger?: { info?: (m: string) => void; warn?: (m: string) => void; error?: (m: string) => void } | null
}
export declare function initializeQueues(opts?: InitializeQueuesOptions): Promise<{ queues: Map<string, Queue>; workers: Map<string, Worker> }>
export declare function shutdownQueues(): Promise<void>
export declare function getQueue(name: string): Queue
export declare function getQueues(): Queue[]
export interface EmailQueue {
  sendVerificationCode(email: string, code: string, firstName: string): Promise<string>
  sendPasswordReset(email: string, resetToken: string, firstName: string): Promise<string>
  sendWelcomeEmail(userId: string | number, courseId: string | number): Promise<string>
  sendPaymentReceipt(userId: string | number, paymentId: string | number, courseId: string | number): Promise<string>
}
export declare const emailQueue: EmailQueue
export declare const sendVerificationCode: EmailQueue['sendVerificationCode']
export declare const sendPasswordReset: EmailQueue['sendPasswordReset']
export declare const sendWelcomeEmail: EmailQueue['sendWelcomeEmail']
export declare const sendPaymentReceipt: EmailQueue['sendPaymentReceipt']

/** One queue's numbers, as `/stats`, `/:name/stats` and `/health` show them. */
export interface AdminQueueStats {
  name: string
  /** Jobs ready for a worker: waiting and prioritized. */
  waiting: number
  active: number
  completed: number
  failed: number
  delayed: number
  /** Whether the queue is paused (a flag, not a count). */
  paused: boolean
  /** waiting + active + completed + failed + delayed */
  total: number
}
/** Every admin answer except `/health`. */
export interface AdminResponseBody<T = unknown> {
  success: boolean
  message: string
  data: T | null
}
/** `GET /health`: status 200 when healthy, 503 when not. */
export interface AdminHealth {
  healthy: boolean
  /** e.g. `'email: 150 failed jobs'`, `'email: 1200 waiting jobs'` */
  issues: string[]
  stats: Record<string, AdminQueueStats>
}
/** A job in `GET /:name/jobs` and `GET /:name/job/:id`; unset fields are null. */
export interface AdminJobView {
  id: string
  name: string
  data: any
  opts: JobsOptions
  progress: any
  attemptsMade: number
  failedReason: string | null
  stacktrace: string[]
  returnvalue: any
  timestamp: number
  processedOn: number | null
  finishedOn: number | null
  state: string
}
/** `true` admits; `false` refuses (403, or 401 without credentials); `'unauthenticated'` is 401. */
export type AdminVerdict = boolean | 'unauthenticated'
export interface AdminHandlerOptions<Req extends import('node:http').IncomingMessage = import('node:http').IncomingMessage> {
  /** The queues served, addressed by `queue.name` (Map and object keys are ignored). */
  queues: Queue<any, any, any>[] | Map<string, Queue<any, any, any>> | Record<string, Queue<any, any, any>>
  /** Required. May also throw an error with `status` 401 or 403. */
  authorize: (req: Req) => AdminVerdict | Promise<AdminVerdict>
  /** `/health` reports counts strictly above these. Defaults: failed 10, waiting 100. */
  healthThresholds?: { failed?: number; waiting?: number }
  /** For node:http (full paths): a prefix removed from paths that start with it, e.g. `'/admin/queues'`. */
  basePath?: string
}
/** Works as Express middleware (`router.use('/admin/queues', handler)`) and as a node:http listener. */
export type AdminHandler<Req extends import('node:http').IncomingMessage = import('node:http').IncomingMessage> = (
  req: Req,
  res: import('node:http').ServerResponse,
  next?: (err?: unknown) => void,
) => Promise<void>
/** The email-queue app's admin endpoints (stats, health, jobs, retry, remove, pause/resume, clean). */
export declare function createAdminHandler<Req extends import('node:http').IncomingMessage = import('node:http').IncomingMessage>(
  options: AdminHandlerOptions<Req>,
): AdminHandler<Req>

/** An error with a stable `code` (`ERR_FERROQ_*`). */
export declare class FerroqError extends Error {
  code: string
}
export declare class UnrecoverableError extends Error {}
export declare class DelayedError extends Error {}
export declare class WaitingError extends Error {}
export declare class WaitingChildrenError extends Error {}
export declare class RateLimitError extends Error {}

export type LogLevel = 'error' | 'warn' | 'info' | 'debug' | 'trace'
/**
 * Forwards ferroq's log records to your logger at `opts.level` and above (default
 * 'info'); `null` stops it. FERROQ_LOG=info|debug prints to stderr instead.
 */
export declare function setLogger(
  logger: ((level: LogLevel, message: string, fields: Record<string, unknown>) => void) | null,
  opts?: { level?: LogLevel | 'silent' },
): void

export declare const version: string
export declare const errorCodes: string[]
