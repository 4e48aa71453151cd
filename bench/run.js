'use strict'
// ferroq vs bullmq, interleaved in one run against one private redis-server.
//
//   npm run bench                      full run (~2-3 min on 2 cores)
//   BENCH_SCALE=0.2 npm run bench      smaller job counts (quick look)
//   BENCH_ROUNDS=3                     rounds per library and scenario (default 2)
//   BENCH_AGG=median                   aggregate rounds by median instead of best-of (default best)
//   BENCH_ONLY=process-c10,latency     run only these scenarios (a prefix such as "process" selects a group)
//   BENCH_LIBS=ferroq                  run one library only (profiling; no ratios)
//   BENCH_HOLD_MS=5000                 pause before each timed process run (attach a profiler)
//   REDIS_URL=redis://...              use that server instead of starting one
//   BENCH_FERROQ=/path/to/ferroq       load ferroq from another directory (another build)
//
// Every figure is printed with the ratio ferroq/bullmq; nothing is asserted.
// Results (all rounds, medians, Redis commandstats deltas) go to bench/results.json.

const fs = require('node:fs')
const path = require('node:path')
const { spawnSync } = require('node:child_process')
const { performance } = require('node:perf_hooks')
const { setTimeout: sleep } = require('node:timers/promises')
const IORedis = require('ioredis')
const bullmq = require('bullmq')
// BENCH_FERROQ=/path/to/a/ferroq/checkout compares another build (e.g. an unstripped one for perf).
const ferroq = require(process.env.BENCH_FERROQ ? path.resolve(process.env.BENCH_FERROQ) : '..')
const { startRedis } = require('../__test__/setup/redis-server.js')

const SCALE = Number(process.env.BENCH_SCALE || 1)
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS || 2))
// Best-of by default: this machine is shared, and interference only ever makes a round worse.
const AGG = process.env.BENCH_AGG === 'median' ? 'median' : 'best'
const ONLY = (process.env.BENCH_ONLY || '').split(',').filter(Boolean)
const LIBS = (process.env.BENCH_LIBS || 'bullmq,ferroq').split(',').filter(Boolean)
const HOLD_MS = Number(process.env.BENCH_HOLD_MS || 0)
const RUN_TIMEOUT_MS = 90_000
const n = (x) => Math.max(100, Math.round(x * SCALE))

// ---------------------------------------------------------------------------
// Measuring

const CLK_TCK = (() => {
  const r = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' })
  const v = Number(String(r.stdout || '').trim())
  return Number.isFinite(v) && v > 0 ? v : 100
})()

/** CLOCK_MONOTONIC in µs: the clock of V8's .cpuprofile timestamps (bench/prof-top.js uses the windows). */
const monoUs = () => Number(process.hrtime.bigint() / 1000n)

/** Wall clock in ms with sub-ms precision, comparable with Date.now(). */
const nowMs = () => performance.timeOrigin + performance.now()

/** CPU time (µs) of the main JS thread only: tid == pid. */
function mainThreadCpuUs() {
  if (typeof process.threadCpuUsage === 'function') {
    const u = process.threadCpuUsage()
    return u.user + u.system
  }
  const stat = fs.readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8')
  // Fields after "(comm)": state is field 3, utime 14, stime 15.
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return ((Number(f[11]) + Number(f[12])) * 1e6) / CLK_TCK
}

function processCpuUs() {
  const u = process.cpuUsage()
  return u.user + u.system
}

/** `{ threadName: { us, ctx } }` summed over this process's threads (CPU µs, context switches). */
function threadsCpu(pid = 'self') {
  const out = {}
  let tids = []
  try {
    tids = fs.readdirSync(`/proc/${pid}/task`)
  } catch {
    return out
  }
  for (const tid of tids) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8')
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      const status = fs.readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8')
      const ctx = /voluntary_ctxt_switches:\s+(\d+)/.exec(status)
      const nctx = /nonvoluntary_ctxt_switches:\s+(\d+)/.exec(status)
      // The main thread's name is the process name; call it "main" (tid == pid).
      const name = String(tid) === String(pid === 'self' ? process.pid : pid) ? 'main' : comm
      const o = (out[name] = out[name] || { us: 0, ctx: 0, threads: 0 })
      o.us += ((Number(f[11]) + Number(f[12])) * 1e6) / CLK_TCK
      o.ctx += (ctx ? Number(ctx[1]) : 0) + (nctx ? Number(nctx[1]) : 0)
      o.threads++
    } catch {
      // the thread exited meanwhile
    }
  }
  return out
}

