'use strict'
// QueueEventsProducer: writes custom events to a queue's events stream, where
// every QueueEvents reader of the queue sees them, as BullMQ's
// QueueEventsProducer. The write happens in the engine (one XADD).

const { NativeQueue } = require('./native.js')
const { SafeEmitter } = require('./emitter.js')
const { invalid } = require('./errors.js')
const { nativeOpts, checkName } = require('./convert.js')
const { describeConnection } = require('./connection.js')

/** Publishes custom events on a queue's events stream. BullMQ's `QueueEventsProducer`. */
class QueueEventsProducer extends SafeEmitter {
  constructor(name, opts = {}) {
    super()
    checkName(name)
    this.name = name
    this.opts = opts || {}
    this._native = new NativeQueue(name, nativeOpts(this.opts))
    this._native.where = describeConnection(this.opts.connection)
    this.prefix = this._native.prefix
    this.qualifiedName = `${this.prefix}:${name}`
    this.closing = undefined
  }

  /**
   * Writes `{ eventName, ...fields }` as an event named `eventName` (QueueEvents
   * emits it with `fields`, values as strings); the stream is trimmed to about
   * `maxEvents` entries.
   */
  async publishEvent(argsObj, maxEvents = 1000) {
    if (!argsObj || typeof argsObj !== 'object') throw invalid('args', 'must be { eventName, ...fields }')
    const { eventName, ...rest } = argsObj
    if (typeof eventName !== 'string' || eventName === '') throw invalid('args.eventName', 'must be a non-empty string')
    if (!Number.isInteger(maxEvents) || maxEvents < 0) throw invalid('maxEvents', 'must be an integer >= 0')
    const fields = ['event', eventName]
    for (const [k, v] of Object.entries(rest)) fields.push(k, String(v))
    await this._native.publishEvent(fields, maxEvents)
  }

  /** Resolves once Redis answers. */
  async waitUntilReady() {
    await this._native.ping()
  }

  /** Closes the producer. Idempotent. */
  async close() {
    if (!this.closing) {
      this._native.close()
      this.closing = Promise.resolve()
    }
    return this.closing
  }

  async disconnect() {
    return this.close()
  }
}

module.exports = { QueueEventsProducer }
