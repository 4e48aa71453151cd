'use strict'
// Worker: runs the app's processor for a queue's jobs, as BullMQ's Worker. The
// engine (NativeWorker) fetches jobs and settles outcomes; batches of fetched
// jobs, settled outcomes and events arrive through one callback, and outcomes
// go back to Rust in one call per tick (the outbox). Keep the per-job path
// (_onBatch, _start, _complete, _report, _flushOutbox) free of extra work.

const { randomUUID } = require('node:crypto')
const { NativeWorker } = require('./native.js')
const { SafeEmitter } = require('./emitter.js')
const { FerroqError, invalid } = require('./errors.js')
const { UnrecoverableError, RateLimitError } = require('./outcome-errors.js')
const { nativeOpts, checkName } = require('./convert.js')
const { describeConnection } = require('./connection.js')
const { decideBackoff, errorPayload, asError } = require('./failure.js')
const { checkWorkerOpts, checkConcurrency, engineOpts } = require('./worker-opts.js')
const { Job } = require('./job.js')
const { nextJob, pause } = require('./worker-manual.js')
const { createSandbox, isProcessorFile } = require('./sandbox.js')
const { checkTelemetry, runTraced, settledTelemetry, TelemetryAttributes: A } = require('./telemetry.js')

/** Errors after which a job is moved or rate limited, not failed: no 'job failed' span event, as with BullMQ. */
const NOT_FAILURES = new Set(['DelayedError', 'WaitingError', 'WaitingChildrenError', 'RateLimitError'])

/** A worker: runs `processor(job)` for the queue's jobs. BullMQ's `Worker`. */
class Worker extends SafeEmitter {
  constructor(name, processor, opts = {}) {
    super()
    checkName(name)
    if (opts != null && typeof opts !== 'object') throw invalid('opts', 'must be an object')
    if (processor != null && typeof processor !== 'function' && !isProcessorFile(processor)) {
      throw invalid('processor', 'must be a function (async job => result), a file path or a file URL')
    }
    // A file path or URL runs in child processes (or worker threads), as with BullMQ.
    this._sandbox = isProcessorFile(processor) ? createSandbox(processor, opts || {}) : null
    if (this._sandbox) processor = this._sandbox.processFn
    this.name = name
    this.opts = { autorun: true, concurrency: 1, ...(opts || {}) }
    checkWorkerOpts(this.opts)
    /** This worker's id (BullMQ's `worker.id`). */
    this.id = randomUUID()
    this.processFn = processor
    this._wantsSignal = typeof processor === 'function' && processor.length >= 3
    this._telemetry = checkTelemetry(this.opts.telemetry)
    const settings = this.opts.settings
    if (settings && settings.backoffStrategy != null && typeof settings.backoffStrategy !== 'function') {
      throw invalid('settings.backoffStrategy', 'must be a function')
    }
    this._backoffStrategy = settings && settings.backoffStrategy
    this._native = new NativeWorker(name, nativeOpts(this.opts), engineOpts(this.opts), (batch) => this._onBatch(batch))
    const handle = this._native.queue()
    this._where = describeConnection(this.opts.connection)
    handle.where = this._where
    this.prefix = handle.prefix
    this.qualifiedName = `${this.prefix}:${name}`
    // The queue handle on the worker's connection, for Job.create(worker, ...) and the like.
    this._jobNative = handle
    // What a job fetched by this worker sees as its queue: job methods go through
    // the worker's connection, and job events are the worker's events.
    this._queue = {
      _native: handle,
      name,
      prefix: this.prefix,
      qualifiedName: this.qualifiedName,
      opts: this.opts,
      _worker: this,
      emit: (...a) => this.emit(...a),
      on: (...a) => this.on(...a),
      off: (...a) => this.off(...a),
      listenerCount: (e) => this.listenerCount(e),
      ping: () => handle.ping(),
    }
    this._active = new Map()
    this._outIds = []
    this._outOks = ''
    this._outPayloads = []
    this._flush = () => this._flushOutbox()
    this._running = null
    this._closing = null
    this._closedSeen = null
    if (this.opts.autorun && processor) {
      this.run().catch((err) => this._emitError(err))
    }
    // 'ready' once Redis answers, whether or not the worker runs (as BullMQ).
    handle.ping().then(
      () => setTimeout(() => this.emit('ready'), 0),
      () => {},
    )
  }

