'use strict'
// The retry delay of a failed attempt as BullMQ's Job.moveToFailed decides it
// on the worker's side: a worker's backoffStrategy for a named backoff type
// (sync or async), and maxStartedAttempts. The engine then retries, delays or
// fails the job with it.

const { RATE_LIMIT_ERROR } = require('./outcome-errors.js')

const BUILTIN_BACKOFFS = new Set(['fixed', 'exponential'])
/** Errors that end an attempt without a retry decision (the engine settles them by kind). */
const NOT_RETRIED = new Set(['DelayedError', 'WaitingError', 'WaitingChildrenError', 'UnrecoverableError', 'RateLimitError'])

/** `f()`, or `fallback` when it throws: a user's error object may have getters that throw. */
function attempt(f, fallback) {
  try {
    return f()
  } catch {
    return fallback
  }
}

/** A backoffStrategy's answer as the engine takes it: ms, -1 for "no retry", undefined for the job's own delay. */
function backoffOf(d) {
  if (typeof d !== 'number' || !Number.isFinite(d)) return undefined
  return d < 0 ? -1 : Math.floor(d)
}

/**
 * Calls `then(backoff)` with the retry delay of `job`'s failed attempt (`err`)
 * on worker `w`: undefined (the engine applies the job's own backoff), -1 (no
 * retry) or ms. With an async backoffStrategy `then` runs once it settles; the
 * job stays in hand (its lock renewed) meanwhile.
 */
function decideBackoff(w, job, err, then) {
  const errName = attempt(() => err && err.name, undefined)
  const rateLimited = attempt(() => err && err.message === RATE_LIMIT_ERROR, false)
  const retryable = job.attemptsMade + 1 < (job.opts.attempts || 0) && !NOT_RETRIED.has(errName) && !rateLimited
  const maxStarted = w.opts.maxStartedAttempts
  if (retryable && maxStarted && maxStarted <= job.attemptsStarted) {
    // Started as often as allowed: no further attempt, whatever is left of `attempts`.
    then(-1)
    return
  }
  const b = job.opts.backoff
  const type = b && typeof b === 'object' ? b.type : undefined
  if (!retryable || type === undefined || BUILTIN_BACKOFFS.has(type)) {
    then(undefined)
    return
  }
  if (!w._backoffStrategy) {
    // BullMQ's error for a named backoff without a worker backoffStrategy; the engine retries after `delay`.
    w._emitError(new Error(`Unknown backoff strategy ${type}. If a custom backoff strategy is used, specify it when the Worker is created.`))
    then(undefined)
    return
  }
  let d
  try {
    d = w._backoffStrategy(job.attemptsMade + 1, type, err, job)
  } catch (e) {
    w._emitError(e)
  }
  if (d !== null && typeof d === 'object' && attempt(() => typeof d.then === 'function', true)) {
    // Through a real promise: a foreign thenable's then() may throw.
    Promise.resolve(d).then(
      (v) => then(backoffOf(v)),
      (e) => {
        w._emitError(e)
        then(undefined)
      },
    )
    return
  }
  then(backoffOf(d))
}

/** The JSON the engine takes for a failed attempt: the error's name, message and stack, and the backoff. */
function errorPayload(err, backoff) {
  const isObj = err !== null && typeof err === 'object'
  const name = attempt(() => (isObj && typeof err.name === 'string' ? err.name : 'Error'), 'Error')
  const message = attempt(() => messageOf(err, isObj), UNREADABLE)
  const stack = attempt(() => (isObj && typeof err.stack === 'string' ? err.stack : null), null)
  return JSON.stringify({ name, message, stack, backoff })
}

/** What a processor threw, when even its message cannot be read. */
const UNREADABLE = 'the thrown value could not be read (its message or toString threw)'

/** The message of a thrown value (any value: an Error, a string, an object, ...). */
function messageOf(err, isObj = err !== null && typeof err === 'object') {
  if (isObj && err.message !== undefined) return String(err.message)
  if (err === undefined) return 'undefined'
  try {
    const s = typeof err === 'string' ? err : JSON.stringify(err)
    return s === undefined ? String(err) : s
  } catch {
    return String(err)
  }
}

/** `err` as an Error (a thrown string, number, ... becomes an Error with its text). */
function asError(err) {
  if (err instanceof Error) return err
  return new Error(attempt(() => (typeof err === 'string' ? err : String(err)), UNREADABLE))
}

module.exports = { decideBackoff, errorPayload, asError, attempt }
