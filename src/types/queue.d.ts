// The Queue class, with BullMQ's generics: `Queue<Data, Result, Name>` or
// `Queue<Job<Data, Result, Name>>`.
/// <reference types="node" />
import { EventEmitter } from 'node:events'
import type { BulkJobOptions, JobsOptions, QueueOptions } from './options'
import type { FinishedStatus, Job, JobJson, JobProgress, JobState, JobType } from './job'
import type { JobSchedulerJson, JobSchedulerTemplateOptions, RepeatOptions } from './job-scheduler'

export type ExtractDataType<DataTypeOrJob, Default> = DataTypeOrJob extends Job<infer D, any, any> ? D : Default
export type ExtractResultType<DataTypeOrJob, Default> = DataTypeOrJob extends Job<any, infer R, any> ? R : Default
export type ExtractNameType<DataTypeOrJob, Default extends string> = DataTypeOrJob extends Job<any, any, infer N> ? N : Default

/** BullMQ's per-minute completed/failed counts (`getMetrics`). */
export interface Metrics {
  meta: { count: number; prevTS: number; prevCount: number }
  data: number[]
  count: number
}

/** The queue's meta hash as `getMeta()` reads it. */
export interface QueueMeta {
  concurrency?: number
  max?: number
  duration?: number
  maxLenEvents?: number
  paused?: boolean
  version?: string
}

export interface ObliterateOpts {
  /** Also when jobs are active. */
  force?: boolean
  count?: number
}

/** The queue's local events (payloads typed as BullMQ types them). */
export interface QueueListener<JobBase extends Job = Job> {
  cleaned: (jobs: string[], type: string) => void
  error: (err: Error) => void
  paused: () => void
  progress: (jobId: string, progress: JobProgress) => void
  removed: (jobId: string) => void
  resumed: () => void
  waiting: (job: JobBase) => void
}

type IsAny<T> = 0 extends 1 & T ? true : false
type JobBase<T, ResultType, NameType extends string> =
  IsAny<T> extends true ? Job<T, ResultType, NameType> : T extends Job<any, any, any> ? T : Job<T, ResultType, NameType>

/** The part of an ioredis client ferroq answers for a queue (`queue.client`). */
export interface QueueClient {
  /** The server's INFO text: one `section`, or the default ones. */
  info(section?: string): Promise<string>
  ping(): Promise<'PONG'>
}

/** The queue's backend (`queue.getBackend()`): its identity, client, and the job reads flow tools make. */
export interface QueueBackend {
  readonly name: string
  readonly qualifiedName: string
  readonly keys: KeysMap
  readonly client: Promise<QueueClient>
  toKey(type: string): string
  waitUntilReady(): Promise<void>
  forQueue(name: string, prefix?: string): QueueBackend
  parseNodeKey(key: string): { prefix: string; queueName: string; id: string }
  getState(id: string): Promise<JobState | 'unknown'>
}

/** A queue's Redis keys by type (`''`, `wait`, `active`, `meta`, `events`, ...). */
export type KeysMap = { [index in string]: string }

/** The Redis key names of queues under one prefix. */
export declare class QueueKeys {
  readonly prefix: string
  constructor(prefix?: string)
  getKeys(name: string): KeysMap
  /** `<prefix>:<name>:<type>` */
  toKey(name: string, type: string): string
  /** `<prefix>:<name>` */
  getQueueQualifiedName(name: string): string
}

