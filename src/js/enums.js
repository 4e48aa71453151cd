'use strict'
// BullMQ's exported enums, as runtime values with the same members (numeric
// ones map back from value to name, as TypeScript's enums do).

/** A numeric enum object: `{ NAME: value, [value]: 'NAME' }`. */
function numericEnum(members) {
  const out = {}
  for (const [name, value] of Object.entries(members)) {
    out[name] = value
    out[value] = name
  }
  return Object.freeze(out)
}

/** Minutes, for `metrics.maxDataPoints` (the metrics keep one point per minute). */
const MetricsTime = numericEnum({
  ONE_MINUTE: 1,
  FIVE_MINUTES: 5,
  FIFTEEN_MINUTES: 15,
  THIRTY_MINUTES: 30,
  ONE_HOUR: 60,
  ONE_WEEK: 10080,
  TWO_WEEKS: 20160,
  ONE_MONTH: 80640,
})

/** OpenTelemetry's span kinds, by their numbers in @opentelemetry/api. */
const SpanKind = numericEnum({ INTERNAL: 0, SERVER: 1, CLIENT: 2, PRODUCER: 3, CONSUMER: 4 })

/** The span attribute names BullMQ writes (dashboards and queries key on them). */
const TelemetryAttributes = Object.freeze({
  QueueName: 'bullmq.queue.name',
  QueueOperation: 'bullmq.queue.operation',
  BulkCount: 'bullmq.job.bulk.count',
  BulkNames: 'bullmq.job.bulk.names',
  JobName: 'bullmq.job.name',
  JobId: 'bullmq.job.id',
  JobKey: 'bullmq.job.key',
  JobIds: 'bullmq.job.ids',
  JobAttemptsMade: 'bullmq.job.attempts.made',
  DeduplicationKey: 'bullmq.job.deduplication.key',
  JobOptions: 'bullmq.job.options',
  JobProgress: 'bullmq.job.progress',
  QueueDrainDelay: 'bullmq.queue.drain.delay',
  QueueGrace: 'bullmq.queue.grace',
  QueueCleanLimit: 'bullmq.queue.clean.limit',
  QueueCleanCount: 'bullmq.queue.clean.count',
  QueueRateLimit: 'bullmq.queue.rate.limit',
  JobType: 'bullmq.job.type',
  QueueOptions: 'bullmq.queue.options',
  QueueEventMaxLength: 'bullmq.queue.event.max.length',
  QueueJobsState: 'bullmq.queue.jobs.state',
  WorkerOptions: 'bullmq.worker.options',
  WorkerName: 'bullmq.worker.name',
  WorkerId: 'bullmq.worker.id',
  WorkerRateLimit: 'bullmq.worker.rate.limit',
  WorkerDoNotWaitActive: 'bullmq.worker.do.not.wait.active',
  WorkerForceClose: 'bullmq.worker.force.close',
  WorkerStalledJobs: 'bullmq.worker.stalled.jobs',
  WorkerFailedJobs: 'bullmq.worker.failed.jobs',
  WorkerJobsToExtendLocks: 'bullmq.worker.jobs.to.extend.locks',
  JobAttemptFinishedTimestamp: 'bullmq.job.attempt_finished_timestamp',
  JobProcessedTimestamp: 'bullmq.job.processed.timestamp',
  JobResult: 'bullmq.job.result',
  JobFailedReason: 'bullmq.job.failed.reason',
  FlowName: 'bullmq.flow.name',
  JobSchedulerId: 'bullmq.job.scheduler.id',
  JobState: 'bullmq.job.state',
})

/** The metric names BullMQ records through `telemetry.meter`. */
const MetricNames = Object.freeze({
  QueueJobsCount: 'bullmq.queue.jobs',
  JobsCompleted: 'bullmq.jobs.completed',
  JobsFailed: 'bullmq.jobs.failed',
  JobsDelayed: 'bullmq.jobs.delayed',
  JobsRetried: 'bullmq.jobs.retried',
  JobsWaiting: 'bullmq.jobs.waiting',
  JobsWaitingChildren: 'bullmq.jobs.waiting_children',
  JobDuration: 'bullmq.job.duration',
})

module.exports = { MetricsTime, SpanKind, TelemetryAttributes, MetricNames }
