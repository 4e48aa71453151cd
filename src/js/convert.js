'use strict'
// Values on their way into Rust: JSON text, strings, names and the options
// every native handle takes. Bad input becomes a coded error naming the field.

const native = require('./native.js')
const { invalid, callNative } = require('./errors.js')
const { connectionOf } = require('./connection.js')

/** JSON text of a value as BullMQ stores it, or a coded error naming `field`. */
function toJson(value, field) {
  if (typeof value === 'function' || typeof value === 'symbol') {
    throw invalid(field, `must be JSON-serialisable, got a ${typeof value}`)
  }
  let s
  try {
    s = JSON.stringify(value)
  } catch (e) {
    throw invalid(field, `must be JSON-serialisable (${e && e.message})`)
  }
  return s === undefined ? 'null' : s
}

/** What every native handle on a queue takes (QueueHandleOptions): connection, prefix, maxDataBytes, streams.events.maxLen, skipMetasUpdate. */
function nativeOpts(opts) {
  if (opts != null && typeof opts !== 'object') throw invalid('opts', 'must be an object')
  const o = opts || {}
  if (o.prefix != null && typeof o.prefix !== 'string') throw invalid('opts.prefix', 'must be a string')
  if (o.streams != null && (typeof o.streams !== 'object' || (o.streams.events != null && typeof o.streams.events !== 'object'))) {
    throw invalid('opts.streams', 'must be { events: { maxLen } }')
  }
  const maxLenEvents = o.streams && o.streams.events ? o.streams.events.maxLen : undefined
  if (maxLenEvents != null && typeof maxLenEvents !== 'number') throw invalid('opts.streams.events.maxLen', 'must be an integer >= 0')
  const skipMetasUpdate = o.skipMetasUpdate == null ? undefined : !!o.skipMetasUpdate
  return { connection: connectionOf(o.connection), prefix: o.prefix, maxDataBytes: o.maxDataBytes, maxLenEvents, skipMetasUpdate }
}

/** `String(v)`, or a coded error naming `field` when `v` has no string form. */
function text(v, field) {
  try {
    return String(v)
  } catch {
    throw invalid(field, 'must be a string')
  }
}

/** A string argument the binding would otherwise refuse with napi's own error. */
function str(v, field) {
  if (typeof v !== 'string') throw invalid(field, `must be a string, got ${typeof v}`)
  return v
}

/** Checks a queue name (the engine's rules), throwing a coded error. */
function checkName(name) {
  if (typeof name !== 'string') throw invalid('name', 'queue name must be a string')
  callNative(() => native.validateQueueName(name))
}

/** A job's options as JSON text (a numeric jobId becomes its string, as BullMQ does). */
function optsJson(opts, field = 'opts') {
  if (opts == null) return '{}'
  if (typeof opts !== 'object' || Array.isArray(opts)) throw invalid(field, 'must be an object')
  if (opts.jobId !== undefined && opts.jobId !== null) {
    if (typeof opts.jobId === 'number') opts = { ...opts, jobId: String(opts.jobId) }
    if (typeof opts.jobId !== 'string') throw invalid(`${field}.jobId`, 'must be a string')
  }
  return toJson(opts, field)
}

module.exports = { toJson, nativeOpts, text, str, checkName, optsJson }
