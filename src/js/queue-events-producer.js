'use strict'
// QueueEventsProducer: writes custom events to a queue's events stream, where
// every QueueEvents reader of the queue sees them, as BullMQ's
// QueueEventsProducer. The write happens in the engine (one XADD).

const { QueueBase } = require('./queue-base.js')
const { invalid } = require('./errors.js')
const { text } = require('./convert.js')

/** Publishes custom events on a queue's events stream. BullMQ's `QueueEventsProducer`. */
class QueueEventsProducer extends QueueBase {
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
    for (const [k, v] of Object.entries(rest)) fields.push(k, text(v, `args.${k}`))
    await this._native.publishEvent(fields, maxEvents)
  }
}

module.exports = { QueueEventsProducer }
