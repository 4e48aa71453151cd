'use strict'
// Job: one job as BullMQ's Job class. Its methods go through the native handle
// of the queue (or worker) it came from.

const { FerroqError, invalid } = require('./errors.js')
const { toJson, text, str } = require('./convert.js')
const { decodeOpts } = require('./opts-names.js')

/** A job, as BullMQ's Job class. */
class Job {
  constructor(queue, name, data, opts = {}, id) {
    this.queue = queue
    this.name = name
    this.data = data
    this.opts = opts
    this.id = id
    this.progress = 0
    this.returnvalue = null
    this.stacktrace = []
    this.attemptsMade = 0
    this.attemptsStarted = 0
    this.stalledCounter = 0
    this.delay = opts.delay || 0
    this.priority = opts.priority || 0
    this.timestamp = opts.timestamp || Date.now()
    this.failedReason = undefined
    this.finishedOn = undefined
    this.processedOn = undefined
    this.queueName = queue && queue.name
    this.prefix = queue && queue.prefix
    this.queueQualifiedName = queue && `${queue.prefix}:${queue.name}`
  }

  /** Builds a job from the engine's JSON object. */
  static fromJSON(queue, raw) {
    const job = new Job(queue, raw.name, raw.data, decodeOpts(raw.opts), raw.id)
    job.timestamp = raw.timestamp
    job.delay = raw.delay
    job.priority = raw.priority
    job.processedOn = raw.processedOn
    job.finishedOn = raw.finishedOn
    job.attemptsMade = raw.attemptsMade
    job.attemptsStarted = raw.attemptsStarted
    job.stalledCounter = raw.stalledCounter
    if (raw.progress !== undefined) job.progress = raw.progress
    if (raw.returnvalue !== undefined) job.returnvalue = raw.returnvalue
    job.failedReason = raw.failedReason
    if (raw.stacktrace !== undefined) job.stacktrace = Array.isArray(raw.stacktrace) ? raw.stacktrace : []
    if (raw.processedBy !== undefined) job.processedBy = raw.processedBy
    if (raw.deduplicationId !== undefined) job.deduplicationId = raw.deduplicationId
    if (raw.parentKey !== undefined) job.parentKey = raw.parentKey
    if (raw.repeatJobKey !== undefined) job.repeatJobKey = raw.repeatJobKey
    if (raw.token !== undefined) job.token = raw.token
    return job
  }

  get _native() {
    return this.queue._native
  }

  /** Stores progress (a number or an object) and emits `progress`. */
  async updateProgress(progress) {
    // BullMQ 6's JobProgress: string | boolean | number | object.
    if (!['number', 'string', 'boolean', 'object'].includes(typeof progress) || progress === null) {
      throw invalid('progress', 'must be a number, a string, a boolean or an object')
    }
    await this._native.updateProgress(this.id, toJson(progress, 'progress'))
    this.progress = progress
    if (this.queue && typeof this.queue.emit === 'function' && this.queue.listenerCount('progress') > 0) {
      this.queue.emit('progress', this, progress)
    }
  }

  /** Appends a line to the job's log; resolves with the number of lines. */
  async log(row) {
    return this._native.addLog(this.id, text(row, 'row'), this.opts.keepLogs)
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
  async isPrioritized() { return (await this.getState()) === 'prioritized' }

  /** Removes the job; fails if a worker holds it. */
  async remove() {
    const removed = await this._native.remove(this.id)
    if (!removed) {
      throw new FerroqError('ERR_FERROQ_JOB_LOCKED', `Job ${this.id} could not be removed because it is locked by another worker`)
    }
  }

  /** The job with this id in `queue`, or undefined (BullMQ's `Job.fromId`). */
  static async fromId(queue, jobId) {
    return queue.getJob(jobId)
  }

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
    const priority = (opts && opts.priority) || 0
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
    await this._native.moveToDelayed(this.id, token || '0', timestamp)
  }

  /** Moves a failed (or completed) job back to wait. */
  async retry(state = 'failed', opts = {}) {
    await this._native.retryJob(this.id, str(state, 'state'), !!opts.resetAttemptsMade, !!opts.resetAttemptsStarted)
    this.failedReason = undefined
    this.finishedOn = undefined
    this.processedOn = undefined
    this.returnvalue = null
    if (opts.resetAttemptsMade) this.attemptsMade = 0
    if (opts.resetAttemptsStarted) this.attemptsStarted = 0
  }

  /**
   * Resolves with the return value once the job completes (rejects with its
   * failedReason when it fails), as seen by `queueEvents`; `ttl` ms bounds the wait.
   */
  async waitUntilFinished(queueEvents, ttl) {
    const id = this.id
    return new Promise((resolve, reject) => {
      let timer
      const done = () => {
        clearTimeout(timer)
        queueEvents.off(`completed:${id}`, onCompleted)
        queueEvents.off(`failed:${id}`, onFailed)
      }
      const onCompleted = (args) => {
        done()
        resolve(args.returnvalue)
      }
      const onFailed = (args) => {
        done()
        reject(new Error(args.failedReason))
      }
      queueEvents.on(`completed:${id}`, onCompleted)
      queueEvents.on(`failed:${id}`, onFailed)
      if (ttl) {
        timer = setTimeout(() => {
          done()
          reject(new Error(`Job wait ${this.name} timed out before finishing, no finish notification arrived after ${ttl}ms (id=${id})`))
        }, ttl)
      }
      // It may have finished before we started listening.
      this._native
        .getJob(String(id))
        .then((raw) => {
          if (raw === null) return
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

  /** The job's fields as a plain object (BullMQ's asJSON shape, values parsed). */
  toJSON() {
    const { queue, ...rest } = this
    return rest
  }

  asJSON() {
    return {
      id: this.id,
      name: this.name,
      data: JSON.stringify(this.data),
      opts: JSON.stringify(this.opts),
      progress: JSON.stringify(this.progress),
      attemptsMade: this.attemptsMade,
      attemptsStarted: this.attemptsStarted,
      finishedOn: this.finishedOn,
      processedOn: this.processedOn,
      timestamp: this.timestamp,
      failedReason: JSON.stringify(this.failedReason),
      stacktrace: JSON.stringify(this.stacktrace),
      returnvalue: JSON.stringify(this.returnvalue),
      delay: this.delay,
      priority: this.priority,
    }
  }
}

module.exports = { Job }
