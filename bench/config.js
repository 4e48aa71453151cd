'use strict'
// The harness's knobs (environment variables) and its scenario table. See bench/run.js for the
// list of knobs; every knob is read here and nowhere else.

const path = require('node:path')
const { LIB_NAMES } = require('./libs')

const env = process.env
const num = (v, dflt) => (v === undefined || v === '' ? dflt : Number(v))
const list = (v) =>
  String(v || '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)

// Sized so that a default run (3 repetitions, bullmq + ferroq + the embedded store) takes about
// 4 minutes on a quiet 2-core machine. BENCH_SCALE (the old knob) multiplies it.
const DEFAULT_JOBS = 30_000
const JOBS = Math.max(20, Math.round(num(env.BENCH_JOBS, DEFAULT_JOBS) * num(env.BENCH_SCALE, 1)))
const REPS = Math.max(1, Math.round(num(env.BENCH_REPS ?? env.BENCH_ROUNDS, 3)))
const LONG = env.BENCH_LONG === '1' || env.BENCH_LONG === 'true'
const LONG_JOBS = Math.max(100, Math.round(num(env.BENCH_LONG_JOBS, 1_000_000)))

const part = (f, min = 20) => Math.max(min, Math.round(JOBS * f))
const warmOf = (jobs) => Math.min(500, Math.max(20, Math.round(jobs / 20)))

/**
 * kind decides the table rows: add/process (jobs/s and CPU), latency (p50/p99), outcome (a verdict),
 * long (an RSS curve). prefill: on Redis, a separate child fills the queue before the measured child
 * starts. redisOnly: not measured on the embedded store. ceilingOf: a bound on that scenario, not a
 * library figure (no ratio row; printed on its own). reps: fixed repetitions (an outcome does not
 * need a median). optional: only when named.
 */
const SCENARIOS = [
  { key: 'add-seq', title: 'awaited add() one after another', kind: 'add', fn: 'addSequential', jobs: part(0.2) },
  {
    key: 'add-wire',
    title: 'ceiling of awaited add: its own call on a bare socket',
    kind: 'add',
    fn: 'addWire',
    jobs: part(0.2),
    redisOnly: true,
    ceilingOf: 'add-seq',
  },
  { key: 'add-100', aliases: ['add-conc'], title: '100 adds in flight', kind: 'add', fn: 'addInFlight', jobs: part(1), inFlight: 100 },
  { key: 'add-1000', title: '1000 adds in flight', kind: 'add', fn: 'addInFlight', jobs: part(1), inFlight: 1000 },
  { key: 'addbulk-1000', title: 'addBulk x1000', kind: 'add', fn: 'addBulk', jobs: part(1), batch: 1000 },
  { key: 'addbulk-100', title: 'addBulk x100', kind: 'add', fn: 'addBulk', jobs: part(1), batch: 100, optional: true },
  { key: 'process-c1', title: 'process, concurrency 1', kind: 'process', fn: 'processJobs', jobs: part(0.2), concurrency: 1, prefill: true },
  { key: 'process-c10', title: 'process, concurrency 10', kind: 'process', fn: 'processJobs', jobs: part(1), concurrency: 10, prefill: true },
  { key: 'process-c100', title: 'process, concurrency 100', kind: 'process', fn: 'processJobs', jobs: part(1), concurrency: 100, prefill: true },
  {
    key: 'latency',
    title: 'add->start latency at 500 jobs/s (c=10, idle worker)',
    kind: 'latency',
    fn: 'latency',
    jobs: Math.min(2500, part(0.1, 50)),
    rate: 500,
    concurrency: 10,
  },
  {
    key: 'blocked',
    title: 'processor blocks the event loop 2.5 s, lockDuration 1 s',
    kind: 'outcome',
    fn: 'blocked',
    reps: 1,
    blockMs: 2500,
    lockDuration: 1000,
    stalledInterval: 1000,
    settleMs: 3000,
  },
  {
    key: 'rss-long',
    title: `RSS over ${LONG_JOBS.toLocaleString('en-US')} processed jobs at c=100`,
    kind: 'long',
    fn: 'rssLong',
    jobs: LONG_JOBS,
    concurrency: 100,
    reps: 1,
    optional: !LONG,
  },
]

/** The parameters a scenario function gets (its own fields minus the table's bookkeeping). */
function paramsOf(sc, queue) {
  const { key, aliases, title, kind, fn, reps, optional, prefill, redisOnly, ceilingOf, ...params } = sc
  return { ...params, queue }
}

/** The warm-up run before the window, on another queue: JIT, script loading, connections. */
function warmParamsOf(sc, queue) {
  if (sc.kind === 'outcome' || sc.kind === 'long') return null
  const jobs = sc.kind === 'latency' ? 50 : warmOf(sc.jobs)
  return { ...paramsOf(sc, queue), jobs }
}

// BENCH_SCENARIOS (or the old BENCH_ONLY): keys, aliases, or a group prefix ("process" selects
// process-c1, process-c10 and process-c100). Unset: every scenario that is not optional.
const WANTED = list(env.BENCH_SCENARIOS || env.BENCH_ONLY)

function selectScenarios() {
  const matches = (sc, w) => sc.key === w || sc.key.startsWith(`${w}-`) || (sc.aliases || []).includes(w)
  for (const w of WANTED) {
    if (!SCENARIOS.some((sc) => matches(sc, w))) {
      throw new Error(`BENCH_SCENARIOS: unknown scenario ${JSON.stringify(w)} (known: ${SCENARIOS.map((s) => s.key).join(', ')})`)
    }
  }
  if (!WANTED.length) return SCENARIOS.filter((sc) => !sc.optional)
  // A group prefix does not pull in optional members; naming one exactly does.
  return SCENARIOS.filter((sc) => WANTED.some((w) => matches(sc, w) && (!sc.optional || w === sc.key || (sc.aliases || []).includes(w))))
}

const WANTED_LIBS = list(env.BENCH_LIBS)
for (const l of WANTED_LIBS) {
  if (!LIB_NAMES.includes(l)) throw new Error(`BENCH_LIBS: unknown library ${JSON.stringify(l)} (known: ${LIB_NAMES.join(', ')})`)
}

/** BENCH_OUT: a path relative to the working directory, or absolute. Default bench/results.json. */
const OUT = env.BENCH_OUT ? path.resolve(env.BENCH_OUT) : path.join(__dirname, 'results.json')

const CPU_PROF_DIR = env.BENCH_CPU_PROF ? path.resolve(env.BENCH_CPU_PROF) : null

module.exports = {
  DEFAULT_JOBS,
  JOBS,
  REPS,
  LONG_JOBS,
  SCENARIOS,
  selectScenarios,
  paramsOf,
  warmParamsOf,
  // Explicit libraries, or null: bullmq, ferroq, and ferroq-memory when the addon supports it.
  WANTED_LIBS: WANTED_LIBS.length ? WANTED_LIBS : null,
  AGG: env.BENCH_AGG === 'best' ? 'best' : 'median',
  HOLD_MS: num(env.BENCH_HOLD_MS, 0),
  REDIS_URL: env.BENCH_REDIS_URL || null,
  OUT,
  CPU_PROF_DIR,
  NODE_ARGS: list(env.BENCH_NODE_ARGS && env.BENCH_NODE_ARGS.replace(/\s+/g, ',')),
  CHILD_TIMEOUT_MS: num(env.BENCH_CHILD_TIMEOUT_MS, 300_000),
  DETAIL: env.BENCH_DETAIL !== '0',
}
