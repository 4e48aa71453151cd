'use strict'
// Job: one job as BullMQ's Job class. Its methods go through the native queue
// handle of the queue (or worker) it belongs to; the plain-object forms
// (asJSON, fromJSON, ...) are in job-json.js.

const { FerroqError, invalid } = require('./errors.js')
const { decideBackoff, errorPayload } = require('./failure.js')
const { toJson, text, str, optsJson, idOf } = require('./convert.js')
const json = require('./job-json.js')
const flow = require('./job-flow.js')
const { recordSettled } = require('./telemetry.js')

/** The guarded native queue handle of `queue` (a Queue, a Worker or a worker's job view). */
function nativeOf(queue) {
  return queue._jobNative || queue._native
}

/** `[name, dataJson, optsJson, timestamp]` of one job for the native add calls; `at` (`jobs[i].`) prefixes field names in errors. */
function addEntry(job, at = '') {
  return [job.name, toJson(job.data, `${at}data`), optsJson(job.opts, `${at}opts`), job.timestamp]
}

/** A job, as BullMQ's Job class. */
class Job {
  constructor(queue, name, data, opts = {}, id) {
    this.queue = queue
    this.name = name
    this.data = data
    this.id = id
    this.progress = 0
    this.returnvalue = null
    this.stacktrace = null
    this.attemptsStarted = 0
    this.attemptsMade = 0
    this.stalledCounter = 0
    const { repeatJobKey, ...rest } = opts || {}
    this.opts = { attempts: 0, ...rest }
    this.delay = this.opts.delay
    this.priority = this.opts.priority || 0
    this.repeatJobKey = repeatJobKey
    this.timestamp = opts && opts.timestamp ? opts.timestamp : Date.now()
    this.opts.backoff = json.normalizeBackoff(opts && opts.backoff)
    if (opts && opts.parent) {
      this.parentKey = `${opts.parent.queue}:${opts.parent.id}`
      this.parent = flow.parentOf(opts)
    }
    this.deduplicationId = this.opts.deduplication ? this.opts.deduplication.id : undefined
    this.queueQualifiedName = queue && queue.qualifiedName
    const qualified = this.queueQualifiedName
    this.toKey = (type) => `${qualified}:${type}`
  }

  /** Adds a job to `queue` (a Queue or Worker); resolves with the Job. BullMQ's `Job.create`. */
  static async create(queue, name, data, opts) {
    if (typeof name !== 'string') throw invalid('name', 'job name must be a string')
    const job = new this(queue, name, data, opts, opts && opts.jobId)
    job.id = await nativeOf(queue).add(...addEntry(job))
    return job
  }

  /** Adds jobs (`[{ name, data, opts }]`) to `queue` atomically. BullMQ's `Job.createBulk`. */
  static async createBulk(queue, jobs) {
    if (!Array.isArray(jobs)) throw invalid('jobs', 'must be an array of { name, data, opts }')
    const list = jobs.map((j, i) => {
      if (!j || typeof j !== 'object') throw invalid(`jobs[${i}]`, 'must be { name, data, opts }')
      if (typeof j.name !== 'string') throw invalid(`jobs[${i}].name`, 'job name must be a string')
      if (j.opts != null && (typeof j.opts !== 'object' || Array.isArray(j.opts))) throw invalid(`jobs[${i}].opts`, 'must be an object')
      return new this(queue, j.name, j.data, j.opts, j.opts && j.opts.jobId)
    })
    const ids = await nativeOf(queue).addBulk(JSON.stringify(list.map((job, i) => addEntry(job, `jobs[${i}].`))))
    list.forEach((job, i) => {
      job.id = ids[i]
    })
    return list
  }

  /** BullMQ's `Job.fromJSON(queue, json, jobId)` (json as `asJSON()` gives it). */
  static fromJSON(queue, raw, jobId) {
    return json.fromJSON(this, queue, raw, jobId)
  }

  /** A Job from the engine's job JSON object (ferroq's internal form). */
  static fromEngine(queue, raw) {
    return json.fromEngine(this, queue, raw)
  }

  /** BullMQ's `Job.optsFromJSON`: stored opts JSON text -> options object. */
  static optsFromJSON(rawOpts, optsDecode) {
    return json.optsFromJSON(rawOpts, optsDecode)
  }

