'use strict'
// QueueGetters: the reading half of BullMQ's Queue (its QueueGetters base
// class): jobs, counts, ranges, logs, meta, limits, metrics and the clients
// connected to the queue. Every read happens in the engine (NativeQueue).

const { QueueBase } = require('./queue-base.js')
const { invalid } = require('./errors.js')
const { str, idOf, int } = require('./convert.js')
const { Job } = require('./job.js')
const { MetricNames, TelemetryAttributes: A } = require('./enums.js')

const DEFAULT_COUNT_TYPES = ['active', 'completed', 'delayed', 'failed', 'prioritized', 'waiting', 'waiting-children']
const ALL_STATES = ['active', 'completed', 'delayed', 'failed', 'paused', 'prioritized', 'waiting', 'waiting-children']

function typesOf(types, fallback) {
  const flat = (Array.isArray(types) ? types : [types]).flat().filter((t) => t !== undefined)
  const list = flat.length ? flat : fallback
  for (const t of list) if (typeof t !== 'string') throw invalid('types', 'must be state names')
  return list
}

/** CLIENT LIST entries as BullMQ gives them: `name` is the queue's, `rawname` the connection's. */
function clients(queue, list) {
  return list.map((c) => ({ ...c, rawname: c.name, name: queue.name }))
}

/** The reads of a queue. BullMQ's `QueueGetters`; `Queue` extends it. */
class QueueGetters extends QueueBase {
  /** The job with this id, or undefined. */
  async getJob(id) {
    // As BullMQ: no id, no job.
    if (id === undefined || id === null || id === '') return undefined
    const raw = await this._native.getJob(idOf(id, 'id'))
    return raw === null ? undefined : Job.fromEngine(this, JSON.parse(raw))
  }

  /** `{ state: count }` for the given states (BullMQ 6's default list when none). */
  async getJobCounts(...types) {
    const list = typesOf(types, DEFAULT_COUNT_TYPES)
    const counts = await this._native.getJobCounts(list)
    const out = {}
    for (let i = 0; i < list.length; i++) out[list[i]] = counts[i]
    return out
  }

  /** The sum of the counts of the given states. */
  async getJobCountByTypes(...types) {
    const counts = await this.getJobCounts(...types)
    return Object.values(counts).reduce((a, b) => a + b, 0)
  }

  /** Jobs still to be processed: waiting, paused, delayed, prioritized and waiting-children. */
  async count() {
    return this.getJobCountByTypes('waiting', 'paused', 'delayed', 'prioritized', 'waiting-children')
  }

  async getWaitingCount() { return this.getJobCountByTypes('waiting') }
  async getActiveCount() { return this.getJobCountByTypes('active') }
  async getDelayedCount() { return this.getJobCountByTypes('delayed') }
  async getCompletedCount() { return this.getJobCountByTypes('completed') }
  async getFailedCount() { return this.getJobCountByTypes('failed') }
  async getPrioritizedCount() { return this.getJobCountByTypes('prioritized') }
  async getWaitingChildrenCount() { return this.getJobCountByTypes('waiting-children') }

  /** Jobs in the given states, `start..end` of each, newest first unless `asc`. */
  async getJobs(types, start = 0, end = -1, asc = false) {
    const list = typesOf(types, ALL_STATES)
    for (const [field, v] of [['start', start], ['end', end]]) {
      if (!Number.isInteger(v)) throw invalid(field, 'must be an integer')
    }
    const raw = JSON.parse(await this._native.getJobs(list, start, end, !!asc))
    return raw.map((r) => Job.fromEngine(this, r))
  }

  async getWaiting(start = 0, end = -1) { return this.getJobs(['waiting'], start, end, true) }
  async getActive(start = 0, end = -1) { return this.getJobs(['active'], start, end, true) }
  async getDelayed(start = 0, end = -1) { return this.getJobs(['delayed'], start, end, true) }
  async getPrioritized(start = 0, end = -1) { return this.getJobs(['prioritized'], start, end, true) }
  async getWaitingChildren(start = 0, end = -1) { return this.getJobs(['waiting-children'], start, end, true) }
  async getCompleted(start = 0, end = -1) { return this.getJobs(['completed'], start, end, false) }
  async getFailed(start = 0, end = -1) { return this.getJobs(['failed'], start, end, false) }

  /** The state of a job by id. */
  async getJobState(id) {
    return this._native.getState(idOf(id, 'id'))
  }

  /** `{ logs, count }` of a job's log. */
  async getJobLogs(id, start = 0, end = -1, asc = true) {
    return this._native.getJobLogs(idOf(id, 'id'), int(start, 'start'), int(end, 'end'), !!asc)
  }

  /** The global concurrency cap, or null. */
  async getGlobalConcurrency() {
    return this._native.getGlobalConcurrency()
  }