/** The reads of a queue (BullMQ's `QueueGetters`, which `Queue` extends). */
export declare class QueueGetters<JobBase extends Job<any, any, any> = Job> extends EventEmitter {
  protected constructor()
  readonly name: string
  readonly prefix: string
  readonly qualifiedName: string
  /** The Job class this queue builds jobs with. */
  get Job(): typeof Job
  getJob(jobId: string): Promise<JobBase | undefined>
  getJobCounts(...types: JobType[]): Promise<{ [index: string]: number }>
  /** A page of a parent's children (`processed`, or pending for any other type) with their stored jobs. */
  getDependencies(
    parentId: string,
    type: 'processed' | 'pending',
    start?: number,
    end?: number,
  ): Promise<{ items: { id: string; v?: any; err?: string }[]; jobs: JobJson[]; total: number }>
  /** getJobCounts, also recorded on `telemetry.meter` (gauge `MetricNames.QueueJobsCount`, one value per state). */
  recordJobCountsMetric(...types: JobType[]): Promise<{ [index: string]: number }>
  getJobCountByTypes(...types: JobType[]): Promise<number>
  /** Jobs still to be processed: waiting, paused, delayed, prioritized and waiting-children. */
  count(): Promise<number>
  getWaitingCount(): Promise<number>
  getActiveCount(): Promise<number>
  getDelayedCount(): Promise<number>
  getCompletedCount(): Promise<number>
  getFailedCount(): Promise<number>
  getPrioritizedCount(): Promise<number>
  getWaitingChildrenCount(): Promise<number>
  getJobs(types?: JobType[] | JobType, start?: number, end?: number, asc?: boolean): Promise<JobBase[]>
  getWaiting(start?: number, end?: number): Promise<JobBase[]>
  getActive(start?: number, end?: number): Promise<JobBase[]>
  getDelayed(start?: number, end?: number): Promise<JobBase[]>
  getPrioritized(start?: number, end?: number): Promise<JobBase[]>
  getWaitingChildren(start?: number, end?: number): Promise<JobBase[]>
  getCompleted(start?: number, end?: number): Promise<JobBase[]>
  getFailed(start?: number, end?: number): Promise<JobBase[]>
  getJobState(jobId: string): Promise<JobState | 'unknown'>
  getJobLogs(jobId: string, start?: number, end?: number, asc?: boolean): Promise<{ logs: string[]; count: number }>
  getGlobalConcurrency(): Promise<number | null>
  getGlobalRateLimit(): Promise<{ max: number; duration: number } | null>
  getMetrics(type: 'completed' | 'failed', start?: number, end?: number): Promise<Metrics>
  getRateLimitTtl(maxJobs?: number): Promise<number>
  getDeduplicationJobId(id: string): Promise<string | null>
  getWorkers(): Promise<{ [index: string]: string }[]>
  getWorkersCount(): Promise<number>
  /** BullMQ's deprecated name of getDeduplicationJobId. */
  getDebounceJobId(id: string): Promise<string | null>
  /** The meta hash: global concurrency and rate limit, events cap, paused, version. */
  getMeta(): Promise<QueueMeta>
  /** `{ [priority]: count }` of waiting jobs per priority (0 = the wait list). */
  getCountsPerPriority(priorities: number[]): Promise<{ [index: string]: number }>
  /** Job ids in the given states, `start..end` of each (default end 1). */
  getRanges(types: JobType[], start?: number, end?: number, asc?: boolean): Promise<string[]>
  /** The connections of this queue's QueueEvents readers (CLIENT LIST). */
  getQueueEvents(): Promise<{ [index: string]: string }[]>
}

export declare class Queue<
  DataTypeOrJob = any,
  DefaultResultType = any,
  DefaultNameType extends string = string,
  DataType = ExtractDataType<DataTypeOrJob, DataTypeOrJob>,
  ResultType = ExtractResultType<DataTypeOrJob, DefaultResultType>,
  NameType extends string = ExtractNameType<DataTypeOrJob, DefaultNameType>,