  /** The job with this id in `queue`, or undefined (BullMQ's `Job.fromId`). */
  static async fromId(queue, jobId) {
    if (!jobId) return undefined
    const raw = await nativeOf(queue).getJob(idOf(jobId, 'jobId'))
    return raw === null ? undefined : this.fromEngine(queue, JSON.parse(raw))
  }

  /** Appends `logRow` to job `jobId`'s log; resolves with the number of lines. */
  static async addJobLog(queue, jobId, logRow, keepLogs) {
    return nativeOf(queue).addLog(idOf(jobId, 'jobId'), text(logRow, 'logRow'), keepLogs)
  }

  get _native() {
    return nativeOf(this.queue)
  }

  /** The name of the job's queue. */
  get queueName() {
    return this.queue && this.queue.name
  }

  /** The key prefix of the job's queue. */
  get prefix() {
    const q = this.queueQualifiedName || ''
    const name = this.queueName || ''
    return q.length > name.length + 1 ? q.slice(0, q.length - name.length - 1) : ''
  }

  /** Stores progress (a number or an object) and emits `progress` on the queue. */
  async updateProgress(progress) {
    // BullMQ 6's JobProgress: string | boolean | number | object.
    if (!['number', 'string', 'boolean', 'object'].includes(typeof progress) || progress === null) {
      throw invalid('progress', 'must be a number, a string, a boolean or an object')
    }
    await this._native.updateProgress(this.id, toJson(progress, 'progress'))
    this.progress = progress
    if (this.queue && typeof this.queue.emit === 'function') this.queue.emit('progress', this, progress)
  }

  /** Appends a line to the job's log; resolves with the number of lines. */
  async log(row) {
    return Job.addJobLog(this.queue, this.id, row, this.opts.keepLogs)
  }

  /** Deletes the job's log, or keeps only its last `keepLogs` lines. */
  async clearLogs(keepLogs) {
    if (keepLogs != null && (!Number.isInteger(keepLogs) || keepLogs < 0)) throw invalid('keepLogs', 'must be an integer >= 0')
    await this._native.clearLogs(this.id, keepLogs || 0)
  }

  /** Extends the job's lock held with `token` by `duration` ms; resolves 1, or 0 when the lock is lost. */
  async extendLock(token, duration) {
    if (typeof token !== 'string') throw invalid('token', 'must be a string')
    if (!Number.isInteger(duration) || duration < 0) throw invalid('duration', 'must be an integer >= 0 (ms)')
    return this._native.extendLock(this.id, token, duration)
  }

  /**
   * Completes the job held with `token` (manual processing). With `fetchNext`
   * (the default, as BullMQ) the next job is taken under the same token and
   * resolved as `[jobJson, jobId, 0, 0]` (`[]` when none; see Job.fromJSON).
   */
  async moveToCompleted(returnValue, token, fetchNext = true) {
    const r = await this._settle(token, true, toJson(returnValue, 'returnValue'), fetchNext)
    this.returnvalue = returnValue || undefined
    this.finishedOn = r.finishedOn
    this.attemptsMade = r.attemptsMade
    return this._nextOf(r, fetchNext)
  }

  /**
   * Fails the attempt of the job held with `token` (manual processing): it is
   * retried (after its backoff) while attempts remain, else failed; resolves
   * as moveToCompleted does with `fetchNext` (false by default, as BullMQ).
   */
  async moveToFailed(err, token, fetchNext = false) {
    const worker = this.queue && this.queue._worker
    const owner = worker || { opts: {}, _emitError: () => {} }
    const backoff = await new Promise((resolve) => decideBackoff(owner, this, err, resolve))
    const r = await this._settle(token, false, errorPayload(err, backoff), fetchNext)
    this.failedReason = r.failedReason
    if (r.stacktrace !== undefined && r.stacktrace !== null) this.stacktrace = JSON.parse(r.stacktrace)
    if (r.finishedOn !== undefined && r.finishedOn !== null) this.finishedOn = r.finishedOn
    if (r.delay !== undefined && r.delay !== null) this.delay = r.delay
    this.attemptsMade = r.attemptsMade
    // As BullMQ: a retry now (its retryJob) answers nothing, a retry later
    // (its moveToDelayed) answers [] or, with fetchNext, the next job.
    if (r.state === 'retrying') return r.delay ? this._nextOf(r, true) : undefined
    return this._nextOf(r, fetchNext)
  }

