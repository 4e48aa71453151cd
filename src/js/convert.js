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
    throw invalid(field, 'has no string form (its toString threw)')
  }
}

/** How a bad value is named in a message: its type, or NaN / Infinity / null. */
function kindOf(v) {
  if (v === null) return 'null'
  if (typeof v === 'number') return String(v)
  if (Array.isArray(v)) return 'an array'
  return typeof v === 'object' || typeof v === 'undefined' ? `an ${typeof v}` : `a ${typeof v}`
}

/** A job or scheduler id as text: a string, or a finite number's decimal form; else a coded error naming `field`. */
function idOf(v, field) {
  if (typeof v === 'string') return v
  if (typeof v === 'number' && Number.isFinite(v)) return String(v)
  throw invalid(field, `must be a string or a number, got ${kindOf(v)}`)
}

/** An integer argument (a range bound, a count), or a coded error naming `field`. */
function int(v, field) {
  if (!Number.isInteger(v)) throw invalid(field, `must be an integer, got ${typeof v === 'number' ? v : kindOf(v)}`)
  return v
}

/**
 * Refuses NaN and ±Infinity in an options object (two levels deep, where
 * every numeric job option lives): JSON would turn them into null, and the
 * option would silently be dropped.
 */
function checkFinite(opts, field) {
  for (const k of Object.keys(opts)) {
    const v = opts[k]
    if (typeof v === 'number' && !Number.isFinite(v)) throw invalid(`${field}.${k}`, `must be a finite number, got ${v}`)
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      for (const k2 of Object.keys(v)) {
        const w = v[k2]
        if (typeof w === 'number' && !Number.isFinite(w)) throw invalid(`${field}.${k}.${k2}`, `must be a finite number, got ${w}`)
      }
    }
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
    if (typeof opts.jobId === 'number' && Number.isFinite(opts.jobId)) opts = { ...opts, jobId: String(opts.jobId) }
    if (typeof opts.jobId !== 'string') throw invalid(`${field}.jobId`, 'must be a string')
  }
  const json = toJson(opts, field)
  checkFinite(opts, field)
  return json
}

module.exports = { toJson, nativeOpts, text, str, checkName, optsJson, idOf, int, checkFinite }
