'use strict'
// What every scenario does with queues: open them, build the job lists, fill them, wait until
// their jobs are finished; and the time-outs around those waits.
//
// A scenario function runs inside a child process and gets `ctx`:
//   ctx.lib     the one loaded library (bench/libs.js)
//   ctx.meter   a Meter (bench/measure.js), or a no-op meter during the warm-up
//   ctx.admin   a RespClient to the Redis under test, or null on the embedded store
//   ctx.redis   { host, port, url } of the Redis under test (a scenario may open its own socket)
//   ctx.hold()  waits BENCH_HOLD_MS before a timed window (attach a profiler); no-op in warm-ups
// and returns the meter's figures for its timed window (plus scenario fields).

const { setTimeout: sleep } = require('node:timers/promises')

const JOB_NAME = 'j'

async function openQueue(ctx, name) {
  const q = new ctx.lib.Queue(name, { connection: ctx.lib.connection() })
  await q.waitUntilReady()
  return q
}

/** The bulk entries for jobs from..to-1: the same data `{ i }` in every scenario. */
function jobList(from, to, opts) {
  const jobs = []
  for (let i = from; i < to; i++) jobs.push(opts ? { name: JOB_NAME, data: { i }, opts } : { name: JOB_NAME, data: { i } })
  return jobs
}

// Filling is never timed, so its batch size is free; 500 stays below the largest addBulk the
// embedded store takes today (614 jobs; past that its script call runs out of Lua stack).
const FILL_BATCH = 500

/** Adds `total` jobs with addBulk in batches of `batch` (untimed set-up). */
async function fillQueue(q, total, batch = FILL_BATCH, opts) {
  for (let i = 0; i < total; i += batch) await q.addBulk(jobList(i, Math.min(total, i + batch), opts))
}

function withTimeout(promise, ms, what) {
  let t
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      t = setTimeout(() => reject(new Error(`${what}: timed out after ${ms} ms`)), ms)
    }),
  ]).finally(() => clearTimeout(t))
}

/** A promise with its resolve function, for "the processor has seen every job". */
function latch() {
  let resolve
  const promise = new Promise((r) => (resolve = r))
  return { promise, resolve }
}

/**
 * Resolves once `total` jobs of queue `name` are finished (completed or failed).
 * Polls Redis directly (ZCARD on BullMQ's completed and failed sets) so that no event
 * listener is attached to the worker; the poll's commands and bytes are the harness's own and
 * the meter subtracts them. On the embedded store, asks the queue `q` instead.
 */
async function waitFinished(ctx, name, total, q, timeoutMs) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    let finished
    if (ctx.admin) {
      finished =
        (await ctx.admin.command('ZCARD', `bull:${name}:completed`)) + (await ctx.admin.command('ZCARD', `bull:${name}:failed`))
    } else {
      const c = await q.getJobCounts('completed', 'failed')
      finished = c.completed + c.failed
    }
    if (finished >= total) return finished
    if (Date.now() > deadline) throw new Error(`${name}: ${finished} of ${total} jobs finished after ${timeoutMs} ms`)
    await sleep(1)
  }
}

/** Records a worker's 'error' events (emitting 'error' with no listener would crash the child). */
function collectErrors(emitter, errors) {
  emitter.on('error', (e) => errors.length < 5 && errors.push(String((e && e.message) || e)))
}

module.exports = { JOB_NAME, FILL_BATCH, openQueue, jobList, fillQueue, withTimeout, latch, waitFinished, collectErrors, sleep }