  /** Moves the job held with `token` back to wait, attempt not counted; resolves with the rate limit's remaining ms. */
  async moveToWait(token) {
    return this._native.moveToWait(this.id, token || '0')
  }

  // Settles through the worker that took the job (its options apply), else the queue handle.
  async _settle(token, ok, payload, fetchNext) {
    if (typeof token !== 'string') throw invalid('token', 'must be a string')
    const worker = this.queue && this.queue._worker
    const native = worker ? worker._native : this._native
    const r = await native.settleJob(this.id, token, ok, payload, !!fetchNext)
    recordSettled(this.queue, this, r)
    return r
  }

  _nextOf(r, fetchNext) {
    if (!fetchNext) return undefined
    if (r.next === null || r.next === undefined) return []
    const next = Job.fromEngine(this.queue, JSON.parse(r.next))
    return [next.asJSON(), next.id, 0, 0]
  }

  /** The job's current state (`completed`, `failed`, `delayed`, `active`, `waiting`, ...). */
  async getState() {
    return this._native.getState(this.id)
  }

  async isCompleted() { return (await this.getState()) === 'completed' }
  async isFailed() { return (await this.getState()) === 'failed' }
  async isDelayed() { return (await this.getState()) === 'delayed' }
  async isActive() { return (await this.getState()) === 'active' }
  async isWaiting() { return (await this.getState()) === 'waiting' }
  async isWaitingChildren() { return (await this.getState()) === 'waiting-children' }
  async isPrioritized() { return (await this.getState()) === 'prioritized' }

  /**
   * Removes the job's deduplication key if this job still holds it; resolves
   * true when it did (BullMQ's `job.removeDeduplicationKey`).
   */
  async removeDeduplicationKey() {
    if (!this.deduplicationId) return false
    return (await this._native.removeDeduplicationKeyOf(String(this.deduplicationId), this.id)) > 0
  }

  /** Removes the job (and its flow children unless `removeChildren: false`); fails if a worker holds it. Emits `removed` on the queue. */
  async remove({ removeChildren = true } = {}) {
    const removed = await this._native.removeJob(this.id, !!removeChildren)
    if (!removed) {
      throw new FerroqError('ERR_FERROQ_JOB_LOCKED', `Job ${this.id} could not be removed because it is locked by another worker`)
    }
    if (this.queue && typeof this.queue.emit === 'function') this.queue.emit('removed', this)
  }

  // Flows (job-flow.js).
  async getChildrenValues() { return flow.getChildrenValues(this) }
  async getIgnoredChildrenFailures() { return flow.getIgnoredChildrenFailures(this) }
  /** The same as getIgnoredChildrenFailures (BullMQ's older name). */
  async getFailedChildrenValues() { return flow.getIgnoredChildrenFailures(this) }
  async getDependencies(opts = {}) { return flow.getDependencies(this, opts) }
  async getDependenciesCount(opts = {}) { return flow.getDependenciesCount(this, opts) }
  async moveToWaitingChildren(token, opts = {}) { return flow.moveToWaitingChildren(this, token, opts) }
  async removeChildDependency() { return flow.removeChildDependency(this) }
  async removeUnprocessedChildren() { return flow.removeUnprocessedChildren(this) }

  /** Replaces the job's data. */
  async updateData(data) {
    await this._native.updateData(this.id, toJson(data, 'data'))
    this.data = data
  }

  /** Gives a delayed job a new delay (ms from now). */
  async changeDelay(delay) {
    if (typeof delay !== 'number' || !Number.isFinite(delay) || delay < 0) throw invalid('delay', 'must be a number >= 0')
    await this._native.changeDelay(this.id, Math.floor(delay))
    this.delay = Math.floor(delay)
  }

  /** Sets the job's priority (`{ priority, lifo }`); a waiting job moves to its new place. */
  async changePriority(opts = {}) {
    const priority = opts && opts.priority != null ? opts.priority : 0
    if (!Number.isInteger(priority) || priority < 0) throw invalid('priority', 'must be an integer >= 0')
    await this._native.changePriority(this.id, priority, !!(opts && opts.lifo))
    this.priority = priority
  }

  /** Moves a delayed job to wait now. */
  async promote() {
    await this._native.promote(this.id)
    this.delay = 0
  }