  get concurrency() {
    return this.opts.concurrency
  }

  /** Changes how many jobs run at once, while running too (BullMQ's setter). */
  set concurrency(concurrency) {
    checkConcurrency(concurrency)
    this._native.setConcurrency(Math.ceil(concurrency))
    this.opts.concurrency = concurrency
  }

  /**
   * BullMQ's manual processing: the next job, active and locked with `token`
   * (undefined when none; with `block`, an empty queue is waited on for up to
   * `drainDelay` once it was found empty). Settle it with
   * `job.moveToCompleted(value, token)` / `job.moveToFailed(err, token)`.
   */
  async getNextJob(token, { block = true } = {}) {
    return nextJob(this, token, !!block)
  }

  /** Runs the periodic stalled check for a worker processed by hand, until close (BullMQ's). */
  async startStalledCheckTimer() {
    this._native.startStalledCheckTimer()
  }

  /** Extends the locks of jobs `jobIds[i]` held with `tokens[i]` by `duration` ms; resolves with the ids whose lock was lost. */
  async extendJobLocks(jobIds, tokens, duration) {
    if (!Array.isArray(jobIds) || !Array.isArray(tokens)) throw invalid('jobIds', 'jobIds and tokens must be arrays')
    return this._jobNative.extendLocks(jobIds.map(String), tokens.map(String), duration)
  }

  /** Resolves after `ms` (BullMQ's default 100), or at once when `abortController` aborts. */
  async delay(ms, abortController) {
    return pause(ms || 100, abortController)
  }

  /** The Job class this worker builds jobs with (BullMQ's `worker.Job`). */
  get Job() {
    return Job
  }

  _emitError(err) {
    // With no 'error' listener, SafeEmitter prints it (console.error), as BullMQ does.
    this.emit('error', err)
  }

  /** Starts processing; resolves when the worker has closed. */
  run() {
    if (!this.processFn) {
      return Promise.reject(new FerroqError('ERR_FERROQ_INVALID_OPTION', 'No process function is defined.'))
    }
    if (this._running) {
      return Promise.reject(new FerroqError('ERR_FERROQ_INVALID_OPTION', 'Worker is already running.'))
    }
    if (this._closing) return Promise.reject(new FerroqError('ERR_FERROQ_CLOSED', 'worker is closed'))
    this._native.run()
    this._running = new Promise((resolve) => {
      this._closedSeen = resolve
    })
    return this._running
  }

  _onBatch(json) {
    let d
    try {
      d = JSON.parse(json)
    } catch (e) {
      this._emitError(e)
      return
    }
    // Batches arrive through the ordered channel: an answer Rust produced
    // earlier (a queue.add() resolving, say) has settled, and the code awaiting
    // it has run, before this batch is seen. So code that awaits add() and only
    // then listens still sees 'completed', as with BullMQ.
    for (const s of d.settled) this._settled(s)
    for (const e of d.events) this._event(e)
    for (const raw of d.jobs) this._start(raw)
  }

