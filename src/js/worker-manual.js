'use strict'
// A worker's side of BullMQ's manual processing: the next job, active and
// locked with the caller's token (job.js settles it with that token); and the
// worker's delay helper.

const { invalid } = require('./errors.js')
const { Job } = require('./job.js')

/**
 * `worker.getNextJob(token, { block })`: the next job, or undefined. As with
 * BullMQ, the first call that finds the queue empty answers at once (and emits
 * 'drained'); later ones with `block` wait on the queue for up to drainDelay.
 */
async function nextJob(w, token, block) {
  if (typeof token !== 'string' || token === '') throw invalid('token', 'must be a non-empty string')
  const raw = await w._native.getNextJob(token, block && w._drainedOnce === true)
  if (raw === null) {
    if (!w._drainedOnce) {
      w._drainedOnce = true
      w.emit('drained')
    }
    return undefined
  }
  w._drainedOnce = false
  const job = Job.fromEngine(w._queue, JSON.parse(raw))
  w.emit('active', job, 'waiting')
  return job
}

/** Resolves after `ms`, or as soon as `abortController` (optional) aborts. */
function pause(ms, abortController) {
  return new Promise((resolve) => {
    const signal = abortController && abortController.signal
    if (signal && signal.aborted) return resolve()
    const done = () => {
      clearTimeout(timer)
      if (signal) signal.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    if (signal) signal.addEventListener('abort', done)
  })
}

module.exports = { nextJob, pause }
