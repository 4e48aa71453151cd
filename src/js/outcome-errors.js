'use strict'
// The errors a processor throws to tell the worker how its job ended, under
// BullMQ's names. Their default messages are BullMQ's (exported as
// UNRECOVERABLE_ERROR, ...); the engine recognises some by message, so the
// text comes from the engine (engine/processor.rs), not from a copy here.

const { outcomeErrorMessages } = require('./native.js')

const MESSAGES = outcomeErrorMessages()

/** An Error class named `name` whose default message is `message`. */
function outcomeError(name, message) {
  // A computed key names the class expression `name` (so `Class.name` and stacks show it).
  const named = {
    [name]: class extends Error {
      constructor(msg = message) {
        super(msg)
        this.name = name
      }
    },
  }
  return named[name]
}

/** Thrown by a processor: fail the job now, without retries. */
const UnrecoverableError = outcomeError('UnrecoverableError', MESSAGES.unrecoverable)
/** Thrown by a processor after it moved the job to delayed itself. */
const DelayedError = outcomeError('DelayedError', MESSAGES.delayed)
/** Thrown by a processor after it moved the job back to wait itself. */
const WaitingError = outcomeError('WaitingError', MESSAGES.waiting)
/** Thrown by a processor after it moved the job to waiting-children. */
const WaitingChildrenError = outcomeError('WaitingChildrenError', MESSAGES.waitingChildren)
/** Thrown by a processor when the queue is rate limited. */
const RateLimitError = outcomeError('RateLimitError', MESSAGES.rateLimit)

module.exports = {
  UnrecoverableError,
  DelayedError,
  WaitingError,
  WaitingChildrenError,
  RateLimitError,
  DELAYED_ERROR: MESSAGES.delayed,
  RATE_LIMIT_ERROR: MESSAGES.rateLimit,
  UNRECOVERABLE_ERROR: MESSAGES.unrecoverable,
  WAITING_CHILDREN_ERROR: MESSAGES.waitingChildren,
  WAITING_ERROR: MESSAGES.waiting,
}