function threadsDelta(a, b, jobs) {
  const out = {}
  for (const [k, v] of Object.entries(b)) {
    const p = a[k] || { us: 0, ctx: 0 }
    const us = v.us - p.us
    const ctx = v.ctx - p.ctx
    if (us <= 0 && ctx <= 0) continue
    out[k] = { threads: v.threads, usPerJob: us / jobs, ctxPerJob: ctx / jobs }
  }
  return out
}

let admin // ioredis client for INFO and key cleanup (never used inside a timed window)

function parseInfo(text) {
  const out = {}
  for (const line of text.split('\r\n')) {
    const i = line.indexOf(':')
    if (i > 0 && line[0] !== '#') out[line.slice(0, i)] = line.slice(i + 1)
  }
  return out
}

let redisPid = null // set when the server is ours: its context switches are read from /proc

/** One INFO ALL: Redis CPU (µs), network bytes and commandstats. */
async function redisState() {
  const info = parseInfo(await admin.info('all'))
  const out = {}
  for (const [k, v] of Object.entries(info)) {
    if (!k.startsWith('cmdstat_')) continue
    const calls = Number(/calls=(\d+)/.exec(v)[1])
    const usec = Number(/usec=(\d+)/.exec(v)[1])
    out[k.slice(8)] = { calls, usec }
  }
  let ctx = 0
  if (redisPid) for (const t of Object.values(threadsCpu(redisPid))) ctx += t.ctx
  return {
    cpu: (Number(info.used_cpu_sys) + Number(info.used_cpu_user)) * 1e6,
    netIn: Number(info.total_net_input_bytes),
    netOut: Number(info.total_net_output_bytes),
    ctx,
    cmd: out,
  }
}

async function snapshot() {
  const r = await redisState()
  const threads = threadsCpu()
  return { wall: nowMs(), mono: monoUs(), proc: processCpuUs(), main: mainThreadCpuUs(), threads, r }
}

/** Closes a measurement window; the Redis read comes after the clocks stop. */
async function endSnapshot() {
  const wall = nowMs()
  const mono = monoUs()
  const proc = processCpuUs()
  const main = mainThreadCpuUs()
  const threads = threadsCpu()
  const r = await redisState()
  return { wall, mono, proc, main, threads, r }
}

function cmdDelta(a, b, jobs) {
  const out = {}
  for (const [k, v] of Object.entries(b)) {
    const calls = v.calls - ((a[k] && a[k].calls) || 0)
    const usec = v.usec - ((a[k] && a[k].usec) || 0)
    // The INFO calls of the window itself are not the library's.
    if (k === 'info' || calls <= 0) continue
    out[k] = { calls, usec, callsPerJob: calls / jobs, usecPerJob: usec / jobs, usecPerCall: usec / calls }
  }
  return out
}

function metrics(s0, s1, jobs) {
  const secs = (s1.wall - s0.wall) / 1000
  return {
    jobs,
    seconds: secs,
    jobsPerSec: jobs / secs,
    redisUsPerJob: (s1.r.cpu - s0.r.cpu) / jobs,
    nodeUsPerJob: (s1.proc - s0.proc) / jobs,
    nodeMainUsPerJob: (s1.main - s0.main) / jobs,
    redisBytesInPerJob: (s1.r.netIn - s0.r.netIn) / jobs,
    redisBytesOutPerJob: (s1.r.netOut - s0.r.netOut) / jobs,
    redisCtxSwitchesPerJob: redisPid ? (s1.r.ctx - s0.r.ctx) / jobs : null,
    nodeThreads: threadsDelta(s0.threads, s1.threads, jobs),
    commandstats: cmdDelta(s0.r.cmd, s1.r.cmd, jobs),
    window: [s0.mono, s1.mono],
  }
}

// ---------------------------------------------------------------------------
// Libraries and queues