  // The engine settled the job and says what it wrote (attemptsMade,
  // finishedOn, failedReason, stacktrace, retry delay): the job object copies it.
  _settled(s) {
    const started = this._active.get(s.id)
    const job = started || (s.job ? Job.fromEngine(this._queue, s.job) : undefined)
    this._active.delete(s.id)
    if (!job) return
    switch (s.state) {
      case 'completed':
        job.attemptsMade = s.attemptsMade
        job.finishedOn = s.finishedOn
        if (this.listenerCount('completed') > 0) this.emit('completed', job, job.returnvalue, 'active')
        break
      case 'failed':
      case 'retrying': {
        job.attemptsMade = s.attemptsMade
        job.failedReason = s.failedReason
        job.stacktrace = s.stacktrace
        if (s.finishedOn !== undefined) job.finishedOn = s.finishedOn
        if (s.delay !== undefined) job.delay = s.delay
        // A job the engine failed itself has no error object: user code never saw
        // it, or it returned and the engine refused to complete it (pending
        // children), which BullMQ also reports as a worker 'error'.
        const refused = started && !job._error
        const err = job._error || (refused ? new Error(s.failedReason) : new UnrecoverableError(s.failedReason))
        if (refused) this._emitError(err)
        delete job._error
        if (this.listenerCount('failed') > 0) this.emit('failed', job, err, 'active')
        break
      }
      case 'rejected':
        this._emitError(new FerroqError('ERR_FERROQ_LOCK_MISMATCH', s.message))
        break
      // 'rateLimited' (back in wait, attempt not counted) and 'moved' (user code
      // moved it itself) have nothing to report.
    }
    if (this._telemetry) settledTelemetry(this, job, s)
  }

  /** The engine's report of a Redis failure as a coded error. */
  _redisError(message, code = 'ERR_FERROQ_CONNECTION') {
    // The engine names host:port in connection errors; add it where it did not.
    const located = code === 'ERR_FERROQ_CONNECTION' && !String(message).includes(this._where)
    return new FerroqError(code, located ? `${message} (redis at ${this._where})` : message)
  }

  _event([name, arg, code]) {
    switch (name) {
      case 'error':
        this._emitError(this._redisError(arg, code))
        break
      case 'drained':
        this.emit('drained')
        break
      case 'stalled':
        this.emit('stalled', arg, 'active')
        break
      case 'lockLost':
        this.emit('lockRenewalFailed', [arg])
        this._emitError(new FerroqError('ERR_FERROQ_LOCK_MISMATCH', `could not renew lock for job ${arg}`))
        break
      case 'closed':
        if (this._closedSeen) this._closedSeen()
        break
    }
  }

  _start(raw) {
    const job = Job.fromEngine(this._queue, raw)
    this._active.set(job.id, job)
    if (this.listenerCount('active') > 0) this.emit('active', job, 'waiting')
    const maxStarted = this.opts.maxStartedAttempts
    if (maxStarted && maxStarted < job.attemptsStarted) {
      this._fail(job, new UnrecoverableError('job started more than allowable limit'))
      return
    }
    if (this._telemetry) runTraced(this, job, () => this._run(job))
    else this._run(job)
  }

  _run(job) {
    let result
    try {
      // A processor that takes a third argument gets an AbortSignal that
      // cancelJob / cancelAllJobs fire (BullMQ 6's job cancellation).
      if (this._wantsSignal) {
        Object.defineProperty(job, '_abort', { value: new AbortController(), configurable: true })
        result = this.processFn(job, job.token, job._abort.signal)
      } else {
        result = this.processFn(job, job.token)
      }
      // A foreign thenable settles through a real promise: its then() (or getter) may throw.
      if (result !== null && typeof result === 'object' && !(result instanceof Promise) && typeof result.then === 'function') result = Promise.resolve(result)
    } catch (err) {
      this._fail(job, err)
      return
    }
    if (result !== null && typeof result === 'object' && typeof result.then === 'function') {
      result.then(
        (v) => this._complete(job, v),
        (e) => this._fail(job, e),
      )
    } else {
      this._complete(job, result)
    }
  }

  _complete(job, value) {
    let s
    try {
      s = value === undefined ? 'null' : JSON.stringify(value)
      if (s === undefined) s = 'null'
    } catch (e) {
      this._fail(job, invalid('returnvalue', `must be JSON-serialisable (${e && e.message})`))
      return
    }
    job.returnvalue = value === undefined ? null : value
    if (job._span) job._span.addEvent('job completed', { [A.JobResult]: s })
    this._report(job.id, '1', s)
  }

