// Jobs: the Job class, its JSON forms, the job a sandboxed processor gets, and
// the processor function types.
import type { BulkJobOptions, JobsOptions, RetryOptions } from './options'
import type { Dependencies, DependenciesOpts, ParentOptions } from './flow'
import type { Queue } from './queue'
import type { QueueEvents } from './queue-events'

/** The highest job priority (2^21 - 1). */
export declare const PRIORITY_LIMIT: number

/** What `updateProgress` accepts and `job.progress` holds. */
export type JobProgress = string | boolean | number | object

export type FinishedStatus = 'completed' | 'failed'
export type FinishedPropValAttribute = 'returnvalue' | 'failedReason'
export type JobState = FinishedStatus | 'active' | 'delayed' | 'prioritized' | 'waiting' | 'waiting-children'
export type JobType = JobState | 'paused' | 'repeat' | 'wait'

/** `job.moveToWaitingChildren(token, opts)`: wait for this one child only. */
export interface MoveToWaitingChildrenOpts {
  child?: ParentOptions
}

/** Where a child job's parent is (flows). */
export interface ParentKeys {
  id?: string
  queueKey: string
  fpof?: boolean
  rdof?: boolean
  idof?: boolean
  cpof?: boolean
}

/** A job in stored form: `data`, `failedReason`, `stacktrace` and `returnvalue` as JSON text. */
export interface JobJson {
  id: string
  name: string
  data: string
  opts: JobsOptions
  progress: JobProgress
  attemptsMade: number
  attemptsStarted: number
  finishedOn?: number
  processedOn?: number
  timestamp: number
  delay?: number
  priority?: number
  failedReason: string
  stacktrace?: string
  returnvalue: string
  parent?: ParentKeys
  parentKey?: string
  repeatJobKey?: string
  deduplicationId?: string
  processedBy?: string
  stalledCounter: number
}

/** What a sandboxed processor's job is built from: the stored form plus where the queue is. */
export type JobJsonSandbox = JobJson & {
  queueName: string
  queueQualifiedName: string
  prefix: string
}

/** The part of a Job that backoff strategies and other callbacks see. */
export interface MinimalJob<DataType = any, ReturnType = any, NameType extends string = string, ProgressType extends JobProgress = JobProgress> {
  name: NameType
  data: DataType
  opts: JobsOptions
  id?: string
  progress: ProgressType
  returnvalue: ReturnType
  stacktrace: string[] | null
  delay: number
  timestamp: number
  attemptsMade: number
  failedReason: string
  finishedOn?: number
  processedOn?: number
  parentKey?: string
  parent?: ParentKeys
  repeatJobKey?: string
  updateData(data: DataType): Promise<void>
  updateProgress(progress: ProgressType): Promise<void>
  log(logRow: string): Promise<number>
  readonly queueName: string
  readonly prefix: string
  readonly queueQualifiedName: string
}