let redisInfo // { host, port, url }
const libs = {
  bullmq: { Queue: bullmq.Queue, Worker: bullmq.Worker, conn: () => ({ host: redisInfo.host, port: redisInfo.port }) },
  ferroq: { Queue: ferroq.Queue, Worker: ferroq.Worker, conn: () => ({ url: redisInfo.url }) },
}

let seq = 0
const runTag = Math.random().toString(36).slice(2, 8)
const queueName = (scenario, lib) => `bench-${runTag}-${scenario}-${lib}-${++seq}`

/** Deletes one queue's keys (prefix "bull"), outside any timed window. */
async function dropQueue(name) {
  let cursor = '0'
  do {
    const [next, keys] = await admin.scan(cursor, 'MATCH', `bull:${name}:*`, 'COUNT', 5000)
    cursor = next
    if (keys.length) await admin.unlink(...keys)
  } while (cursor !== '0')
}

async function openQueue(lib, name) {
  const q = new libs[lib].Queue(name, { connection: libs[lib].conn() })
  await q.waitUntilReady()
  return q
}

async function fill(q, total, batch = 1000) {
  for (let i = 0; i < total; i += batch) {
    const jobs = []
    for (let j = i; j < Math.min(total, i + batch); j++) jobs.push({ name: 'j', data: { i: j } })
    await q.addBulk(jobs)
  }
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

// ---------------------------------------------------------------------------
// Scenarios: each run function gets (lib, params) and returns a metrics object.

async function runAddSequential(lib, { total }) {
  const name = queueName('addseq', lib)
  const q = await openQueue(lib, name)
  await q.add('warm', {}) // first add may set up queue metadata: not timed
  const s0 = await snapshot()
  for (let i = 0; i < total; i++) await q.add('j', { i })
  const s1 = await endSnapshot()
  await q.close()
  await dropQueue(name)
  return metrics(s0, s1, total)
}

async function runAddConcurrent(lib, { total, inFlight }) {
  const name = queueName('addconc', lib)
  const q = await openQueue(lib, name)
  await q.add('warm', {})
  let next = 0
  const s0 = await snapshot()
  const lanes = []
  for (let l = 0; l < inFlight; l++) {
    lanes.push(
      (async () => {
        while (next < total) {
          const i = next++
          await q.add('j', { i })
        }
      })(),
    )
  }
  await Promise.all(lanes)
  const s1 = await endSnapshot()
  await q.close()
  await dropQueue(name)
  return metrics(s0, s1, total)
}

async function runAddBulk(lib, { total, batch }) {
  const name = queueName(`addbulk${batch}`, lib)
  const q = await openQueue(lib, name)
  await q.add('warm', {})
  // Job objects are built before the clock starts: the call is what is timed.
  const batches = []
  for (let i = 0; i < total; i += batch) {
    const jobs = []
    for (let j = i; j < Math.min(total, i + batch); j++) jobs.push({ name: 'j', data: { i: j } })
    batches.push(jobs)
  }
  const s0 = await snapshot()
  for (const jobs of batches) await q.addBulk(jobs)
  const s1 = await endSnapshot()
  await q.close()
  await dropQueue(name)
  return metrics(s0, s1, total)
}

async function runProcess(lib, { total, concurrency, warm = false }) {
  const name = queueName(`proc${concurrency}`, lib)
  const q = await openQueue(lib, name)
  await fill(q, total)
  let done = 0
  let failed = 0
  const errors = []
  let finish
  const finished = new Promise((resolve) => (finish = resolve))
  const w = new libs[lib].Worker(name, async () => {}, {
    connection: libs[lib].conn(),
    concurrency,
    autorun: false,
  })
  w.on('completed', () => {
    if (++done + failed === total) finish()
  })
  w.on('failed', () => {
    if (done + ++failed === total) finish()
  })
  w.on('error', (e) => errors.length < 5 && errors.push(String(e && e.message)))
  await w.waitUntilReady()
  if (HOLD_MS && !warm) {
    console.log(`  [hold] ${lib} process c=${concurrency}: pid ${process.pid}, starting in ${HOLD_MS} ms`)
    await sleep(HOLD_MS)
  }
  const s0 = await snapshot()
  const running = w.run().catch((e) => errors.push(String(e && e.message)))
  try {
    await withTimeout(finished, RUN_TIMEOUT_MS, `${lib} process c=${concurrency}`)
  } catch (e) {
    errors.push(e.message)
  }
  const s1 = await endSnapshot()
  await w.close()
  await running
  await q.close()
  await dropQueue(name)
  const m = metrics(s0, s1, Math.max(1, done + failed))
  m.completed = done
  m.failed = failed
  if (errors.length) m.errors = errors
  return m
}

async function runLatency(lib, { samples, intervalMs, concurrency }) {
  const name = queueName('latency', lib)
  const q = await openQueue(lib, name)
  const lat = []
  let finish
  const finished = new Promise((resolve) => (finish = resolve))
  const w = new libs[lib].Worker(
    name,
    async (job) => {
      lat.push(nowMs() - job.data.t)
      if (lat.length === samples) finish()
    },
    { connection: libs[lib].conn(), concurrency },
  )
  await w.waitUntilReady()
  await sleep(300) // let the worker go idle (blocked on the marker)
  const s0 = await snapshot()
  const adds = []
  const start = nowMs()
  for (let i = 0; i < samples; i++) {
    const due = start + i * intervalMs
    const wait = due - nowMs()
    if (wait >= 1) await sleep(Math.floor(wait))
    adds.push(q.add('lat', { t: nowMs() }))
  }
  await Promise.all(adds)
  const errors = []
  try {
    await withTimeout(finished, 30_000, `${lib} latency`)
  } catch (e) {
    errors.push(e.message)
  }
  const s1 = await endSnapshot()
  await w.close()
  await q.close()
  await dropQueue(name)
  lat.sort((a, b) => a - b)
  const pct = (p) => lat[Math.min(lat.length - 1, Math.floor((p / 100) * lat.length))]
  const m = metrics(s0, s1, Math.max(1, lat.length))
  delete m.jobsPerSec
  Object.assign(m, { samples: lat.length, p50: pct(50), p90: pct(90), p99: pct(99), max: lat[lat.length - 1] })
  if (errors.length) m.errors = errors
  return m
}

/** A processor that blocks the event loop for longer than the lock lasts. */
async function runBlocked(lib, { blockMs, lockDuration, stalledInterval, settleMs }) {
  const name = queueName('blocked', lib)
  const q = await openQueue(lib, name)
  const seen = { processorRuns: 0, completed: 0, failed: 0, stalled: 0, errors: [] }
  let lastRunEnd = 0
  const w = new libs[lib].Worker(
    name,
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
    { connection: libs[lib].conn(), concurrency: 1, lockDuration, stalledInterval },
  )
  w.on('completed', () => seen.completed++)
  w.on('failed', (_job, err) => {
    seen.failed++
    if (seen.errors.length < 5) seen.errors.push(`failed: ${err && err.message}`)
  })
  w.on('stalled', () => seen.stalled++)
  w.on('error', (e) => seen.errors.length < 5 && seen.errors.push(`error: ${e && e.message}`))
  await w.waitUntilReady()
  const job = await q.add('block', { x: 1 })
  const deadline = Date.now() + blockMs + settleMs + 5000
  // Wait until the first run ended, then give stalled checks and retries time to show.
  while (Date.now() < deadline && (lastRunEnd === 0 || Date.now() < lastRunEnd + settleMs)) await sleep(100)
  const state = await q.getJobState(job.id)
  const stored = await q.getJob(job.id)
  await w.close()
  await q.close()
  await dropQueue(name)
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

const SCENARIOS = [
  { key: 'add-seq', title: `add sequential (${n(3000)} jobs)`, run: runAddSequential, params: { total: n(3000) }, kind: 'add' },
  {
    key: 'add-conc',
    title: `add concurrent (100 in flight, ${n(20000)} jobs)`,
    run: runAddConcurrent,
    params: { total: n(20000), inFlight: 100 },
    kind: 'add',
  },
  { key: 'addbulk-100', title: `addBulk x100 (${n(30000)} jobs)`, run: runAddBulk, params: { total: n(30000), batch: 100 }, kind: 'add' },
  { key: 'addbulk-1000', title: `addBulk x1000 (${n(30000)} jobs)`, run: runAddBulk, params: { total: n(30000), batch: 1000 }, kind: 'add' },
  { key: 'process-c1', title: `process c=1 (${n(5000)} jobs)`, run: runProcess, params: { total: n(5000), concurrency: 1 }, kind: 'process' },
  { key: 'process-c10', title: `process c=10 (${n(15000)} jobs)`, run: runProcess, params: { total: n(15000), concurrency: 10 }, kind: 'process' },
  { key: 'process-c100', title: `process c=100 (${n(25000)} jobs)`, run: runProcess, params: { total: n(25000), concurrency: 100 }, kind: 'process' },
  {
    key: 'latency',
    title: `add-to-start latency (c=10 idle, ${n(2000)} jobs at 500/s)`,
    run: runLatency,
    params: { samples: n(2000), intervalMs: 2, concurrency: 10 },
    kind: 'latency',
  },
]

const BLOCKED = {
  key: 'blocked',
  title: 'blocked event loop (2500 ms busy-wait, lockDuration 1000, stalledInterval 1000)',
  params: { blockMs: 2500, lockDuration: 1000, stalledInterval: 1000, settleMs: 3000 },
}

// A key, or a group: "process" selects process-c1, process-c10 and process-c100.
const selected = (key) => ONLY.length === 0 || ONLY.some((o) => key === o || key.startsWith(`${o}-`))

// ---------------------------------------------------------------------------
// Reporting

const median = (xs) => {
  const s = xs.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b)
  if (!s.length) return null
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

/** Aggregates one metric over rounds: best (max when higher is better, else min) or median. */
function aggregate(xs, higherIsBetter) {
  if (AGG === 'median') return median(xs)
  const s = xs.filter((x) => typeof x === 'number' && Number.isFinite(x))
  if (!s.length) return null
  return higherIsBetter ? Math.max(...s) : Math.min(...s)
}

/** The round whose throughput is the aggregate's pick (for per-round detail such as commandstats). */
function representativeRound(rounds) {
  const s = rounds.slice().sort((a, b) => (b.jobsPerSec || 0) - (a.jobsPerSec || 0))
  return AGG === 'median' ? s[s.length >> 1] : s[0]
}

const ROWS = {
  add: [
    ['jobs/s', 'jobsPerSec'],
    ['Redis CPU µs/job', 'redisUsPerJob'],
    ['Node CPU µs/job (all threads)', 'nodeUsPerJob'],
    ['Node CPU µs/job (main thread)', 'nodeMainUsPerJob'],
  ],
  process: [
    ['jobs/s', 'jobsPerSec'],
    ['Redis CPU µs/job', 'redisUsPerJob'],
    ['Node CPU µs/job = ms/1k jobs (all threads)', 'nodeUsPerJob'],
    ['Node CPU µs/job = ms/1k jobs (main thread)', 'nodeMainUsPerJob'],
  ],
  latency: [
    ['p50 ms', 'p50'],
    ['p90 ms', 'p90'],
    ['p99 ms', 'p99'],
    ['max ms', 'max'],
    ['Redis CPU µs/job', 'redisUsPerJob'],
    ['Node CPU µs/job (all threads)', 'nodeUsPerJob'],
  ],
}

function fmt(v) {
  if (v === null || v === undefined) return '-'
  if (typeof v === 'string') return v
  if (Math.abs(v) >= 1000) return Math.round(v).toLocaleString('en-US')
  if (Math.abs(v) >= 100) return v.toFixed(0)
  if (Math.abs(v) >= 10) return v.toFixed(1)
  return v.toFixed(2)
}

function printTable(rows) {
  const head = ['scenario', 'metric', 'bullmq', 'ferroq', 'ferroq/bullmq']
  const cells = rows.map((r) => [r.scenario, r.metric, fmt(r.bullmq), fmt(r.ferroq), r.ratio == null ? '-' : `${r.ratio.toFixed(2)}x`])
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)))
  const line = (c) => c.map((x, i) => (i < 2 ? x.padEnd(widths[i]) : x.padStart(widths[i]))).join(' | ')
  console.log(line(head))
  console.log(widths.map((w) => '-'.repeat(w)).join('-|-'))
  let last = null
  for (const c of cells) {
    console.log(line([c[0] === last ? '' : c[0], ...c.slice(1)]))
    last = c[0]
  }
}

