'use strict'
// The checks BullMQ's Worker makes on its options, with BullMQ's messages
// (users and tests match on them); the code is ferroq's ERR_FERROQ_INVALID_OPTION.

const { refused } = require('./errors.js')

/** Checks the numeric worker options BullMQ checks, with its messages. */
function checkWorkerOpts(o) {
  checkConcurrency(o.concurrency)
  if (o.maxStalledCount !== undefined && (typeof o.maxStalledCount !== 'number' || !(o.maxStalledCount >= 0))) {
    throw refused('maxStalledCount', 'maxStalledCount must be greater or equal than 0')
  }
  if (o.maxStartedAttempts !== undefined && (typeof o.maxStartedAttempts !== 'number' || !(o.maxStartedAttempts >= 0))) {
    throw refused('maxStartedAttempts', 'maxStartedAttempts must be greater or equal than 0')
  }
  if (o.stalledInterval !== undefined && (typeof o.stalledInterval !== 'number' || !(o.stalledInterval > 0))) {
    throw refused('stalledInterval', 'stalledInterval must be greater than 0')
  }
  if (o.drainDelay !== undefined && (typeof o.drainDelay !== 'number' || !(o.drainDelay > 0))) {
    throw refused('drainDelay', 'drainDelay must be greater than 0')
  }
}

function checkConcurrency(c) {
  if (typeof c !== 'number' || !(c >= 1) || !Number.isFinite(c)) {
    throw refused('concurrency', 'concurrency must be a finite number greater than 0')
  }
}

/** The worker options the engine takes (no functions, no connection). */
const ENGINE_KEYS = ['lockDuration', 'lockRenewTime', 'stalledInterval', 'maxStalledCount', 'drainDelay', 'name', 'removeOnComplete', 'removeOnFail', 'skipStalledCheck', 'skipLockRenewal', 'metrics', 'limiter', 'maximumRateLimitDelay', 'runRetryDelay']

/** The part of worker options `o` the native worker takes. */
function engineOpts(o) {
  const plain = {}
  for (const k of ENGINE_KEYS) if (o[k] !== undefined && o[k] !== null) plain[k] = o[k]
  // BullMQ takes any finite number >= 1 and runs up to its ceiling at once.
  plain.concurrency = Math.ceil(o.concurrency)
  return plain
}

module.exports = { checkWorkerOpts, checkConcurrency, engineOpts }
