'use strict'
// The email queue system preset (seed app 002) for JS. Queue names, env-driven
// concurrency/retries and argument validation live in Rust (presets/email_queues.rs);
// this file creates the Queue/Worker objects and dispatches jobs to the app's
// processors by job name.

const native = require('./native.js')
const { FerroqError, invalid, callNative } = require('./errors.js')
const { UnrecoverableError } = require('./outcome-errors.js')
const { redisEnv } = require('./connection.js')
const { toJson } = require('./convert.js')
const { Queue } = require('./queue.js')
const { Worker } = require('./worker.js')

const state = {
  queues: new Map(),
  workers: new Map(),
  processors: {},
  options: {},
  inlineCount: 0,
  shutdown: null,
}

const ENV_VARS = [
  'EMAIL_QUEUE_CONCURRENCY', 'SYNC_QUEUE_CONCURRENCY', 'PAYMENT_QUEUE_CONCURRENCY', 'ENROLLMENT_QUEUE_CONCURRENCY',
  'NOTIFICATION_QUEUE_CONCURRENCY', 'CLEANUP_QUEUE_CONCURRENCY', 'JOB_MAX_RETRIES', 'JOB_RETRY_DELAY',
  'CLEANUP_SCHEDULE', 'CLEANUP_SCHEDULE_TZ',
]

/** The system's settings from `process.env` (read on every call, so changes apply). */
function systemConfig() {
  const env = {}
  for (const k of ENV_VARS) if (typeof process.env[k] === 'string') env[k] = process.env[k]
  // REDIS_ENABLED, like every REDIS_* variable, is read by connection.js.
  const { REDIS_ENABLED } = redisEnv()
  if (REDIS_ENABLED !== undefined) env.REDIS_ENABLED = REDIS_ENABLED
  return JSON.parse(callNative(() => native.emailSystemConfig(JSON.stringify(env))))
}

function log(level, msg) {
  const logger = state.options.logger === undefined ? console : state.options.logger
  if (logger && typeof logger[level] === 'function') logger[level](msg)
}

/** The processor for a job: `processors[queue]` is a function or `{ [jobName]: fn }`. */
function processorFor(queueName, jobName) {
  const p = state.processors[queueName]
  if (typeof p === 'function') return p
  if (p && typeof p[jobName] === 'function') return p[jobName]
  return undefined
}

/**
 * Creates the six queues and a worker for each queue that has processors.
 * `processors`: `{ email: { 'send-verification-code': async (data, job) => ..., ... }, ... }`.
 */
async function initializeQueues(opts = {}) {
  if (opts === null || typeof opts !== 'object') throw invalid('opts', 'must be an object')
  if (state.queues.size > 0) await shutdownQueues()
  state.shutdown = null
  state.processors = checkProcessors(opts.processors)
  state.options = opts
  const config = systemConfig()
  const base = { connection: opts.connection, prefix: opts.prefix }
  if (!config.redisEnabled) {
    log('warn', '⚠️ REDIS_ENABLED=false: queue helpers run their processors inline')
    return { queues: state.queues, workers: state.workers }
  }
  for (const q of config.queues) {
    const queue = new Queue(q.name, { ...base, defaultJobOptions: config.jobOptions })
    state.queues.set(q.name, queue)
    log('info', `✅ Queue created: ${q.name}`)
    if (state.processors[q.name]) {
      const worker = new Worker(
        q.name,
        async (job) => {
          const fn = processorFor(q.name, job.name)
          if (!fn) throw new UnrecoverableError(`no processor for job "${job.name}" on queue "${q.name}"`)
          return fn(job.data, job)
        },
        { ...base, concurrency: q.concurrency },
      )
      worker.on('error', (err) => log('error', `❌ Worker error (${q.name}): ${err.message}`))
      worker.on('failed', (job, err) => log('warn', `⚠️ Job ${job && job.name} (${job && job.id}) failed on ${q.name}: ${err.message}`))
      state.workers.set(q.name, worker)
      log('info', `✅ Worker created: ${q.name} (concurrency: ${q.concurrency})`)
    }
  }
  await scheduleCleanup(config, opts)
  log('info', `✅ Queue system initialized with ${state.queues.size} queues`)
  return { queues: state.queues, workers: state.workers }
}