function printCommandStats(results) {
  for (const sc of SCENARIOS) {
    if (sc.kind !== 'process' || !results[sc.key]) continue
    console.log(`\nRedis commandstats per job, ${sc.title} (${AGG === 'best' ? 'fastest' : 'median'} round; calls/job / µs/job; commands run inside scripts included):`)
    const per = {}
    for (const lib of LIBS) {
      const pick = representativeRound(results[sc.key][lib] || [])
      per[lib] = (pick && pick.commandstats) || {}
    }
    const names = [...new Set(LIBS.flatMap((l) => Object.keys(per[l])))]
    const weight = (k) => Math.max(...LIBS.map((l) => (per[l][k] ? per[l][k].usecPerJob : 0)))
    names.sort((a, b) => weight(b) - weight(a))
    const cell = (l, k) => (per[l][k] ? `${per[l][k].callsPerJob.toFixed(2)} / ${per[l][k].usecPerJob.toFixed(1)}` : '-')
    const rows = names.filter((k) => weight(k) >= 0.05 || LIBS.some((l) => per[l][k] && per[l][k].callsPerJob >= 0.5))
    const w0 = Math.max(10, ...rows.map((k) => k.length))
    console.log(`  ${'command'.padEnd(w0)} | ${LIBS.map((l) => l.padStart(16)).join(' | ')}`)
    for (const k of rows) console.log(`  ${k.padEnd(w0)} | ${LIBS.map((l) => cell(l, k).padStart(16)).join(' | ')}`)
  }
}

