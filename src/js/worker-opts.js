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

module.exports = { checkWorkerOpts, checkConcurrency }
