'use strict'
// add -> start latency: an idle worker (blocked on the queue's marker), jobs added at a steady
// rate from the same process. Latency = processor start minus the moment add() was called,
// both on this process's clock. The job data stays `{ i }`; send times live in an array.

const { nowMs } = require('../measure')
const { JOB_NAME, openQueue, withTimeout, latch, collectErrors, sleep } = require('./queues')

const IDLE_SETTLE_MS = 300

async function latency(ctx, { jobs, queue, rate, concurrency }) {
  const q = await openQueue(ctx, queue)
  const sentAt = new Float64Array(jobs)
  const lat = []
  const all = latch()
  const errors = []
  const w = new ctx.lib.Worker(
    queue,
    async (job) => {
      lat.push(nowMs() - sentAt[job.data.i])
      if (lat.length === jobs) all.resolve()
    },
    { connection: ctx.lib.connection(), concurrency },
  )
  collectErrors(w, errors)
  await w.waitUntilReady()
  await sleep(IDLE_SETTLE_MS) // let the worker go idle (blocked on the marker)
  await ctx.hold()
  await ctx.meter.begin()
  const intervalMs = 1000 / rate
  const adds = []
  const start = nowMs()
  for (let i = 0; i < jobs; i++) {
    const wait = start + i * intervalMs - nowMs()
    if (wait >= 1) await sleep(Math.floor(wait))
    sentAt[i] = nowMs()
    adds.push(q.add(JOB_NAME, { i }))
  }
  await Promise.all(adds)
  try {
    await withTimeout(all.promise, 30_000 + (jobs / rate) * 1000, 'latency')
  } catch (e) {
    errors.push(e.message)
  }
  const m = await ctx.meter.end(Math.max(1, lat.length))
  await w.close()
  await q.close()
  lat.sort((a, b) => a - b)
  const pct = (p) => (lat.length ? lat[Math.min(lat.length - 1, Math.floor((p / 100) * lat.length))] : null)
  // The rate is fixed, so jobs/s says nothing here; the achieved add rate does.
  m.addRate = jobs / ((nowMs() - start) / 1000)
  delete m.jobsPerSec
  Object.assign(m, { samples: lat.length, p50: pct(50), p90: pct(90), p99: pct(99), max: lat.length ? lat[lat.length - 1] : null })
  if (errors.length) m.errors = errors
  return m
}

module.exports = { latency }
