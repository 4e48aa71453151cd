'use strict'
// Queue: add jobs and control the queue, as BullMQ's Queue (its reads are in
// queue-getters.js, its base class). Every Redis operation happens in the
// engine (NativeQueue); this class converts arguments into JSON text and
// results back into Job objects.

const { QueueGetters } = require('./queue-getters.js')
const { QueueKeys } = require('./queue-keys.js')
const { invalid } = require('./errors.js')
const { toJson, str, idOf } = require('./convert.js')
const { Job } = require('./job.js')
const { queueMetaValues } = require('./native.js')
const { checkTelemetry, trace, withContext, SpanKind, TelemetryAttributes: A } = require('./telemetry.js')
const prometheus = require('./prometheus.js')

// The meta `version` a queue writes (`bullmq:6.7.0+ferroq.<version>`: the
// BullMQ release whose data layout ferroq keeps, with ferroq's own version as
// semver build metadata) and BullMQ's default events-stream cap: the engine's
// consts (engine/queue/mod.rs), read once.
const META = queueMetaValues()
const schedulers = require('./job-scheduler.js')
const { QueueBackend } = require('./queue-backend.js')

/** A queue: add jobs and read their state. BullMQ's `Queue`. */
class Queue extends QueueGetters {
  constructor(name, opts = {}) {
    super(name, opts)
    // The handle, for native presets that take queues (createAdminHandler).
    Object.defineProperty(this, '_handle', { value: this._native })
    const keys = new QueueKeys(this.prefix)
    /** `<prefix>:<name>:<type>`, the Redis key of `type` (BullMQ's `queue.toKey`). */
    this.toKey = (type) => keys.toKey(name, type)
    /** BullMQ's map of key suffix -> Redis key. */
    this.keys = keys.getKeys(name)
    this.defaultJobOptions = { ...(this.opts.defaultJobOptions || {}) }
    this._telemetry = checkTelemetry(this.opts.telemetry)
  }

  /** BullMQ 6's datastore backend of the queue, as far as tools read it (queue-backend.js). */
  getBackend() {
    if (!this._backend) Object.defineProperty(this, '_backend', { value: new QueueBackend(this, (name, opts) => new Queue(name, opts)) })
    return this._backend
  }

  /** BullMQ's raw-client escape hatch: resolves with a client that answers `info()` and `ping()`. */
  get client() {
    return this.getBackend().client
  }

  /** Closes the queue, and the queues its backend opened for flows read across queues. */
  async close() {
    if (this._backend && !this.closing) await this._backend.closeSiblings()
    return super.close()
  }

  /** What the queue writes to its meta hash when it connects (BullMQ's `metaValues`). */
  get metaValues() {
    const streams = this.opts.streams
    const maxLen = streams && streams.events && streams.events.maxLen != null ? streams.events.maxLen : META.maxLenEvents
    return { 'opts.maxLenEvents': maxLen, version: META.version }
  }

  _jobOpts(opts, field) {
    if (opts != null && (typeof opts !== 'object' || Array.isArray(opts))) throw invalid(field, 'must be an object')
    return Object.keys(this.defaultJobOptions).length ? { ...this.defaultJobOptions, ...(opts || {}) } : opts || {}
  }

  /** Adds a job; resolves with the Job (its `id` is the existing one for a duplicate custom id). Emits `waiting`. */
  async add(name, data, opts) {
    if (!this._telemetry) return this._addJob(name, data, opts)
    return trace(this._telemetry, SpanKind.PRODUCER, this.name, 'add', `${this.name}.${name}`, async (span, metadata) => {
      const job = await this._addJob(name, data, withContext(opts, metadata))
      span.setAttributes({ [A.JobName]: name, [A.JobId]: job.id })
      return job
    })
  }

  async _addJob(name, data, opts) {
    const job = await Job.create(this, name, data, this._jobOpts(opts, 'opts'))
    this.emit('waiting', job)
    return job
  }

  /** Adds many jobs in one round trip: `[{ name, data, opts }]`. */
  async addBulk(jobs) {
    if (!this._telemetry) return this._addBulk(jobs)
    return trace(this._telemetry, SpanKind.PRODUCER, this.name, 'addBulk', this.name, async (span, metadata) => {
      if (!Array.isArray(jobs)) return this._addBulk(jobs)
      span.setAttributes({ [A.BulkNames]: jobs.map((j) => j && j.name), [A.BulkCount]: jobs.length })
      return this._addBulk(jobs.map((j) => (j && typeof j === 'object' ? { ...j, opts: withContext(j.opts, metadata, true) } : j)))
    })
  }

  async _addBulk(jobs) {
    if (!Array.isArray(jobs)) throw invalid('jobs', 'must be an array of { name, data, opts }')
    return Job.createBulk(this, jobs.map((j, i) => (j && typeof j === 'object' ? { ...j, opts: this._jobOpts(j.opts, `jobs[${i}].opts`) } : j)))
  }

  /** Creates or updates a job scheduler; resolves with its next iteration (see job-scheduler.js). */
  async upsertJobScheduler(id, repeatOpts, jobTemplate) { return schedulers.upsertJobScheduler(this, Job, id, repeatOpts, jobTemplate) }
  async getJobScheduler(id) { return schedulers.getJobScheduler(this, id) }
  async getJobSchedulers(start, end, asc) { return schedulers.getJobSchedulers(this, start, end, asc) }
  async getJobSchedulersCount() { return this._native.getJobSchedulersCount() }
  /** Removes a scheduler and its delayed iteration; resolves with whether it existed. */
  async removeJobScheduler(id) { return this._native.removeJobScheduler(idOf(id, 'id')) }

