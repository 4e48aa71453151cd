'use strict'
// RSS over a long run (BENCH_LONG=1): one worker at concurrency 100 processes a million jobs
// while a feeder keeps the queue topped up. Does the worker's resident memory stay flat?
// Jobs are added with removeOnComplete so that Redis (or the embedded store) stays flat too and
// only the worker's own memory is watched. On Redis the feeder is another child process
// (mode "feed"), whose Redis traffic the window's Redis figures include; the embedded store
// lives in this process, so there it runs here.

const { FILL_BATCH, openQueue, jobList, latch, collectErrors, sleep, withTimeout } = require('./queues')
const { rssMB } = require('../measure')

const FEED_LOW_WATER = 20_000
const JOB_OPTS = { removeOnComplete: true }
const CURVE_POINTS = 50

/** Adds `jobs` jobs in batches, whenever fewer than FEED_LOW_WATER are waiting. */
async function feed(ctx, { jobs, queue }) {
  const q = await openQueue(ctx, queue)
  let added = 0
  while (added < jobs) {
    if ((await q.getWaitingCount()) > FEED_LOW_WATER) {
      await sleep(20)
      continue
    }
    const n = Math.min(FILL_BATCH, jobs - added)
    await q.addBulk(jobList(added, added + n, JOB_OPTS))
    added += n
  }
  await q.close()
  return { jobs: added }
}

async function rssLong(ctx, { jobs, queue, concurrency, fedElsewhere }) {
  const step = Math.max(1, Math.floor(jobs / CURVE_POINTS))
  const curve = []
  const errors = []
  let started = 0
  let t0 = 0
  const all = latch()
  const point = () => {
    const mem = process.memoryUsage()
    curve.push({
      jobs: started,
      seconds: (Date.now() - t0) / 1000,
      rssMB: mem.rss / 2 ** 20,
      heapUsedMB: mem.heapUsed / 2 ** 20,
      externalMB: mem.external / 2 ** 20,
    })
  }
  const w = new ctx.lib.Worker(
    queue,
    async () => {
      if (++started % step === 0) point()
      if (started === jobs) all.resolve()
    },
    { connection: ctx.lib.connection(), concurrency, autorun: false },
  )
  collectErrors(w, errors)
  await w.waitUntilReady()
  await ctx.hold()
  t0 = Date.now()
  await ctx.meter.begin()
  point()
  const running = w.run().catch((e) => errors.push(String(e && e.message)))
  // A feeder that fails ends the run (the worker would otherwise wait for jobs that never come).
  const feeding = fedElsewhere
    ? null
    : feed(ctx, { jobs, queue }).catch((e) => {
        errors.push(`feeder: ${e.message}`)
        all.resolve()
      })
  try {
    await withTimeout(all.promise, Number(process.env.BENCH_LONG_TIMEOUT_MS || 3_600_000), 'rss-long')
  } catch (e) {
    errors.push(e.message)
  }
  // Every job has started; close() waits for the last ones to finish.
  await w.close()
  await running
  const m = await ctx.meter.end(Math.max(1, started))
  if (feeding) await feeding
  m.curve = curve
  m.rssStartMB = curve.length ? curve[0].rssMB : null
  m.rssEndMB = rssMB()
  m.rssMaxMB = Math.max(...curve.map((p) => p.rssMB))
  if (errors.length) m.errors = errors
  return m
}

module.exports = { feed, rssLong }