export declare class Job<DataType = any, ReturnType = any, NameType extends string = string, ProgressType extends JobProgress = JobProgress>
  implements MinimalJob<DataType, ReturnType, NameType, ProgressType>
{
  constructor(queue: Queue<any, any, any>, name: NameType, data: DataType, opts?: JobsOptions, id?: string)
  name: NameType
  data: DataType
  opts: JobsOptions
  id?: string
  readonly queueName: string
  readonly prefix: string
  readonly queueQualifiedName: string
  progress: ProgressType
  /** What the processor returned; null until the job completes. */
  returnvalue: ReturnType
  stacktrace: string[] | null
  delay: number
  priority: number
  timestamp: number
  attemptsStarted: number
  attemptsMade: number
  stalledCounter: number
  /** Why the last attempt failed. */
  failedReason: string
  /** A failure recorded to be applied later (flows: a parent failed by a child). */
  deferredFailure?: string
  finishedOn?: number
  processedOn?: number
  parentKey?: string
  parent?: ParentKeys
  deduplicationId?: string
  repeatJobKey?: string
  /** The lock token of the worker processing the job. */
  token?: string
  processedBy?: string
  /** Adds a job to `queue` (what `queue.add` does, without the queue's default options). */
  static create<T = any, R = any, N extends string = string>(queue: Queue<any, any, any>, name: N, data: T, opts?: JobsOptions): Promise<Job<T, R, N>>
  /** Adds jobs to `queue` in one round trip. */
  static createBulk<T = any, R = any, N extends string = string>(
    queue: Queue<any, any, any>,
    jobs: { name: N; data: T; opts?: BulkJobOptions }[],
  ): Promise<Job<T, R, N>[]>
  /** A Job from its stored form (`asJSON()`). */
  static fromJSON<T = any, R = any, N extends string = string>(queue: Queue<any, any, any>, json: JobJson, jobId?: string): Job<T, R, N>
  /** Stored opts JSON text with BullMQ's short keys decoded (or those of `optsDecode`). */
  static optsFromJSON(rawOpts?: string, optsDecode?: Record<string, string>): JobsOptions
  /** The job with this id in `queue`, or undefined. */
  static fromId<T = any, R = any, N extends string = string>(queue: Queue<any, any, any>, jobId: string): Promise<Job<T, R, N> | undefined>
  /** Appends a line to a job's log; resolves with the number of lines. */
  static addJobLog(queue: Queue<any, any, any>, jobId: string, logRow: string, keepLogs?: number): Promise<number>
  updateData(data: DataType): Promise<void>
  updateProgress(progress: ProgressType): Promise<void>
  /** Appends a line to the job's log; resolves with the number of lines. */
  log(logRow: string): Promise<number>
  /** Deletes the job's log, or keeps only its last `keepLogs` lines. */
  clearLogs(keepLogs?: number): Promise<void>
  /** Extends the lock held with `token` by `duration` ms; resolves 1, or 0 when the lock is lost. */
  extendLock(token: string, duration: number): Promise<number>
  /**
   * Completes the job held with `token` (manual processing). With `fetchNext`
   * (default true) the next job is taken under the same token and resolved as
   * `[jobJson, jobId, 0, 0]` (`[]` when none).
   */
  moveToCompleted(returnValue: ReturnType, token: string, fetchNext?: boolean): Promise<void | any[]>
  /** Fails the attempt held with `token` (retried after its backoff while attempts remain); as moveToCompleted with `fetchNext` (default false). */
  moveToFailed<E extends Error>(err: E, token: string, fetchNext?: boolean): Promise<void | any[]>
  /** Moves the job held with `token` back to wait, attempt not counted; resolves with the rate limit's remaining ms. */
  moveToWait(token?: string): Promise<number>
  /** Frees the job's deduplication id if this job holds it; true when it did. */
  removeDeduplicationKey(): Promise<boolean>
  getState(): Promise<JobState | 'unknown'>
  isCompleted(): Promise<boolean>
  isFailed(): Promise<boolean>
  isDelayed(): Promise<boolean>
  isActive(): Promise<boolean>
  isWaiting(): Promise<boolean>
  isWaitingChildren(): Promise<boolean>
  isPrioritized(): Promise<boolean>
  /** Removes the job (and its flow children unless `removeChildren: false`); fails if a worker holds it. */
  remove(opts?: { removeChildren?: boolean }): Promise<void>
  /** The return values of this parent's completed children, by child key. */
  getChildrenValues<CT = any>(): Promise<{ [jobKey: string]: CT }>
  /** The failures of children this parent ignored (ignoreDependencyOnFailure, continueParentOnFailure), by child key. */
  getIgnoredChildrenFailures(): Promise<{ [jobKey: string]: string }>
  /** @deprecated BullMQ's older name of getIgnoredChildrenFailures. */
  getFailedChildrenValues(): Promise<{ [jobKey: string]: string }>
  /** This parent's children by how they ended; whole lists, or pages when `opts` names lists. */
  getDependencies(opts?: DependenciesOpts): Promise<Dependencies>
  /** How many children per list (all four, or those set to true). */
  getDependenciesCount(opts?: { failed?: boolean; ignored?: boolean; processed?: boolean; unprocessed?: boolean }): Promise<{
    failed?: number
    ignored?: number
    processed?: number
    unprocessed?: number
  }>
  /** Parks this active job until its pending children (or `opts.child`) finish; true when it moved (then throw WaitingChildrenError). */
  moveToWaitingChildren(token: string, opts?: MoveToWaitingChildrenOpts): Promise<boolean>
  /** Takes this child out of its parent's pending dependencies for good; true when it did. */
  removeChildDependency(): Promise<boolean>
  /** Removes the children this parent still waits for (and theirs); held, failed and finished ones stay. */
  removeUnprocessedChildren(): Promise<void>
  /** Moves a failed (or completed) job back to wait. */
  retry(state?: FinishedStatus, opts?: RetryOptions): Promise<void>
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
  /** The job's fields, without its queue and methods. */
  toJSON(): Omit<this, JobMethodName | 'queue'>
  /** The stored form: data, failedReason, stacktrace and returnvalue as JSON text. */
  asJSON(): JobJson
  /** The stored form plus where the queue is: what a sandboxed processor's job is built from. */
  asJSONSandbox(): JobJsonSandbox
}