function printThreads(results) {
  console.log(`\nWhere the CPU goes per job (${AGG === 'best' ? 'fastest' : 'median'} round): Node threads µs/job [context switches/job], Redis bytes in/out per job`)
  for (const sc of SCENARIOS) {
    if (sc.kind !== 'process' || !results[sc.key]) continue
    for (const lib of LIBS) {
      const m = representativeRound(results[sc.key][lib] || [])
      if (!m) continue
      const th = Object.entries(m.nodeThreads || {})
        .filter(([, v]) => v.usPerJob >= 0.5 || v.ctxPerJob >= 0.05)
        .sort((a, b) => b[1].usPerJob - a[1].usPerJob)
        .map(([k, v]) => `${k}${v.threads > 1 ? `(x${v.threads})` : ''} ${v.usPerJob.toFixed(1)} [${v.ctxPerJob.toFixed(2)}]`)
        .join(', ')
      const ctxR = m.redisCtxSwitchesPerJob == null ? '' : `, redis ctx sw ${m.redisCtxSwitchesPerJob.toFixed(2)}/job`
      console.log(`  ${sc.title.padEnd(26)} ${lib.padEnd(6)}: ${th} | bytes ${m.redisBytesInPerJob.toFixed(0)}/${m.redisBytesOutPerJob.toFixed(0)}${ctxR}`)
    }
  }
}

