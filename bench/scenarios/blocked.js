'use strict'
// A processor that blocks the event loop for longer than the job's lock lasts: does the job
// complete once, or is it taken for stalled and run again? An outcome, not a timing.
// This scenario is about events, so it listens to them.

const { openQueue, sleep } = require('./queues')

async function blocked(ctx, { queue, blockMs, lockDuration, stalledInterval, settleMs }) {
  const q = await openQueue(ctx, queue)
  const seen = { processorRuns: 0, completed: 0, failed: 0, stalled: 0, errors: [] }
  let lastRunEnd = 0
  const w = new ctx.lib.Worker(
    queue,
    async () => {
      seen.processorRuns++
      if (seen.processorRuns === 1) {
        const end = Date.now() + blockMs
        while (Date.now() < end) {
          // busy-wait: the event loop is blocked
        }
      }
      lastRunEnd = Date.now()
      return 'done'
    },
    { connection: ctx.lib.connection(), concurrency: 1, lockDuration, stalledInterval },
  )
  w.on('completed', () => seen.completed++)
  w.on('failed', (_job, err) => {
    seen.failed++
    if (seen.errors.length < 5) seen.errors.push(`failed: ${err && err.message}`)
  })
  w.on('stalled', () => seen.stalled++)
  w.on('error', (e) => seen.errors.length < 5 && seen.errors.push(`error: ${e && e.message}`))
  await w.waitUntilReady()
  const job = await q.add('block', { i: 0 })
  const deadline = Date.now() + blockMs + settleMs + 5000
  // Wait until the first run ended, then give stalled checks and retries time to show.
  while (Date.now() < deadline && (lastRunEnd === 0 || Date.now() < lastRunEnd + settleMs)) await sleep(100)
  const state = await q.getJobState(job.id)
  const stored = await q.getJob(job.id)
  await w.close()
  await q.close()
  seen.finalState = state
  seen.attemptsStarted = stored && stored.attemptsStarted
  seen.attemptsMade = stored && stored.attemptsMade
  seen.stalledCounter = stored && stored.stalledCounter
  seen.ok = seen.processorRuns === 1 && seen.completed === 1 && seen.failed === 0 && state === 'completed'
  seen.verdict = seen.ok
    ? 'completed once'
    : [
        seen.processorRuns > 1 ? `ran ${seen.processorRuns}x` : null,
        seen.failed ? `failed ${seen.failed}x` : null,
        seen.stalled ? `stalled ${seen.stalled}x` : null,
        seen.completed !== 1 ? `${seen.completed} completed events` : null,
        `ends ${state}`,
      ]
        .filter(Boolean)
        .join(', ')
  return seen
}

module.exports = { blocked }
