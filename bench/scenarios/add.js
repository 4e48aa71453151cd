'use strict'
// Producer scenarios: add() awaited one after another, add() with N in flight, addBulk.
// No worker runs; the window covers the adds only.

const { JOB_NAME, openQueue, jobList } = require('./queues')

/** `await q.add()` one after another: one round trip per job, nothing overlaps. */
async function addSequential(ctx, { jobs, queue }) {
  const q = await openQueue(ctx, queue)
  await ctx.hold()
  await ctx.meter.begin()
  for (let i = 0; i < jobs; i++) await q.add(JOB_NAME, { i })
  const m = await ctx.meter.end(jobs)
  await q.close()
  return m
}

/** `inFlight` lanes, each awaiting its add before issuing the next: exactly that many adds pending. */
async function addInFlight(ctx, { jobs, queue, inFlight }) {
  const q = await openQueue(ctx, queue)
  let next = 0
  const lane = async () => {
    while (next < jobs) {
      const i = next++
      await q.add(JOB_NAME, { i })
    }
  }
  await ctx.hold()
  await ctx.meter.begin()
  const lanes = []
  for (let l = 0; l < inFlight; l++) lanes.push(lane())
  await Promise.all(lanes)
  const m = await ctx.meter.end(jobs)
  await q.close()
  return m
}

/** addBulk of `batch` jobs, awaited one after another. The job lists are built before the clock starts. */
async function addBulk(ctx, { jobs, queue, batch }) {
  const q = await openQueue(ctx, queue)
  const batches = []
  for (let i = 0; i < jobs; i += batch) batches.push(jobList(i, Math.min(jobs, i + batch)))
  await ctx.hold()
  await ctx.meter.begin()
  for (const b of batches) await q.addBulk(b)
  const m = await ctx.meter.end(jobs)
  await q.close()
  return m
}

module.exports = { addSequential, addInFlight, addBulk }
