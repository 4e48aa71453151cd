'use strict'
// Tracing through BullMQ's `telemetry` option: an object with a `tracer` and a
// `contextManager` (the interface the bullmq-otel package implements for
// OpenTelemetry). Spans are named and attributed as BullMQ names them, and a
// producer's context travels with the job (stored opts `tm`) so the worker's
// `process` span joins the producer's trace. Without the option nothing here
// runs.

const { invalid } = require('./errors.js')
const { SpanKind, TelemetryAttributes: A, MetricNames: M } = require('./enums.js')

/** Refuses a `telemetry` option that lacks what spans need (a coded error naming the field). */
function checkTelemetry(telemetry, field = 'opts.telemetry') {
  if (telemetry == null) return undefined
  if (typeof telemetry !== 'object') throw invalid(field, 'must be an object { tracer, contextManager }')
  const { tracer, contextManager } = telemetry
  if (!tracer || typeof tracer.startSpan !== 'function') throw invalid(`${field}.tracer`, 'must have startSpan(name, options, context)')
  for (const m of ['active', 'with', 'getMetadata', 'fromMetadata']) {
    if (!contextManager || typeof contextManager[m] !== 'function') throw invalid(`${field}.contextManager`, `must have ${m}()`)
  }
  return telemetry
}

/**
 * Starts a span `<operation> <destination>` of `kind`, as BullMQ does: a
 * consumer span whose job carries a producer's context (`srcMetadata`) is
 * parented there, any other span under the active context. Returns the span
 * and the context to run its work in.
 */
function startSpan(telemetry, kind, queueName, operation, destination, srcMetadata) {
  const { tracer, contextManager } = telemetry
  const active = contextManager.active()
  let parent
  if (srcMetadata) {
    try {
      parent = contextManager.fromMetadata(active, srcMetadata)
    } catch {
      // Metadata another producer wrote in a form this one cannot read: no parent.
    }
  }
  const span = tracer.startSpan(destination ? `${operation} ${destination}` : operation, { kind }, parent)
  span.setAttributes({ [A.QueueName]: queueName, [A.QueueOperation]: operation })
  const context = span.setSpanOnContext(kind === SpanKind.CONSUMER && parent ? parent : active)
  return { span, context }
}

/**
 * Runs `callback(span, metadata)` inside a span (BullMQ's `trace`): the span
 * records a thrown error and ends when the callback settles. `metadata` (the
 * span's context in a form jobs can carry) is computed only for callbacks that
 * take it. Without telemetry the callback runs alone.
 */
async function trace(telemetry, kind, queueName, operation, destination, callback, srcMetadata) {
  if (!telemetry) return callback()
  const { span, context } = startSpan(telemetry, kind, queueName, operation, destination, srcMetadata)
  try {
    const metadata = callback.length >= 2 ? telemetry.contextManager.getMetadata(context) : undefined
    return await telemetry.contextManager.with(context, () => callback(span, metadata))
  } catch (err) {
    span.recordException(err)
    throw err
  } finally {
    span.end()
  }
}

/**
 * Job opts carrying the producer's context `metadata`, unless the job opted out
 * (`telemetry.omitContext`). As in BullMQ, `add` replaces a job's own
 * `telemetry.metadata` and `addBulk` (`keepOwn`) keeps it.
 */
function withContext(opts, metadata, keepOwn = false) {
  // Anything but an options object is left for the add to refuse.
  if (opts != null && (typeof opts !== 'object' || Array.isArray(opts))) return opts
  const t = opts && opts.telemetry
  if (!metadata || (t && t.omitContext) || (keepOwn && t && t.metadata)) return opts
  return { ...opts, telemetry: { ...t, metadata } }
}

// A worker's job runs inside a `process <queue>` span parented on the
// producer's context the job carries (BullMQ's span); it ends when the job's
// outcome is settled in Redis (endSpan).
function runTraced(worker, job, run) {
  const tm = job.opts.telemetry && job.opts.telemetry.metadata
  const { span, context } = startSpan(worker._telemetry, SpanKind.CONSUMER, worker.name, 'process', worker.name, tm)
  span.setAttributes({ [A.WorkerId]: worker.id, [A.WorkerName]: worker.opts.name, [A.JobId]: job.id, [A.JobName]: job.name })
  job._span = span
  worker._telemetry.contextManager.with(context, run)
}

/** Ends the `process` span of a settled job with what the settling wrote. */
function endSpan(job) {
  const span = job._span
  delete job._span
  span.setAttributes({
    [A.JobAttemptsMade]: job.attemptsMade,
    [A.JobAttemptFinishedTimestamp]: job.finishedOn || Date.now(),
    [A.JobProcessedTimestamp]: job.processedOn,
  })
  span.end()
}

// The counter each way an attempt can end goes to.
const COUNTERS = { completed: M.JobsCompleted, failed: M.JobsFailed, delayed: M.JobsDelayed, retried: M.JobsRetried }

/**
 * Counts an ended attempt on `telemetry.meter` (when there is one) as BullMQ
 * does: +1 on the counter of `state`, and how long the attempt ran (ms since
 * `processedOn`) on the duration histogram, both with the queue, job name and state.
 */
function recordJobMetrics(telemetry, queueName, job, state) {
  const meter = telemetry && telemetry.meter
  if (!meter || !COUNTERS[state]) return
  const attributes = { [A.QueueName]: queueName, [A.JobName]: job.name, [A.JobState]: state }
  meter.createCounter(COUNTERS[state], { description: `attempts that ended ${state}`, unit: '1' }).add(1, attributes)
  if (job.processedOn) {
    const duration = meter.createHistogram(M.JobDuration, { description: 'how long an attempt ran', unit: 'ms' })
    duration.record(Date.now() - job.processedOn, attributes)
  }
}

/** The metric state of the engine's settle report: a retry is `delayed` (with a delay) or `retried`. */
function settledState(s) {
  return s.state === 'retrying' ? (s.delay ? 'delayed' : 'retried') : s.state
}

/** A worker's job was settled by the engine: its metrics, then the end of its `process` span. */
function settledTelemetry(worker, job, s) {
  recordJobMetrics(worker._telemetry, worker.name, job, settledState(s))
  if (job._span) endSpan(job)
}

/** A job settled by hand (Job.moveToCompleted / moveToFailed): metrics on its queue's meter. */
function recordSettled(queue, job, s) {
  const telemetry = queue && queue.opts && queue.opts.telemetry
  if (telemetry) recordJobMetrics(telemetry, queue.name, job, settledState(s))
}

module.exports = {
  checkTelemetry, startSpan, trace, withContext, runTraced, endSpan, settledTelemetry, recordSettled, SpanKind, TelemetryAttributes: A,
}
