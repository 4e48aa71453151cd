'use strict'
// The learning tracker preset (seed app 000) for JS: the queue side lives in
// Rust (NativeLearningTracker: debounced jobs, status, clearing); this file adds
// the Worker that runs the app's processor and the module-level default
// instance the app's controllers import.

const { EventEmitter } = require('node:events')
const { NativeLearningTracker, learningTrackerDefaults } = require('./native.js')
const { FerroqError, invalid, fromNative } = require('./errors.js')
const { connectionOf } = require('./connection.js')
const { Worker } = require('./worker.js')

function userIdOf(userId) {
  if (typeof userId === 'number' && Number.isFinite(userId)) return String(userId)
  if (typeof userId === 'string' && userId.length > 0) return userId
  throw invalid('userId', 'must be a non-empty string or a number')
}

/**
 * Creates a tracker: `queueLearningUpdate(userId)` debounces per user, the
 * `processor(userId)` runs about `debounceMs` after a user's last call.
 */
function createLearningTracker(opts = {}) {
  if (!opts || typeof opts !== 'object') throw invalid('opts', 'must be an object')
  if (typeof opts.processor !== 'function') throw invalid('processor', 'must be a function: async (userId) => result')
  // The defaults are written once, in Rust (presets/learning_tracker.rs).
  const defaults = learningTrackerDefaults()
  const queueName = opts.queueName || defaults.queueName
  const backoff = opts.backoff
  const backoffDelay = typeof backoff === 'number' ? backoff : backoff && backoff.delay
  const logger = opts.logger === undefined ? console : opts.logger
  const base = { connection: opts.connection, prefix: opts.prefix }
  const where = { connection: connectionOf(opts.connection), prefix: opts.prefix }
  const timings = {
    debounceMs: opts.debounceMs === undefined ? defaults.debounceMs : opts.debounceMs,
    attempts: opts.attempts === undefined ? defaults.attempts : opts.attempts,
    backoffDelay,
  }
  const tracker = new EventEmitter()
  const native = new NativeLearningTracker(queueName, where, timings)
  const processor = opts.processor

  const reportError = (err) => {
    if (tracker.listenerCount('error') > 0) tracker.emit('error', err)
    else if (logger && typeof logger.error === 'function') logger.error(`[learning-tracker] ${err && err.message}`)
  }

  const worker = new Worker(queueName, async (job) => processor(job.data.userId, job), {
    ...base,
    concurrency: opts.concurrency === undefined ? defaults.concurrency : opts.concurrency,
    autorun: opts.autorun !== false,
  })
  worker.on('completed', (job, result) => tracker.emit('completed', job.data.userId, result, job))
  worker.on('failed', (job, err) => tracker.emit('failed', job && job.data && job.data.userId, err, job))
  worker.on('error', reportError)

  let closing = null

  return Object.assign(tracker, {
    queueName,
    worker,

    /** Debounced update; never rejects (errors go to 'error' and the log). Resolves with the job id. */
    queueLearningUpdate(userId) {
      try {
        if (closing) throw new FerroqError('ERR_FERROQ_CLOSED', 'learning tracker is closed')
        return native.queueUpdate(userIdOf(userId)).catch((e) => {
          reportError(fromNative(e))
          return undefined
        })
      } catch (e) {
        reportError(e)
        return Promise.resolve(undefined)
      }
    },

    /** Cancels the user's pending update and runs the processor now; resolves with its result. */
    async forceUpdateNow(userId) {
      const id = userIdOf(userId)
      if (closing) throw new FerroqError('ERR_FERROQ_CLOSED', 'learning tracker is closed')
      await native.cancelPending(id)
      return processor(id)
    },

    /** `{ waiting, active, completed, failed, total }`; waiting includes delayed updates. */
    async getQueueStatus() {
      return native.status()
    },

    /** Removes every pending update; resolves with how many. */
    async clearAllPendingUpdates() {
      return native.clearPending()
    },

    /** Closes worker and queue (waits for running updates). Idempotent. */
    cleanup() {
      if (!closing) {
        closing = (async () => {
          await worker.close()
          native.close()
        })()
      }
      return closing
    },
  })
}

// The default instance behind the module-level functions the app imports.
let current = null

/** Configures the default tracker (replacing, and closing, a previous one). */
function initLearningTracker(opts) {
  const previous = current
  current = createLearningTracker(opts)
  if (previous) previous.cleanup().catch(() => {})
  return current
}

function requireTracker() {
  if (!current) throw new FerroqError('ERR_FERROQ_NOT_INITIALIZED', 'call initLearningTracker({ processor }) first')
  return current
}

function queueLearningUpdate(userId) {
  if (!current) {
    console.error('[learning-tracker] queueLearningUpdate called before initLearningTracker(); update dropped')
    return Promise.resolve(undefined)
  }
  return current.queueLearningUpdate(userId)
}

const forceUpdateNow = async (userId) => requireTracker().forceUpdateNow(userId)
const getQueueStatus = async () => requireTracker().getQueueStatus()
const clearAllPendingUpdates = async () => requireTracker().clearAllPendingUpdates()

/** Closes the default tracker; idempotent, and fine when none was created. */
async function cleanup() {
  const t = current
  current = null
  if (t) await t.cleanup()
}

module.exports = {
  createLearningTracker,
  initLearningTracker,
  queueLearningUpdate,
  forceUpdateNow,
  getQueueStatus,
  clearAllPendingUpdates,
  cleanup,
}