> extends QueueGetters<JobBase<DataType, ResultType, NameType>> {
  constructor(name: string, opts?: QueueOptions)
  opts: QueueOptions
  /** Merged into every added job's options. */
  readonly defaultJobOptions: JobsOptions
  /** What the queue writes to its meta hash on connect: `opts.maxLenEvents` and `version`. */
  readonly metaValues: Record<string, string | number>
  closing: Promise<void> | undefined
  /** `<prefix>:<name>:<type>`: the Redis key of one of the queue's structures. */
  toKey: (type: string) => string
  /** The queue's Redis keys by type (`wait`, `active`, `meta`, ...). */
  keys: KeysMap
  on<U extends keyof QueueListener<JobBase<DataType, ResultType, NameType>>>(event: U, listener: QueueListener<JobBase<DataType, ResultType, NameType>>[U]): this
  on(event: string | symbol, listener: (...args: any[]) => void): this
  once<U extends keyof QueueListener<JobBase<DataType, ResultType, NameType>>>(event: U, listener: QueueListener<JobBase<DataType, ResultType, NameType>>[U]): this
  once(event: string | symbol, listener: (...args: any[]) => void): this
  off<U extends keyof QueueListener<JobBase<DataType, ResultType, NameType>>>(event: U, listener: QueueListener<JobBase<DataType, ResultType, NameType>>[U]): this
  off(event: string | symbol, listener: (...args: any[]) => void): this
  emit<U extends keyof QueueListener<JobBase<DataType, ResultType, NameType>>>(
    event: U,
    ...args: Parameters<QueueListener<JobBase<DataType, ResultType, NameType>>[U]>
  ): boolean
  emit(event: string | symbol, ...args: any[]): boolean
  /** Resolves once Redis answers. */
  waitUntilReady(): Promise<this>
  add(name: NameType, data: DataType, opts?: JobsOptions): Promise<Job<DataType, ResultType, NameType>>
  addBulk(jobs: { name: NameType; data: DataType; opts?: BulkJobOptions }[]): Promise<Job<DataType, ResultType, NameType>[]>
  /** Stores a job's progress (and emits `progress` here and on the events stream). */
  updateJobProgress(jobId: string, progress: JobProgress): Promise<void>
  /** Appends a line to a job's log; resolves with the number of lines. */
  addJobLog(jobId: string, logRow: string, keepLogs?: number): Promise<number>
  /** Removes a job; resolves 1, or 0 when a worker holds it. */
  remove(jobId: string, opts?: { removeChildren?: boolean }): Promise<number>
  pause(): Promise<void>
  resume(): Promise<void>
  isPaused(): Promise<boolean>
  /** Removes up to `limit` (0 = all) `type` jobs older than `grace` ms; resolves with their ids. */
  clean(grace: number, limit: number, type?: 'completed' | 'wait' | 'waiting' | 'active' | 'paused' | 'prioritized' | 'delayed' | 'failed'): Promise<string[]>
  drain(delayed?: boolean): Promise<void>
  obliterate(opts?: ObliterateOpts): Promise<void>
  retryJobs(opts?: { count?: number; state?: FinishedStatus; timestamp?: number }): Promise<void>
  promoteJobs(opts?: { count?: number }): Promise<void>
  trimEvents(maxLength: number): Promise<number>
  setGlobalConcurrency(concurrency: number): Promise<void>
  removeGlobalConcurrency(): Promise<void>
  setGlobalRateLimit(max: number, duration: number): Promise<void>
  removeGlobalRateLimit(): Promise<void>
  /**
   * The queue's job counts and completed / failed totals in Prometheus' text
   * format; `globalVariables` become extra labels (e.g. `{ env: 'prod' }`).
   */
  exportPrometheusMetrics(globalVariables?: Record<string, string>): Promise<string>
  rateLimit(expireTimeMs: number): Promise<void>
  removeDeduplicationKey(id: string): Promise<number>
  /** BullMQ's deprecated name of removeDeduplicationKey. */
  removeDebounceKey(id: string): Promise<number>
  /** Ends a rate limit now; resolves 1 if there was one, else 0. */
  removeRateLimitKey(): Promise<number>
  /** Deletes the priority set BullMQ < 5 kept; resolves 1 if it existed, else 0. */
  removeDeprecatedPriorityKey(): Promise<number>
  /** Whether the global concurrency is used up by the jobs now active. */
  isMaxed(): Promise<boolean>
  /** The `version` in the meta hash (`bullmq:<version>...`), or null. */
  getVersion(): Promise<string | null>
  /** BullMQ's raw-client escape hatch, as far as ferroq answers it: `info()` and `ping()`. */
  readonly client: Promise<QueueClient>
  /** BullMQ 6's datastore backend, as far as tools (bull-board) read it. */
  getBackend(): QueueBackend
  /**
   * Removes job data that no state holds: scans `count` keys per step, stops
   * after about `limit` jobs (0 = all); resolves with how many were removed.
   */
  removeOrphanedJobs(count?: number, limit?: number): Promise<number>
  /** Creates or updates a job scheduler; resolves with its next iteration, or undefined when the schedule has ended. */
  upsertJobScheduler(
    jobSchedulerId: string,
    repeatOpts: Omit<RepeatOptions, 'key'>,
    jobTemplate?: { name?: NameType; data?: DataType; opts?: JobSchedulerTemplateOptions },
  ): Promise<Job<DataType, ResultType, NameType> | undefined>
  getJobScheduler(id: string): Promise<JobSchedulerJson<DataType> | undefined>
  /** Schedulers by next run, descending unless `asc`. */
  getJobSchedulers(start?: number, end?: number, asc?: boolean): Promise<JobSchedulerJson<DataType>[]>
  getJobSchedulersCount(): Promise<number>
  /** Removes a scheduler and its delayed iteration; resolves with whether it existed. */
  removeJobScheduler(jobSchedulerId: string): Promise<boolean>
  close(): Promise<void>
  disconnect(): Promise<void>
}