type JobMethodName =
  | 'updateData'
  | 'updateProgress'
  | 'log'
  | 'getState'
  | 'clearLogs'
  | 'extendLock'
  | 'moveToCompleted'
  | 'moveToFailed'
  | 'moveToWait'
  | 'removeDeduplicationKey'
  | 'isCompleted'
  | 'isFailed'
  | 'isDelayed'
  | 'isActive'
  | 'isWaiting'
  | 'isWaitingChildren'
  | 'isPrioritized'
  | 'remove'
  | 'getChildrenValues'
  | 'getIgnoredChildrenFailures'
  | 'getFailedChildrenValues'
  | 'getDependencies'
  | 'getDependenciesCount'
  | 'moveToWaitingChildren'
  | 'removeChildDependency'
  | 'removeUnprocessedChildren'
  | 'retry'
  | 'changeDelay'
  | 'changePriority'
  | 'promote'
  | 'moveToDelayed'
  | 'waitUntilFinished'
  | 'toJSON'
  | 'asJSON'
  | 'asJSONSandbox'

/** The job a sandboxed processor gets in its child process or thread. */
export interface SandboxedJob<T = any, R = any> extends Omit<JobJsonSandbox, 'data' | 'opts' | 'returnvalue'> {
  data: T
  opts: JobsOptions
  /** The stored JSON text of the return value. */
  returnvalue: string
  returnValue: R
  queueQualifiedName: string
  moveToDelayed: (timestamp: number, token?: string) => Promise<void>
  moveToWait: (token?: string) => Promise<void>
  moveToWaitingChildren: (token?: string, opts?: { child?: { id: string; queue: string } }) => Promise<boolean>
  log: (row: string) => void
  updateData: (data: T) => Promise<void>
  updateProgress: (value: JobProgress) => Promise<void>
  getChildrenValues: <CT = any>() => Promise<{ [jobKey: string]: CT }>
  getIgnoredChildrenFailures: () => Promise<{ [jobKey: string]: string }>
  getDependenciesCount: (opts?: { failed?: boolean; ignored?: boolean; processed?: boolean; unprocessed?: boolean }) => Promise<{
    failed?: number
    ignored?: number
    processed?: number
    unprocessed?: number
  }>
}

/** What a processor file exports. */
export type SandboxedJobProcessor<T = any, R = any> =
  | ((job: SandboxedJob<T, R>) => R | PromiseLike<R>)
  | ((job: SandboxedJob<T, R>, callback: (error: unknown, result: R) => void) => void)

/**
 * A worker's processor: gets the job, the worker's lock token and an abort
 * signal, and returns the job's result.
 */
export type Processor<T = any, R = any, N extends string = string, P extends JobProgress = JobProgress> = (
  job: Job<T, R, N, P>,
  token?: string,
  signal?: AbortSignal,
) => Promise<R> | R