  /** Parks this (active) job in delayed until `timestamp`; throw `DelayedError` after it. */
  async moveToDelayed(timestamp, token = this.token) {
    if (typeof timestamp !== 'number' || !Number.isFinite(timestamp)) throw invalid('timestamp', 'must be a number (ms since epoch)')
    await this._native.moveToDelayed(this.id, token || '0', timestamp)
    this.delay = Math.max(0, timestamp - Date.now())
  }

  /** Moves a failed (or completed) job back to wait. */
  async retry(state = 'failed', opts = {}) {
    // The job's own lifo, as BullMQ passes it: one script call, so retries reach Redis in call order.
    await this._native.retryJob(this.id, str(state, 'state'), !!opts.resetAttemptsMade, !!opts.resetAttemptsStarted, !!(this.opts && this.opts.lifo))
    // As BullMQ: what the finished attempt left is cleared to null.
    this.failedReason = null
    this.finishedOn = null
    this.processedOn = null
    this.returnvalue = null
    if (opts.resetAttemptsMade) this.attemptsMade = 0
    if (opts.resetAttemptsStarted) this.attemptsStarted = 0
  }

  /**
   * Resolves with the return value once the job completes (rejects with its
   * failedReason when it fails), as seen by `queueEvents`; `ttl` ms bounds the
   * wait. A job that no longer exists rejects at once, as with BullMQ.
   */
  async waitUntilFinished(queueEvents, ttl) {
    if (!queueEvents || typeof queueEvents.waitUntilReady !== 'function') throw invalid('queueEvents', 'must be a QueueEvents')
    const id = this.id
    const key = this.toKey(id)
    await queueEvents.waitUntilReady()
    return new Promise((resolve, reject) => {
      let timer
      const done = () => {
        clearTimeout(timer)
        queueEvents.off(`completed:${id}`, onCompleted)
        queueEvents.off(`failed:${id}`, onFailed)
        if (this.queue && typeof this.queue.off === 'function') this.queue.off('closing', onClosing)
      }
      const onCompleted = (args) => {
        done()
        resolve(args.returnvalue)
      }
      const onFailed = (args) => {
        done()
        reject(new Error(args.failedReason))
      }
      const onClosing = (msg) => onFailed({ failedReason: msg })
      queueEvents.on(`completed:${id}`, onCompleted)
      queueEvents.on(`failed:${id}`, onFailed)
      if (this.queue && typeof this.queue.on === 'function') this.queue.on('closing', onClosing)
      if (ttl) {
        timer = setTimeout(() => onFailed({
          failedReason: `Job wait ${this.name} timed out before finishing, no finish notification arrived after ${ttl}ms (id=${id})`,
        }), ttl)
      }
      // It may have finished (or been removed) before we started listening.
      this._native
        .getJob(String(id))
        .then((raw) => {
          if (raw === null) return onFailed({ failedReason: `Missing key for job ${key}. isFinished` })
          const j = JSON.parse(raw)
          if (j.finishedOn === undefined) return
          if (j.failedReason !== undefined && j.returnvalue === undefined) onFailed({ failedReason: j.failedReason })
          else onCompleted({ returnvalue: j.returnvalue === undefined ? null : j.returnvalue })
        })
        .catch((e) => {
          done()
          reject(e)
        })
    })
  }

  /** The job's own fields as a plain object (BullMQ's toJSON: all but the queue). */
  toJSON() {
    const out = {}
    for (const k of Object.keys(this)) if (k !== 'queue' && k[0] !== '_') out[k] = this[k]
    return out
  }

  /** The job as stored: data, failedReason, stacktrace and returnvalue as JSON text (BullMQ's asJSON). */
  asJSON() {
    return json.asJSON(this)
  }

  /** asJSON plus the queue's name, qualified name and prefix (BullMQ's asJSONSandbox). */
  asJSONSandbox() {
    return { ...this.asJSON(), queueName: this.queueName, queueQualifiedName: this.queueQualifiedName, prefix: this.prefix }
  }
}

/** The highest job priority (BullMQ's PRIORITY_LIMIT, 2^21 - 1; the engine checks it). */
const PRIORITY_LIMIT = 2 ** 21 - 1

module.exports = { Job, nativeOf, PRIORITY_LIMIT }
