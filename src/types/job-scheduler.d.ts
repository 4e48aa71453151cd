// Job schedulers (BullMQ 6): how a scheduler repeats, its job template, and
// the scheduler as getJobScheduler(s) returns it.
import type { JobsOptions } from './options'

/** How a job scheduler repeats: every `every` ms, or on a cron `pattern`. */
export interface RepeatOptions {
  /** Cron pattern: five fields, or six with seconds first. */
  pattern?: string
  /** Interval in ms (`pattern` cannot be used with it). */
  every?: number
  /** IANA time zone `pattern` is read in (default: the process's zone). */
  tz?: string
  /** At most this many iterations. */
  limit?: number
  /** No run before this time. */
  startDate?: Date | string | number
  /** No run after this time. */
  endDate?: Date | string | number
  /** A cron scheduler's first run is now (cannot be used with `startDate`). */
  immediately?: boolean
  /** Where `every` runs sit within their interval (ms). */
  offset?: number
  /** The iteration count to start from. */
  count?: number
  key?: string
}

/** The options each iteration of a scheduler gets. */
export type JobSchedulerTemplateOptions = Omit<JobsOptions, 'jobId' | 'repeat' | 'delay' | 'deduplication'>

export interface JobSchedulerTemplateJson<D = any> {
  data?: D
  opts?: JobSchedulerTemplateOptions
}

/** A job scheduler as `getJobScheduler` / `getJobSchedulers` return it. */
export interface JobSchedulerJson<D = any> {
  key: string
  name: string
  id?: string | null
  iterationCount?: number
  limit?: number
  startDate?: number
  endDate?: number
  tz?: string
  pattern?: string
  every?: number
  /** When the next iteration is due (ms). */
  next?: number
  offset?: number
  template?: JobSchedulerTemplateJson<D>
}

/** The options of a job a scheduler produced: its `repeat` settings ride along. */
export interface JobSchedulerJobOptions extends JobsOptions {
  repeat?: Omit<RepeatOptions, 'key'>
  prevMillis?: number
}