// ---------------------------------------------------------------------------

async function warmUp() {
  // JIT, script loading and connection set-up, untimed, for both libraries.
  for (const lib of LIBS) await runProcess(lib, { total: 500, concurrency: 10, warm: true })
}

const loadavg = () => require('node:os').loadavg().map((x) => x.toFixed(2)).join(' ')

async function main() {
  const t0 = Date.now()
  const loadAvgStart = loadavg()
  let server = null
  if (process.env.REDIS_URL) {
    const u = new URL(process.env.REDIS_URL)
    redisInfo = { url: process.env.REDIS_URL, host: u.hostname, port: Number(u.port || 6379) }
  } else {
    server = await startRedis()
    redisInfo = { url: server.url, host: '127.0.0.1', port: server.port }
    redisPid = server.pid
  }
  admin = new IORedis({ host: redisInfo.host, port: redisInfo.port, maxRetriesPerRequest: null })
  const serverInfo = parseInfo(await admin.info('server'))
  console.log(
    `ferroq ${ferroq.version} vs bullmq ${require('bullmq/package.json').version} | node ${process.version} | ` +
      `redis ${serverInfo.redis_version} on ${redisInfo.url}${server ? ` (private, pid ${server.pid})` : ''} | ` +
      `${require('node:os').cpus().length} cpus | ${ROUNDS} rounds, ${AGG === 'best' ? 'best-of' : 'median'} | scale ${SCALE} | ` +
      `load avg ${loadavg()}`,
  )

  const results = {}
  try {
    await warmUp()
    for (const sc of SCENARIOS) {
      if (!selected(sc.key)) continue
      results[sc.key] = Object.fromEntries(LIBS.map((l) => [l, []]))
      const ts = Date.now()
      for (let r = 0; r < ROUNDS; r++) {
        for (const lib of LIBS) {
          const m = await sc.run(lib, sc.params)
          results[sc.key][lib].push(m)
          const brief =
            sc.kind === 'latency'
              ? `p50 ${fmt(m.p50)} ms, p99 ${fmt(m.p99)} ms`
              : `${fmt(m.jobsPerSec)} jobs/s, redis ${fmt(m.redisUsPerJob)} µs/job, node ${fmt(m.nodeUsPerJob)} µs/job (main ${fmt(m.nodeMainUsPerJob)})`
          console.log(`${sc.title.padEnd(48)} round ${r + 1} ${lib.padEnd(6)}: ${brief}${m.errors ? `  [errors: ${m.errors.join('; ')}]` : ''}`)
        }
      }
      console.log(`  (${((Date.now() - ts) / 1000).toFixed(1)} s, load avg ${loadavg()})`)
    }
    if (selected(BLOCKED.key)) {
      results.blocked = {}
      for (const lib of LIBS) {
        const b = await runBlocked(lib, BLOCKED.params)
        results.blocked[lib] = b
        console.log(`${BLOCKED.title} ${lib}: ${b.verdict}${b.errors.length ? `  [${b.errors.join('; ')}]` : ''}`)
      }
    }
  } finally {
    await admin.quit().catch(() => {})
    if (server) await server.stop()
  }

  // Table: medians of the rounds.
  const rows = []
  for (const sc of SCENARIOS) {
    if (!results[sc.key]) continue
    for (const [label, field] of ROWS[sc.kind]) {
      const v = Object.fromEntries(LIBS.map((l) => [l, aggregate(results[sc.key][l].map((m) => m[field]), field === 'jobsPerSec')]))
      const ratio = v.bullmq && v.ferroq != null ? v.ferroq / v.bullmq : null
      rows.push({ scenario: sc.title, metric: label, bullmq: v.bullmq, ferroq: v.ferroq, ratio })
    }
  }
  if (results.blocked) {
    rows.push({
      scenario: 'blocked event loop (2.5 s sync)',
      metric: 'outcome',
      bullmq: results.blocked.bullmq ? results.blocked.bullmq.verdict : null,
      ferroq: results.blocked.ferroq ? results.blocked.ferroq.verdict : null,
      ratio: null,
    })
  }
  console.log('')
  printTable(rows)
  printCommandStats(results)
  printThreads(results)

  const out = {
    date: new Date().toISOString(),
    seconds: (Date.now() - t0) / 1000,
    env: {
      node: process.version,
      redis: serverInfo.redis_version,
      cpus: require('node:os').cpus().length,
      clkTck: CLK_TCK,
      ferroq: ferroq.version,
      bullmq: require('bullmq/package.json').version,
      rounds: ROUNDS,
      scale: SCALE,
      aggregate: AGG === 'best' ? 'best of rounds, per metric' : 'median of rounds',
      loadAvgStart,
      loadAvgEnd: loadavg(),
    },
    table: rows,
    scenarios: results,
  }
  const file = path.join(__dirname, process.env.BENCH_OUT || 'results.json')
  fs.writeFileSync(file, JSON.stringify(out, null, 2))
  console.log(`\n${path.relative(process.cwd(), file)} written; total ${out.seconds.toFixed(0)} s`)

  // Everything is closed: the process should now exit by itself. Say so if not.
  setTimeout(() => {
    console.error('bench: process still alive 10 s after the end; open handles:', process.getActiveResourcesInfo())
  }, 10_000).unref()
}

main().catch((e) => {
  console.error(e)
  process.exitCode = 1
})
