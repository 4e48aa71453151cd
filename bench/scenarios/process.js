'use strict'
// Consumer scenarios: a prefilled queue processed by one Worker at a given concurrency, with a
// trivial processor and no event listeners. The window covers the processing only: it opens
// when the ready worker starts running and closes when every job is finished in the store.

const { openQueue, fillQueue, withTimeout, latch, waitFinished, collectErrors } = require('./queues')

const RUN_TIMEOUT_MS = Number(process.env.BENCH_RUN_TIMEOUT_MS || 180_000)

/**
 * On Redis the queue was filled by a separate child process (`prefilled`), so this process's
 * heap and RSS hold the worker only. The embedded store lives in this process, so it is filled
 * here, before the window, and the filling queue stays open (it keeps the store alive).
 */
async function processJobs(ctx, { jobs, queue, concurrency, prefilled }) {
  let q = null
  if (!prefilled) {
    q = await openQueue(ctx, queue)
    await fillQueue(q, jobs)
  }
  const errors = []
  let started = 0
  const all = latch()
  const w = new ctx.lib.Worker(
    queue,
    async () => {
      if (++started === jobs) all.resolve()
    },
    { connection: ctx.lib.connection(), concurrency, autorun: false },
  )
  collectErrors(w, errors)
  await w.waitUntilReady()
  await ctx.hold()
  await ctx.meter.begin()
  const running = w.run().catch((e) => errors.push(String(e && e.message)))
  let finished = 0
  try {
    await withTimeout(all.promise, RUN_TIMEOUT_MS, `process c=${concurrency}`)
    finished = await waitFinished(ctx, queue, jobs, q, RUN_TIMEOUT_MS)
  } catch (e) {
    errors.push(e.message)
  }
  const m = await ctx.meter.end(Math.max(1, finished))
  await w.close()
  await running
  if (q) await q.close()
  m.started = started
  m.finished = finished
  if (errors.length) m.errors = errors
  return m
}

module.exports = { processJobs }
