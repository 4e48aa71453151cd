'use strict'
// QueueEvents: a queue's events stream read from any process, as BullMQ's
// QueueEvents. The engine (NativeQueueEvents) reads the stream and hands over
// batches of entries; this class parses their values and emits them.

const { EventEmitter } = require('node:events')
const { NativeQueueEvents } = require('./native.js')
const { FerroqError, invalid } = require('./errors.js')
const { nativeOpts, text, checkName } = require('./convert.js')


/** Listens to a queue's events stream from any process. BullMQ's `QueueEvents`. */
class QueueEvents extends EventEmitter {
  constructor(name, opts = {}) {
    super()
    checkName(name)
    if (opts != null && typeof opts !== 'object') throw invalid('opts', 'must be an object')
    this.name = name
    this.opts = { autorun: true, ...(opts || {}) }
    const extra = {}
    if (this.opts.lastEventId !== undefined) extra.lastEventId = text(this.opts.lastEventId, 'opts.lastEventId')
    if (this.opts.blockingTimeout !== undefined) extra.blockingTimeout = this.opts.blockingTimeout
    this._native = new NativeQueueEvents(name, nativeOpts(this.opts, extra), (batch) => this._onBatch(batch))
    this.prefix = this.opts.prefix || 'bull'
    this.qualifiedName = `${this.prefix}:${name}`
    this._running = false
    this._closing = null
    if (this.opts.autorun) this.run()
  }

  /** Starts reading the stream (autorun does this). */
  run() {
    if (this._running) return Promise.resolve()
    this._running = true
    this._native.run()
    return Promise.resolve()
  }

  /** Resolves once every event written from now on will be seen. */
  async waitUntilReady() {
    await this._native.waitUntilReady()
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
      if (this.listenerCount('error') > 0) this.emit('error', new FerroqError('ERR_FERROQ_CONNECTION', d.error))
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
