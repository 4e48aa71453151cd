// BullMQ's telemetry interface (what the bullmq-otel package implements for
// OpenTelemetry), and the enums BullMQ exports beside it.

/** OpenTelemetry's span kinds, with @opentelemetry/api's numbers. */
export declare enum SpanKind {
  INTERNAL = 0,
  SERVER = 1,
  CLIENT = 2,
  PRODUCER = 3,
  CONSUMER = 4,
}

/** Minutes, for `metrics.maxDataPoints` (one data point per minute). */
export declare enum MetricsTime {
  ONE_MINUTE = 1,
  FIVE_MINUTES = 5,
  FIFTEEN_MINUTES = 15,
  THIRTY_MINUTES = 30,
  ONE_HOUR = 60,
  ONE_WEEK = 10080,
  TWO_WEEKS = 20160,
  ONE_MONTH = 80640,
}

/** The metric names BullMQ (and ferroq) record through `telemetry.meter`. */
export declare enum MetricNames {
  QueueJobsCount = 'bullmq.queue.jobs',
  JobsCompleted = 'bullmq.jobs.completed',
  JobsFailed = 'bullmq.jobs.failed',
  JobsDelayed = 'bullmq.jobs.delayed',
  JobsRetried = 'bullmq.jobs.retried',
  JobsWaiting = 'bullmq.jobs.waiting',
  JobsWaitingChildren = 'bullmq.jobs.waiting_children',
  JobDuration = 'bullmq.job.duration',
}

/** The span attribute names BullMQ (and ferroq) write. */
export declare enum TelemetryAttributes {
  QueueName = 'bullmq.queue.name',
  QueueOperation = 'bullmq.queue.operation',
  BulkCount = 'bullmq.job.bulk.count',
  BulkNames = 'bullmq.job.bulk.names',
  JobName = 'bullmq.job.name',
  JobId = 'bullmq.job.id',
  JobKey = 'bullmq.job.key',
  JobIds = 'bullmq.job.ids',
  JobAttemptsMade = 'bullmq.job.attempts.made',
  DeduplicationKey = 'bullmq.job.deduplication.key',
  JobOptions = 'bullmq.job.options',
  JobProgress = 'bullmq.job.progress',
  QueueDrainDelay = 'bullmq.queue.drain.delay',
  QueueGrace = 'bullmq.queue.grace',
  QueueCleanLimit = 'bullmq.queue.clean.limit',
  QueueCleanCount = 'bullmq.queue.clean.count',
  QueueRateLimit = 'bullmq.queue.rate.limit',
  JobType = 'bullmq.job.type',
  QueueOptions = 'bullmq.queue.options',
  QueueEventMaxLength = 'bullmq.queue.event.max.length',
  QueueJobsState = 'bullmq.queue.jobs.state',
  WorkerOptions = 'bullmq.worker.options',
  WorkerName = 'bullmq.worker.name',
  WorkerId = 'bullmq.worker.id',
  WorkerRateLimit = 'bullmq.worker.rate.limit',
  WorkerDoNotWaitActive = 'bullmq.worker.do.not.wait.active',
  WorkerForceClose = 'bullmq.worker.force.close',
  WorkerStalledJobs = 'bullmq.worker.stalled.jobs',
  WorkerFailedJobs = 'bullmq.worker.failed.jobs',
  WorkerJobsToExtendLocks = 'bullmq.worker.jobs.to.extend.locks',
  JobAttemptFinishedTimestamp = 'bullmq.job.attempt_finished_timestamp',
  JobProcessedTimestamp = 'bullmq.job.processed.timestamp',
  JobResult = 'bullmq.job.result',
  JobFailedReason = 'bullmq.job.failed.reason',
  FlowName = 'bullmq.flow.name',
  JobSchedulerId = 'bullmq.job.scheduler.id',
  JobState = 'bullmq.job.state',
}

export type AttributeValue =
  | string
  | number
  | boolean
  | Array<null | undefined | string>
  | Array<null | undefined | number>
  | Array<null | undefined | boolean>

export interface Attributes {
  [attribute: string]: AttributeValue | undefined
}

interface CodeException {
  code: string | number
  name?: string
  message?: string
  stack?: string
}
interface MessageException {
  code?: string | number
  name?: string
  message: string
  stack?: string
}
interface NameException {
  code?: string | number
  name: string
  message?: string
  stack?: string
}
export type ExceptionType = CodeException | MessageException | NameException
export type Exception = string | ExceptionType
export type Time = [number, number] | number | Date

export interface SpanOptions {
  kind: SpanKind
}

/** A span as the telemetry object hands it out. */
export interface Span<Context = any> {
  setSpanOnContext(ctx: Context): Context
  setAttribute(key: string, value: AttributeValue): void
  setAttributes(attributes: Attributes): void
  addEvent(name: string, attributes?: Attributes): void
  recordException(exception: Exception, time?: Time): void
  end(): void
}

export interface Tracer<Context = any> {
  startSpan(name: string, options?: SpanOptions, context?: Context): Span
}

/** Moves trace context in and out of jobs (`getMetadata` / `fromMetadata`) and runs code in a context. */
export interface ContextManager<Context = any> {
  with<A extends (...args: any[]) => any>(context: Context, fn: A): ReturnType<A>
  active(): Context
  root?(): Context
  getMetadata(context: Context): string
  fromMetadata(activeContext: Context, metadata: string): Context
}

export interface MetricOptions {
  description?: string
  unit?: string
}
export interface Counter {
  add(value: number, attributes?: Attributes): void
}
export interface Histogram {
  record(value: number, attributes?: Attributes): void
}
export interface Gauge {
  record(value: number, attributes?: Attributes): void
}
export interface Meter {
  createCounter(name: string, options?: MetricOptions): Counter
  createHistogram(name: string, options?: MetricOptions): Histogram
  createGauge(name: string, options?: MetricOptions): Gauge
}

/**
 * The `telemetry` option of Queue and Worker (e.g. `new BullMQOtel('my-app')`).
 * ferroq traces `add`, `addBulk`, `process`, `clean`, job scheduler upserts and
 * flows (`addFlow`, `addBulkFlows`); with a `meter` it counts ended attempts
 * per state, their durations, and `recordJobCountsMetric()`'s counts.
 */
export interface Telemetry<Context = any> {
  tracer: Tracer<Context>
  contextManager: ContextManager
  meter?: Meter
}