/** `processors` as initializeQueues takes it: `{ [queue]: fn | { [jobName]: fn } }`, or a coded error naming the bad entry. */
function checkProcessors(processors) {
  if (processors == null) return {}
  if (typeof processors !== 'object') throw invalid('processors', 'must be { [queue]: fn or { [jobName]: fn } }')
  for (const [queue, p] of Object.entries(processors)) {
    if (typeof p === 'function') continue
    if (!p || typeof p !== 'object') throw invalid(`processors.${queue}`, 'must be a function or { [jobName]: async (data, job) => result }')
    const bad = Object.keys(p).find((k) => typeof p[k] !== 'function')
    if (bad !== undefined) throw invalid(`processors.${queue}.${bad}`, 'must be a function: async (data, job) => result')
  }
  return processors
}

/**
 * The cleanup queue's scheduled sweep of expired verification codes
 * (CLEANUP_SCHEDULE, default hourly): upserted when this process runs its
 * processor (`processors.cleanup['cleanup-expired-verification-codes']`) or
 * when `opts.scheduleCleanup` is true (workers elsewhere); removed when the
 * schedule is `off`. Upserting again on every start changes nothing twice.
 */
async function scheduleCleanup(config, opts) {
  const queue = state.queues.get('cleanup')
  if (!queue) return
  if (!config.cleanupSchedule) {
    if (await queue.removeJobScheduler(config.cleanupSchedulerId)) log('info', '🧹 Cleanup schedule removed (CLEANUP_SCHEDULE=off)')
    return
  }
  if (!processorFor('cleanup', config.cleanupJobName) && opts.scheduleCleanup !== true) return
  await queue.upsertJobScheduler(config.cleanupSchedulerId, config.cleanupSchedule, { name: config.cleanupJobName })
  const s = config.cleanupSchedule
  log('info', `🧹 Cleanup scheduled: ${config.cleanupJobName} (${s.pattern ? `cron "${s.pattern}"${s.tz ? ` ${s.tz}` : ''}` : `every ${s.every} ms`})`)
}

/** Closes every worker (letting running jobs finish), then every queue. Idempotent. */
function shutdownQueues() {
  if (!state.shutdown) {
    const workers = [...state.workers.values()]
    const queues = [...state.queues.values()]
    state.workers = new Map()
    state.queues = new Map()
    state.shutdown = (async () => {
      await Promise.all(workers.map((w) => w.close()))
      await Promise.all(queues.map((q) => q.close()))
    })()
  }
  return state.shutdown
}

/** The queue named `name` (creating a producer-only handle when not initialized). */
function getQueue(name) {
  let q = state.queues.get(name)
  if (!q) {
    q = new Queue(name, { connection: state.options.connection, prefix: state.options.prefix, defaultJobOptions: systemConfig().jobOptions })
    state.queues.set(name, q)
    state.shutdown = null
  }
  return q
}

/** Every queue created by initializeQueues (for the admin handler). */
function getQueues() {
  return [...state.queues.values()]
}

async function enqueue(kind, args) {
  const job = JSON.parse(callNative(() => native.emailJobFor(kind, toJson(args, `${kind} arguments`))))
  if (!systemConfig().redisEnabled) {
    const fn = processorFor(job.queue, job.name)
    if (!fn) throw new FerroqError('ERR_FERROQ_INVALID_OPTION', `no processor for "${job.name}"; pass processors to initializeQueues()`)
    log('warn', `⚠️ Redis disabled: running ${job.name} inline`)
    state.inlineCount += 1
    const id = `inline-${Date.now()}-${state.inlineCount}`
    await fn(job.data, { id, name: job.name, data: job.data, attemptsMade: 0, updateProgress: async () => {}, log: async () => 0 })
    return id
  }
  const added = await getQueue(job.queue).add(job.name, job.data)
  return added.id
}

/** High-level email helpers; each validates, enqueues a named job and resolves with its id. */
const emailQueue = {
  sendVerificationCode: (email, code, firstName) => enqueue('sendVerificationCode', [email, code, firstName]),
  sendPasswordReset: (email, resetToken, firstName) => enqueue('sendPasswordReset', [email, resetToken, firstName]),
  sendWelcomeEmail: (userId, courseId) => enqueue('sendWelcomeEmail', [userId, courseId]),
  sendPaymentReceipt: (userId, paymentId, courseId) => enqueue('sendPaymentReceipt', [userId, paymentId, courseId]),
}

module.exports = { initializeQueues, shutdownQueues, getQueue, getQueues, emailQueue, systemConfig }
