'use strict'
// QueueEvents: a queue's events stream read from any process, as BullMQ's
// QueueEvents. The engine (NativeQueueEvents) reads the stream and hands over
// batches of entries; this class parses their values and emits them.

const { NativeQueueEvents, NativeQueue } = require('./native.js')
const { SafeEmitter } = require('./emitter.js')
const { FerroqError, invalid } = require('./errors.js')
const { nativeOpts, idOf, checkName } = require('./convert.js')
const { describeConnection } = require('./connection.js')


/** Listens to a queue's events stream from any process. BullMQ's `QueueEvents`. */
class QueueEvents extends SafeEmitter {
  constructor(name, opts = {}) {
    super()
    checkName(name)
    if (opts != null && typeof opts !== 'object') throw invalid('opts', 'must be an object')
    this.name = name
    this.opts = { autorun: true, ...(opts || {}) }
    const extra = {}
    if (this.opts.lastEventId !== undefined) extra.lastEventId = idOf(this.opts.lastEventId, 'opts.lastEventId')
    if (this.opts.blockingTimeout !== undefined) extra.blockingTimeout = this.opts.blockingTimeout
    this._native = new NativeQueueEvents(name, nativeOpts(this.opts), extra, (batch) => this._onBatch(batch))
    this.prefix = this.opts.prefix || 'bull'
    this.qualifiedName = `${this.prefix}:${name}`
    this._running = false
    this._closing = null
    if (this.opts.autorun) this.run()
  }

  /** Starts reading the stream (autorun does this); refuses a second start, as BullMQ. */
  run() {
    if (this._running) return Promise.reject(new FerroqError('ERR_FERROQ_INVALID_OPTION', 'Queue Events is already running.'))
    this._running = true
    this._native.run()
    return Promise.resolve()
  }

  /**
   * Resolves once Redis answers and, while reading, once every event written
   * from now on will be seen. A reader not started (`autorun: false`) only
   * waits for the connection, as BullMQ's does.
   */
  async waitUntilReady() {
    if (this._running) {
      await this._native.waitUntilReady()
    } else {
      // The reader is not started: a PING on a short-lived handle of the same connection.
      const probe = new NativeQueue(this.name, nativeOpts(this.opts))
      try {
        await probe.ping()
      } finally {
        probe.close()
      }
    }
    return this
  }

  _onBatch(json) {
    let d
    try {
      d = JSON.parse(json)
    } catch (e) {
      return
    }
    if (d.error !== undefined) {
      const code = d.code || 'ERR_FERROQ_CONNECTION'
      const where = describeConnection(this.opts.connection)
      // The engine names host:port in connection errors; add it where it did not.
      const located = code === 'ERR_FERROQ_CONNECTION' && !d.error.includes(where)
      this.emit('error', new FerroqError(code, located ? `${d.error} (redis at ${where})` : d.error))
      return
    }
    for (const [id, fields] of d.events) {
      const { event, ...args } = fields
      try {
        if (event === 'completed' && args.returnvalue !== undefined) args.returnvalue = JSON.parse(args.returnvalue)
        if (event === 'progress' && args.data !== undefined) args.data = JSON.parse(args.data)
        if (event === 'delayed' && args.delay !== undefined) args.delay = Number(args.delay)
        // Every other field stays the string Redis holds, as BullMQ passes it on
        // ('retries-exhausted' attemptsMade and 'cleaned' count included).
      } catch {
        // A value another client wrote as non-JSON: pass it on raw rather than stop reading.
      }
      if (event === 'drained') {
        this.emit('drained', id)
      } else {
        this.emit(event, args, id)
        if (args.jobId !== undefined) this.emit(`${event}:${args.jobId}`, args, id)
      }
    }
  }

  /** BullMQ's `closing`: the promise of close() once it was called, else undefined. */
  get closing() {
    return this._closing || undefined
  }

  /** Stops reading. Idempotent. */
  close() {
    if (!this._closing) {
      this._closing = this._native.close().then(() => {
        this._running = false
        this.emit('closed')
      })
    }
    return this._closing
  }

  async disconnect() {
    return this.close()
  }
}

module.exports = { QueueEvents }
