#!/usr/bin/env node
'use strict'
// ferroq's main demo: the learning tracker and the email queues at work on one
// store, with the admin endpoints served on a local port and live per-queue
// counts in the terminal until the work drains. Uses REDIS_URL when set (a
// memory:// URL works too), else starts a private redis-server on a free
// loopback port (and stops it), else, with no redis-server on PATH, runs on
// ferroq's embedded in-process store (memory://demo). It says which.
//
//   npm run demo            (DEMO_JOBS=300 for more work, DEMO_QUIET=1 for no live view)

const http = require('node:http')
const path = require('node:path')
const { spawnSync } = require('node:child_process')
const ferroq = require(path.join(__dirname, '..'))
const { startRedis } = require(path.join(__dirname, '..', '__test__', 'setup', 'redis-server.js'))

const JOBS = Number(process.env.DEMO_JOBS || 120)
const USERS = 12
const live = process.stdout.isTTY && !process.env.DEMO_QUIET
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

function bar(done, total, width = 24) {
  const filled = total > 0 ? Math.round((done / total) * width) : width
  return '█'.repeat(filled) + '░'.repeat(width - filled)
}

/** The store to run on, and a line saying which. */
async function pickStore() {
  const url = process.env.REDIS_URL
  if (url) {
    const what = url.startsWith('memory:') ? 'the embedded store' : 'Redis'
    return { url, server: null, said: `using ${what} from REDIS_URL (${url.replace(/\/\/[^@/]*@/, '//***@')})` }
  }
  if (!spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).error) {
    const server = await startRedis()
    return { url: server.url, server, said: `started a private redis-server on ${server.url} (pid ${server.pid})` }
  }
  return {
    url: 'memory://demo',
    server: null,
    said: 'no REDIS_URL and no redis-server on PATH: using the embedded store (memory://demo, in this process, not durable)',
  }
}

