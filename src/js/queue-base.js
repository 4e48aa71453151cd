'use strict'
// QueueBase: what every handle on one queue shares, as BullMQ's QueueBase: the
// name check, the native queue handle (with the connection described for
// error messages), the key prefix, readiness and an idempotent close. Queue
// (through QueueGetters) and QueueEventsProducer extend it.

const { NativeQueue } = require('./native.js')
const { SafeEmitter } = require('./emitter.js')
const { nativeOpts, checkName } = require('./convert.js')
const { describeConnection } = require('./connection.js')

/** One queue's native handle and its lifecycle. BullMQ's `QueueBase`. */
class QueueBase extends SafeEmitter {
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

  /** Resolves once Redis answers. */
  async waitUntilReady() {
    await this._native.ping()
  }

  /** Closes the handle. Idempotent. */
  async close() {
    if (!this.closing) {
      // Adds still on the add lane are answered first (src/js/lane.js).
      this.closing = Promise.resolve(this._native.close())
    }
    return this.closing
  }

  async disconnect() {
    return this.close()
  }
}

module.exports = { QueueBase }
