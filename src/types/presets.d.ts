// The app presets ferroq ships beside BullMQ's API: the learning tracker, the
// email queues and the admin endpoints.
/// <reference types="node" />
import type { EventEmitter } from 'node:events'
import type { ConnectionOptions } from './connection'
import type { JobsOptions } from './options'
import type { Job } from './job'
import type { Queue } from './queue'
import type { Worker } from './worker'

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
  /**
   * Schedule the cleanup queue's sweep of expired verification codes
   * (CLEANUP_SCHEDULE) even though this process has no processor for it
   * (workers run elsewhere). With a `cleanup` processor it is scheduled anyway.
   */
  scheduleCleanup?: boolean
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
  /** The Redis itself (null when INFO cannot be read); its issues are in `issues` too. */
  redis: AdminRedisHealth | null
}
/** What Redis's INFO says about whether it can take work. */
export interface AdminRedisHealth {
  usedMemory: number
  /** 0 = no limit */
  maxmemory: number
  maxmemoryPolicy: string
  /** `master` or `slave` */
  role: string
  loading: boolean
  /** Over maxmemory with `noeviction`: adds are refused with ERR_FERROQ_REDIS_OOM. */
  outOfMemory: boolean
  /** e.g. `'Redis is out of memory: 4.1 MB used of maxmemory 4.0 MB ...'` */
  issues: string[]
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
/** The email-queue app's admin endpoints (stats, health, jobs, retry, remove, pause/resume, clean, job schedulers). */
export declare function createAdminHandler<Req extends import('node:http').IncomingMessage = import('node:http').IncomingMessage>(
  options: AdminHandlerOptions<Req>,
): AdminHandler<Req>