  /** `{ max, duration }` of the global rate limit, or null. */
  async getGlobalRateLimit() {
    const v = await this._native.getGlobalRateLimit()
    return v ? { max: v[0], duration: v[1] } : null
  }

  /** Per-minute completed/failed counts kept by workers with `metrics` on. */
  async getMetrics(type, start = 0, end = -1) {
    return this._native.getMetrics(str(type, 'type'), int(start, 'start'), int(end, 'end'))
  }

  async getRateLimitTtl(maxJobs) {
    return this._native.getRateLimitTtl(maxJobs)
  }

  /** The id of the job that holds deduplication id `id`, or null. */
  async getDeduplicationJobId(id) {
    return this._native.getDeduplicationJobId(idOf(id, 'id'))
  }

  /** The connections of this queue's workers (from CLIENT LIST), as BullMQ's getWorkers. */
  async getWorkers() {
    return clients(this, await this._native.getWorkers())
  }

  async getWorkersCount() {
    return (await this.getWorkers()).length
  }

  /**
   * The queue's meta hash as BullMQ's getMeta gives it: `concurrency`, `max`,
   * `duration` and `maxLenEvents` as numbers, `paused` as a boolean, the rest
   * (`version`, ...) as stored.
   */
  async getMeta() {
    const { concurrency, max, duration, paused, 'opts.maxLenEvents': maxLenEvents, ...rest } = await this._native.getMeta()
    const out = rest
    if (concurrency) out.concurrency = Number(concurrency)
    if (maxLenEvents) out.maxLenEvents = Number(maxLenEvents)
    if (max) out.max = Number(max)
    if (duration) out.duration = Number(duration)
    out.paused = paused === '1'
    return out
  }

  /**
   * A page (`start`..`end`, -1 = to the last) of parent `parentId`'s children,
   * `processed` or pending (any other `type`), as BullMQ's: `{ items, jobs,
   * total }` with items `{ id: <child key> }` (processed ones `{ id, v: value }`)
   * and the children's stored jobs (as the queue backend's getJobData gives them).
   */
  async getDependencies(parentId, type, start = 0, end = -1) {
    const backend = this.getBackend()
    const deps = await backend.getDependencies(idOf(parentId, 'parentId'))
    const all = type === 'processed'
      ? Object.entries(deps.processed || {}).map(([id, v]) => ({ id, v }))
      : (deps.unprocessed || []).map((id) => ({ id }))
    const items = all.slice(Number(start), Number(end) < 0 ? undefined : Number(end) + 1)
    const jobs = []
    for (const { id: key } of items) {
      const { prefix, queueName, id } = backend.parseNodeKey(key)
      const job = await backend.forQueue(queueName, prefix).getJobData(id)
      if (job) jobs.push(job)
    }
    return { items, jobs, total: all.length }
  }

  /** getJobCounts, also recorded on `telemetry.meter`'s jobs gauge per state (BullMQ's recordJobCountsMetric). */
  async recordJobCountsMetric(...types) {
    const counts = await this.getJobCounts(...types)
    const meter = this.opts.telemetry && this.opts.telemetry.meter
    if (meter) {
      const gauge = meter.createGauge(MetricNames.QueueJobsCount, { description: 'jobs in the queue per state', unit: '{jobs}' })
      for (const [state, n] of Object.entries(counts)) gauge.record(n, { [A.QueueName]: this.name, [A.QueueJobsState]: state })
    }
    return counts
  }

  /** `{ [priority]: count }` of jobs waiting with each priority (0 = the wait list). */
  async getCountsPerPriority(priorities) {
    if (!Array.isArray(priorities)) throw invalid('priorities', 'must be an array of numbers')
    const unique = [...new Set(priorities)]
    const counts = await this._native.getCountsPerPriority(unique)
    const out = {}
    unique.forEach((p, i) => {
      out[`${p}`] = counts[i] || 0
    })
    return out
  }

  /** Job ids in the given states, `start..end` of each (BullMQ's getRanges; its default `end` is 1). */
  async getRanges(types, start = 0, end = 1, asc = false) {
    const list = typesOf(types, [])
    for (const [field, v] of [['start', start], ['end', end]]) {
      if (!Number.isInteger(v)) throw invalid(field, 'must be an integer')
    }
    return this._native.getRanges(list, start, end, !!asc)
  }

  /** The id of the job that holds deduplication id `id` (BullMQ's deprecated name). */
  async getDebounceJobId(id) {
    return this.getDeduplicationJobId(id)
  }

  /** The Job class this queue builds jobs with (BullMQ's `queue.Job`). */
  get Job() {
    return Job
  }

  /** The connections of this queue's QueueEvents readers (from CLIENT LIST). */
  async getQueueEvents() {
    return clients(this, await this._native.getQueueEventsClients())
  }
}

module.exports = { QueueGetters }