  /** Removes a job (and its flow children unless `removeChildren: false`); resolves 1 (and emits `removed` with the id), or 0 when a worker holds it. */
  async remove(id, { removeChildren = true } = {}) {
    const removed = await this._native.removeJob(idOf(id, 'id'), !!removeChildren)
    if (removed) this.emit('removed', String(id))
    return removed ? 1 : 0
  }

  /** Stores a job's progress; emits `progress` with the id and the progress. */
  async updateJobProgress(jobId, progress) {
    await this._native.updateProgress(idOf(jobId, 'jobId'), toJson(progress, 'progress'))
    this.emit('progress', jobId, progress)
  }

  /** Appends a line to a job's log, keeping the last `keepLogs` lines; resolves with the count. */
  async addJobLog(jobId, logRow, keepLogs) {
    return Job.addJobLog(this, jobId, logRow, keepLogs)
  }

  /** Pauses the queue for every worker. */
  async pause() {
    await this._native.pause()
    this.emit('paused')
  }

  /** Resumes the queue. */
  async resume() {
    await this._native.resume()
    this.emit('resumed')
  }

  async isPaused() {
    return this._native.isPaused()
  }

  /** Removes up to `limit` (0 = all) `type` jobs older than `grace` ms; resolves with their ids. */
  async clean(grace, limit, type = 'completed') {
    return trace(this._telemetry, SpanKind.INTERNAL, this.name, 'clean', this.name, async (span) => {
      // As BullMQ: 'waiting' is the `wait` list, and 'cleaned' names it so.
      const state = str(type, 'type') === 'waiting' ? 'wait' : type
      const ids = await this._native.clean(grace, limit, state)
      this.emit('cleaned', ids, state)
      const counts = { [A.QueueGrace]: grace, [A.JobType]: type, [A.QueueCleanLimit]: limit || Infinity, [A.QueueCleanCount]: ids.length }
      if (span) span.setAttributes(counts)
      return ids
    })
  }

  /** Removes all waiting jobs (and delayed ones when `delayed`). */
  async drain(delayed = false) {
    await this._native.drain(!!delayed)
  }

  /** Deletes the queue and everything in it (refuses with active jobs unless `force`). */
  async obliterate(opts = {}) {
    await this._native.obliterate(!!(opts && opts.force))
  }

  /** Moves failed (or completed) jobs back to wait. */
  async retryJobs(opts = {}) {
    const { count = 1000, state = 'failed', timestamp } = opts || {}
    await this._native.retryJobs(state, count, timestamp)
  }

  /** Moves every delayed job to wait now. */
  async promoteJobs(opts = {}) {
    await this._native.promoteJobs((opts && opts.count) || 1000)
  }

  /** Trims the events stream to about `maxLength` entries. */
  async trimEvents(maxLength) {
    return this._native.trimEvents(maxLength)
  }

  /** Caps how many of this queue's jobs run at once across all workers. */
  async setGlobalConcurrency(concurrency) {
    if (!Number.isInteger(concurrency) || concurrency < 1) throw invalid('concurrency', 'must be an integer >= 1')
    await this._native.setGlobalConcurrency(concurrency)
  }

  async removeGlobalConcurrency() {
    await this._native.setGlobalConcurrency(0)
  }

  /** A rate limit shared by every worker of the queue: at most `max` jobs per `duration` ms. */
  async setGlobalRateLimit(max, duration) {
    if (!Number.isInteger(max) || max < 1) throw invalid('max', 'must be an integer >= 1')
    if (!Number.isInteger(duration) || duration < 1) throw invalid('duration', 'must be an integer >= 1')
    await this._native.setGlobalRateLimit(max, duration)
  }

  async removeGlobalRateLimit() {
    await this._native.setGlobalRateLimit(0, 0)
  }

  /** Rate-limits the whole queue for `expireTimeMs`. */
  async rateLimit(expireTimeMs) {
    await this._native.rateLimit(expireTimeMs)
  }

  async removeDeduplicationKey(id) {
    return this._native.removeDeduplicationKey(idOf(id, 'id'))
  }

  /** Removes a deduplication key (BullMQ's deprecated name of removeDeduplicationKey). */
  async removeDebounceKey(id) {
    return this.removeDeduplicationKey(id)
  }

  /** Deletes the priority set BullMQ < 5 kept; resolves 1 if it existed, else 0. */
  async removeDeprecatedPriorityKey() {
    return this._native.removeDeprecatedPriorityKey()
  }

  /** Ends a rate limit now; resolves 1 if there was one, else 0. */
  async removeRateLimitKey() {
    return this._native.removeRateLimitKey()
  }

  /** Whether the global concurrency is used up by the jobs now active. */
  async isMaxed() {
    return this._native.isMaxed()
  }

  /** The `version` in the queue's meta hash (what wrote it: `bullmq:<version>`), or null. */
  async getVersion() {
    return this._native.getVersion()
  }

  /**
   * Removes job data no state holds (left by an old removal): scans `count`
   * keys per step, stops after about `limit` jobs (0 = all); resolves with how many.
   */
  async removeOrphanedJobs(count = 1000, limit = 0) {
    return this._native.removeOrphanedJobs(count, limit)
  }

  /**
   * The queue's job counts and completed / failed totals in Prometheus' text
   * format; `globalVariables` become extra labels (e.g. `{ env: 'prod' }`).
   */
  async exportPrometheusMetrics(globalVariables) {
    return prometheus.exportPrometheusMetrics(this, globalVariables)
  }
}

module.exports = { Queue }