  // Outcomes reported in the same tick cross into Rust in ONE call, so the
  // engine settles them (and fetches their successors) in one script call.
  _report(id, ok, payload) {
    if (this._outIds.length === 0) queueMicrotask(this._flush)
    this._outIds.push(id)
    this._outOks += ok
    this._outPayloads.push(payload)
  }

  _flushOutbox() {
    const ids = this._outIds
    const oks = this._outOks
    const payloads = this._outPayloads
    this._outIds = []
    this._outOks = ''
    this._outPayloads = []
    // The slots these outcomes free take prefetched jobs at once (in the engine's answer).
    const next = ids.length > 0 && this._native.completeMany(ids, oks, payloads)
    if (next) for (const raw of JSON.parse(next)) this._start(raw)
  }

  _fail(job, err) {
    decideBackoff(this, job, err, (backoff) => this._failWith(job, err, backoff))
  }

  _failWith(job, err, backoff) {
    // The engine settles the error by its kind (RateLimitError: back to wait;
    // DelayedError and kin: let go; else retry or fail) and reports the fields.
    job._error = asError(err)
    if (job._span && !NOT_FAILURES.has(job._error.name)) job._span.addEvent('job failed', { [A.JobFailedReason]: job._error.message })
    this._report(job.id, '0', errorPayload(err, backoff))
  }

  /**
   * Aborts the AbortSignal of job `jobId` (with `reason`) if this worker is
   * processing it with a processor that takes a signal; true when it did.
   */
  cancelJob(jobId, reason) {
    const job = this._active.get(String(jobId))
    if (!job || !job._abort) return false
    job._abort.abort(reason)
    return true
  }

  /** Aborts the signals of every job this worker is processing. */
  cancelAllJobs(reason) {
    for (const job of this._active.values()) if (job._abort) job._abort.abort(reason)
  }

  /** Rate-limits the queue for `expireTimeMs` (then throw `Worker.RateLimitError()`). */
  async rateLimit(expireTimeMs) {
    await this._queue._native.rateLimit(expireTimeMs)
  }

  static RateLimitError() { return new RateLimitError() }

  /** Stops taking new jobs (this worker only); jobs in hand finish. */
  async pause(doNotWaitActive) {
    this._native.pause()
    if (!doNotWaitActive) {
      while (this._active.size > 0) await new Promise((r) => setTimeout(r, 10))
    }
    this.emit('paused')
  }

  /** Takes jobs again after `pause()` (async, as BullMQ's). */
  async resume() {
    this._native.resume()
    this.emit('resumed')
  }

  isPaused() { return this._native.isPaused() }

  /** Whether the worker is processing: false once `pause()` resolved, true again after `resume()`. */
  isRunning() {
    return this._native.isRunning() && (!this._native.isPaused() || this._active.size > 0)
  }

  async waitUntilReady() {
    await this._queue.ping()
    return this
  }

  /** Stops fetching, waits for jobs in hand (unless `force`), then releases everything. */
  close(force = false) {
    if (!this._closing) {
      this.emit('closing', 'closing queue')
      this._closing = (async () => {
        const wasRunning = !!this._running
        await this._native.close(!!force)
        if (wasRunning) {
          // The engine's last batch (with the final settled jobs and 'closed') comes
          // through the channel before close()'s answer; never hang on it anyway.
          await Promise.race([this._running, new Promise((r) => setTimeout(r, 1000).unref())])
        }
        if (this._sandbox) await this._sandbox.close()
        this.emit('closed')
      })()
    }
    return this._closing
  }

  async disconnect() { return this.close() }
  /** BullMQ's `closing`: the promise of close() once it was called, else undefined. */
  get closing() { return this._closing || undefined }
}

module.exports = { Worker }