async function main() {
  const { url, server, said } = await pickStore()
  console.log(said)
  const connection = { url }
  const prefix = `demo-${Date.now().toString(36)}`
  const logLines = []
  const logger = { info: (m) => logLines.push(m), warn: (m) => logLines.push(m), error: (m) => logLines.push(m) }

  // Email queues: simulated SMTP that fails now and then (retried with backoff).
  process.env.JOB_RETRY_DELAY = process.env.JOB_RETRY_DELAY || '100'
  let attemptsSeen = 0
  const flakySend = async (data, job) => {
    attemptsSeen++
    await job.updateProgress(50)
    await sleep(5 + Math.random() * 20)
    if (Math.random() < 0.15) throw new Error(`SMTP timeout for ${data.email || data.userId}`)
    await job.updateProgress(100)
    return { delivered: true, at: Date.now() }
  }
  await ferroq.initializeQueues({
    connection,
    prefix,
    logger,
    processors: {
      email: {
        'send-verification-code': flakySend,
        'send-password-reset': flakySend,
        'send-welcome-email': flakySend,
        'send-payment-receipt': flakySend,
      },
    },
  })

  // Learning tracker: bursts of activity per user, debounced to one recompute each.
  const recomputed = new Map()
  const tracker = ferroq.createLearningTracker({
    connection,
    prefix,
    queueName: 'learning-tracker',
    debounceMs: 300,
    logger: null,
    processor: async (userId) => {
      await sleep(20)
      recomputed.set(userId, (recomputed.get(userId) || 0) + 1)
      return { userId, insights: Math.round(Math.random() * 100) }
    },
  })

  // Admin endpoints on a local port, behind a (demo) bearer token.
  let adminUrl = null
  let httpServer = null
  if (typeof ferroq.createAdminHandler === 'function') {
    const handler = ferroq.createAdminHandler({
      queues: [...ferroq.getQueues(), new ferroq.Queue('learning-tracker', { connection, prefix })],
      authorize: (req) => (req.headers.authorization ? req.headers.authorization === 'Bearer demo' : 'unauthenticated'),
    })
    httpServer = http.createServer(handler)
    await new Promise((r) => httpServer.listen(0, '127.0.0.1', r))
    adminUrl = `http://127.0.0.1:${httpServer.address().port}`
  }

  // Produce the work.
  const calls = []
  for (let i = 0; i < JOBS; i++) {
    const n = i % 4
    if (n === 0) calls.push(ferroq.emailQueue.sendVerificationCode(`user${i}@example.com`, String(100000 + i), `User${i}`))
    if (n === 1) calls.push(ferroq.emailQueue.sendPasswordReset(`user${i}@example.com`, `tok-${i}`, `User${i}`))
    if (n === 2) calls.push(ferroq.emailQueue.sendWelcomeEmail(i, 7))
    if (n === 3) calls.push(ferroq.emailQueue.sendPaymentReceipt(i, `pay-${i}`, 7))
  }
  await Promise.all(calls)
  for (let burst = 0; burst < 5; burst++) {
    for (let u = 0; u < USERS; u++) tracker.queueLearningUpdate(`user-${u}`)
    await sleep(30)
  }
  console.log(`queued ${JOBS} emails and ${5 * USERS} learning updates for ${USERS} users`)
  if (adminUrl) console.log(`admin endpoints: ${adminUrl}/stats  (header: Authorization: Bearer demo)`)

  // Live view until everything has drained.
  const emailQueue = ferroq.getQueue('email')
  const started = Date.now()
  let lastRender = ''
  for (;;) {
    const e = await emailQueue.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed')
    const t = await tracker.getQueueStatus()
    const pending = e.waiting + e.active + e.delayed + t.total
    const lines = [
      `email     ${bar(e.completed + e.failed, JOBS)} done ${String(e.completed).padStart(4)}  failed ${String(e.failed).padStart(3)}  retrying ${String(e.delayed).padStart(3)}  active ${e.active}`,
      `learning  ${bar(recomputed.size, USERS)} users ${String(recomputed.size).padStart(3)}/${USERS}  pending ${t.waiting}  active ${t.active}`,
    ]
    const render = lines.join('\n')
    // Redraw in place on a terminal; otherwise only the final state is printed.
    if (live) {
      if (lastRender) process.stdout.write(`\x1b[${lines.length}A`)
      process.stdout.write(`${lines.map((l) => `${l}\x1b[K`).join('\n')}\n`)
    }
    lastRender = render
    if (pending === 0 && recomputed.size === USERS) break
    if (Date.now() - started > 60000) {
      console.log('gave up waiting after 60 s')
      break
    }
    await sleep(live ? 100 : 250)
  }
  if (!live) console.log(lastRender)

  let stats = null
  if (adminUrl) {
    const res = await fetch(`${adminUrl}/stats`, { headers: { authorization: 'Bearer demo' } })
    stats = await res.json()
  }
  const e = await emailQueue.getJobCounts('completed', 'failed')
  console.log('\nsummary')
  console.log(`  emails:   ${e.completed} delivered, ${e.failed} failed after ${process.env.JOB_MAX_RETRIES || 3} attempts (${attemptsSeen} attempts in all)`)
  console.log(`  learning: ${[...recomputed.values()].reduce((a, b) => a + b, 0)} recomputes for ${recomputed.size} users (${5 * USERS} calls, debounced)`)
  if (stats) console.log(`  admin /stats: ${JSON.stringify(stats.data.email)}`)
  console.log(`  took ${((Date.now() - started) / 1000).toFixed(1)} s`)

  if (httpServer) await new Promise((r) => httpServer.close(r))
  await tracker.cleanup()
  await ferroq.shutdownQueues()
  for (const q of ferroq.getQueues()) await q.close()
  if (server) await server.stop()
}

main().catch((err) => {
  console.error('demo failed:', err)
  process.exit(1)
})
