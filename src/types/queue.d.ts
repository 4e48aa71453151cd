// The Queue class, with BullMQ's generics: `Queue<Data, Result, Name>` or
// `Queue<Job<Data, Result, Name>>`.
/// <reference types="node" />
import { EventEmitter } from 'node:events'
import type { BulkJobOptions, JobsOptions, QueueOptions } from './options'
import type { FinishedStatus, Job, JobProgress, JobState, JobType } from './job'
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

export declare class Queue<
  DataTypeOrJob = any,
  DefaultResultType = any,
  DefaultNameType extends string = string,
  DataType = ExtractDataType<DataTypeOrJob, DataTypeOrJob>,
  ResultType = ExtractResultType<DataTypeOrJob, DefaultResultType>,
  NameType extends string = ExtractNameType<DataTypeOrJob, DefaultNameType>,
> extends EventEmitter {
  constructor(name: string, opts?: QueueOptions)
  readonly name: string
  readonly prefix: string
  readonly qualifiedName: string
  opts: QueueOptions
  /** Merged into every added job's options. */
  readonly defaultJobOptions: JobsOptions
  /** What the queue writes to its meta hash on connect: `opts.maxLenEvents` and `version`. */
  readonly metaValues: Record<string, string | number>
  closing: Promise<void> | undefined
  /** `<prefix>:<name>:<type>`: the Redis key of one of the queue's structures. */
  toKey: (type: string) => string
  /** The queue's Redis keys by type (`wait`, `active`, `meta`, ...). */
  keys: { [index: string]: string }
  on<U extends keyof QueueListener<JobBase<DataType, ResultType, NameType>>>(event: U, listener: QueueListener<JobBase<DataType, ResultType, NameType>>[U]): this
  on(event: string | symbol, listener: (...args: any[]) => void): this
  once<U extends keyof QueueListener<JobBase<DataType, ResultType, NameType>>>(event: U, listener: QueueListener<JobBase<DataType, ResultType, NameType>>[U]): this
  once(event: string | symbol, listener: (...args: any[]) => void): this
  off<U extends keyof QueueListener<JobBase<DataType, ResultType, NameType>>>(event: U, listener: QueueListener<JobBase<DataType, ResultType, NameType>>[U]): this
  off(event: string | symbol, listener: (...args: any[]) => void): this
  /** Resolves once Redis answers. */
  waitUntilReady(): Promise<this>
  add(name: NameType, data: DataType, opts?: JobsOptions): Promise<Job<DataType, ResultType, NameType>>
  addBulk(jobs: { name: NameType; data: DataType; opts?: BulkJobOptions }[]): Promise<Job<DataType, ResultType, NameType>[]>
  getJob(jobId: string): Promise<Job<DataType, ResultType, NameType> | undefined>
  getJobCounts(...types: JobType[]): Promise<{ [index: string]: number }>
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
  getJobs(types?: JobType[] | JobType, start?: number, end?: number, asc?: boolean): Promise<Job<DataType, ResultType, NameType>[]>
  getWaiting(start?: number, end?: number): Promise<Job<DataType, ResultType, NameType>[]>
  getActive(start?: number, end?: number): Promise<Job<DataType, ResultType, NameType>[]>
  getDelayed(start?: number, end?: number): Promise<Job<DataType, ResultType, NameType>[]>
  getPrioritized(start?: number, end?: number): Promise<Job<DataType, ResultType, NameType>[]>
  getWaitingChildren(start?: number, end?: number): Promise<Job<DataType, ResultType, NameType>[]>
  getCompleted(start?: number, end?: number): Promise<Job<DataType, ResultType, NameType>[]>
  getFailed(start?: number, end?: number): Promise<Job<DataType, ResultType, NameType>[]>
  getJobState(jobId: string): Promise<JobState | 'unknown'>
  getJobLogs(jobId: string, start?: number, end?: number, asc?: boolean): Promise<{ logs: string[]; count: number }>
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
  getGlobalConcurrency(): Promise<number | null>
  setGlobalRateLimit(max: number, duration: number): Promise<void>
  removeGlobalRateLimit(): Promise<void>
  getGlobalRateLimit(): Promise<{ max: number; duration: number } | null>
  getMetrics(type: 'completed' | 'failed', start?: number, end?: number): Promise<Metrics>
  /**
   * The queue's job counts and completed / failed totals in Prometheus' text
   * format; `globalVariables` become extra labels (e.g. `{ env: 'prod' }`).
   */
  exportPrometheusMetrics(globalVariables?: Record<string, string>): Promise<string>
  rateLimit(expireTimeMs: number): Promise<void>
  getRateLimitTtl(maxJobs?: number): Promise<number>
  getDeduplicationJobId(id: string): Promise<string | null>
  removeDeduplicationKey(id: string): Promise<number>
  getWorkers(): Promise<{ [index: string]: string }[]>
  getWorkersCount(): Promise<number>
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
