#!/usr/bin/env node
'use strict'
// Dev-only: runs BullMQ's own test files against bullmq (the dev dependency)
// and against ferroq (this checkout), test by test, and reports how many of the
// tests that pass on bullmq also pass on ferroq. Not part of `npx jest` or CI.
//
// BullMQ's tests are not in this repository: they are extracted at run time
// from a local git mirror of BullMQ into SUITE_WORK, then run there with
// vitest (vitest.config.mjs points their `../src/...` imports at the library).
//
// Environment (all optional):
//   BULLMQ_REPO   BullMQ git dir       (/work/.mirror/taskforcesh+bullmq/repo)
//   BULLMQ_REF    tag or commit         (v6.2.0)
//   SUITE_WORK    scratch dir           (<tmp>/ferroq-bullmq-suite)
//   SUITE_FILES   comma list of test files (default: FILES below)
//   SUITE_LIBS    bullmq,ferroq
//   SUITE_TEST_TIMEOUT  ms per test/hook (10000, as BullMQ's config)
//   SUITE_FILE_TIMEOUT  s per file and library (900)
//   SUITE_OUT     results JSON          (__test__/bullmq-suite/results/results.json)
//   SUITE_RAW_CLIENT=0  ferroq's tests get no stand-in raw Redis client
//                 (see shim/get-redis-client.js; on by default)
// Each library runs in its own stream with its own private redis-server (the
// two streams run side by side; files run one at a time within a stream).
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { spawn, execFileSync } = require('node:child_process')

const HERE = __dirname
const ROOT = path.join(HERE, '..', '..')
const REPO = process.env.BULLMQ_REPO || '/work/.mirror/taskforcesh+bullmq/repo'
const REF = process.env.BULLMQ_REF || 'v6.2.0'
const WORK = path.resolve(process.env.SUITE_WORK || path.join(os.tmpdir(), 'ferroq-bullmq-suite'))
const LIBS = (process.env.SUITE_LIBS || 'bullmq,ferroq').split(',').filter(Boolean)
const TEST_TIMEOUT = Number(process.env.SUITE_TEST_TIMEOUT || 10000)
const FILE_TIMEOUT_S = Number(process.env.SUITE_FILE_TIMEOUT || 900)
const OUT = path.resolve(process.env.SUITE_OUT || path.join(HERE, 'results', 'results.json'))
const BULLMQ_DIST = path.join(path.dirname(require.resolve('bullmq/package.json', { paths: [ROOT] })), 'dist')

// BullMQ's test files about features ferroq claims.
const FILES = [
  'bulk', 'clean', 'clean.redis', 'concurrency', 'deduplication', 'delay', 'delay.redis',
  'events', 'events.redis', 'flow', 'flow.redis', 'getters', 'getters.redis', 'job', 'job.redis',
  'job_cancellation', 'job_cancellation_advanced', 'job_scheduler', 'job_scheduler.redis',
  'job_scheduler_stress', 'metrics', 'obliterate', 'obliterate.redis', 'pause', 'queue',
  'queue.redis', 'rate_limiter', 'stalled_jobs', 'telemetry_interface', 'worker', 'worker.redis',
].map((f) => `${f}.test.ts`)

// Left out, and why (printed with the report).
const SKIPPED = {
  'adapter-conformance, ioredis-client, node-redis, valkey-glide-client, bun-redis, bun-adapter-suite':
    "BullMQ's pluggable Redis client adapters (ferroq's client is in Rust)",
  'postgres/*, postgres-queue-backend': 'the PostgreSQL backend (ferroq has none)',
  'cluster, connection, connection-closed-error': "ioredis connection internals and BullMQ's cluster setup",
  'lock_manager, script_loader, scripts, async_fifo_queue': "BullMQ's internal classes and Lua loader",
  'child-pool, child_stdio_null, sandboxed_process': "BullMQ's child-process internals (fixtures load BullMQ's dist)",
}

// A private redis-server on a free loopback port, stopped by pid (the Jest harness's own).
const { startRedis } = require('../setup/redis-server.js')

function extract() {
  fs.rmSync(WORK, { recursive: true, force: true })
  fs.mkdirSync(WORK, { recursive: true })
  const tar = execFileSync('git', ['-C', REPO, 'archive', REF, 'tests'], { maxBuffer: 1 << 28 })
  execFileSync('tar', ['-x', '-C', WORK], { input: tar })
  fs.symlinkSync(path.join(HERE, 'node_modules'), path.join(WORK, 'node_modules'))
}

/** Runs one file with vitest for one library; resolves with vitest's JSON report or an error. */
function runFile(file, lib, port) {
  const out = path.join(WORK, 'reports', `${lib}-${file}.json`)
  fs.mkdirSync(path.dirname(out), { recursive: true })
  fs.rmSync(out, { force: true })
  const vitest = path.join(HERE, 'node_modules', 'vitest', 'vitest.mjs')
  const args = [vitest, 'run', '--config', path.join(HERE, 'vitest.config.mjs'), `tests/${file}`,
    '--reporter=json', `--outputFile=${out}`, '--no-file-parallelism']
  const env = { ...process.env, SUITE_WORK: WORK, SUITE_LIB: lib, SUITE_BULLMQ_DIST: BULLMQ_DIST,
    SUITE_TEST_TIMEOUT: String(TEST_TIMEOUT), REDIS_HOST: '127.0.0.1', REDIS_PORT: String(port) }
  delete env.REDIS_URL
  return new Promise((resolve) => {
    const started = Date.now()
    const child = spawn(process.execPath, args, { cwd: WORK, env, detached: true, stdio: ['ignore', 'ignore', 'pipe'] })
    let stderr = ''
    child.stderr.on('data', (d) => { stderr = (stderr + d).slice(-4000) })
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      try { process.kill(-child.pid, 'SIGKILL') } catch {}
    }, FILE_TIMEOUT_S * 1000)
    child.on('exit', () => {
      clearTimeout(timer)
      const seconds = Math.round((Date.now() - started) / 1000)
      let report = null
      try { report = JSON.parse(fs.readFileSync(out, 'utf8')) } catch {}
      resolve({ report, timedOut, seconds, stderr: report ? '' : stderr })
    })
  })
}

function firstLine(msgs) {
  const m = (msgs || []).join('\n').replace(/\x1b\[[0-9;]*m/g, '')
  return m.split('\n').find((l) => l.trim()) || ''
}

/** `{ fullName: { status, error } }` from a vitest JSON report. */
function testsOf(run) {
  const tests = {}
  for (const tr of (run.report && run.report.testResults) || []) {
    for (const a of tr.assertionResults || []) {
      tests[a.fullName] = { status: a.status, error: a.status === 'failed' ? firstLine(a.failureMessages).slice(0, 300) : undefined }
    }
  }
  return tests
}

async function stream(lib, files, results) {
  const redis = await startRedis()
  try {
    for (const file of files) {
      const run = await runFile(file, lib, redis.port)
      const tests = testsOf(run)
      const passed = Object.values(tests).filter((t) => t.status === 'passed').length
      const note = run.timedOut ? ' (file timed out)' : run.report ? '' : ' (no report)'
      console.log(`[${lib}] ${file}: ${passed}/${Object.keys(tests).length} passed in ${run.seconds} s${note}`)
      results[file] = results[file] || {}
      const loadError = ((run.report && run.report.testResults) || []).map((t) => t.message).filter(Boolean).join('\n')
      const fileError = run.report ? loadError.slice(0, 1500) || undefined : run.stderr.slice(-1500)
      if (fileError && !passed) console.log(`[${lib}] ${file}: ${firstLine([fileError])}`)
      results[file][lib] = { seconds: run.seconds, timedOut: run.timedOut, fileError, tests }
    }
  } finally {
    await redis.stop()
  }
}

function summarise(results) {
  const perFile = {}
  const total = { bullmqPassed: 0, ferroqPassedOfThose: 0, tests: 0 }
  for (const [file, r] of Object.entries(results)) {
    const b = (r.bullmq && r.bullmq.tests) || {}
    const f = (r.ferroq && r.ferroq.tests) || {}
    const names = Object.keys(b).filter((n) => b[n].status === 'passed')
    const both = names.filter((n) => f[n] && f[n].status === 'passed')
    perFile[file] = { tests: Object.keys(b).length, bullmqPassed: names.length, ferroqPassedOfThose: both.length,
      ferroqFailing: names.filter((n) => !(f[n] && f[n].status === 'passed')) }
    total.tests += Object.keys(b).length
    total.bullmqPassed += names.length
    total.ferroqPassedOfThose += both.length
  }
  return { total, perFile }
}

async function main() {
  const files = process.env.SUITE_FILES ? process.env.SUITE_FILES.split(',').map((f) => (f.endsWith('.ts') ? f : `${f}.test.ts`)) : FILES
  extract()
  console.log(`BullMQ tests ${REF} from ${REPO} in ${WORK}; libraries: ${LIBS.join(', ')}; bullmq dist ${BULLMQ_DIST}`)
  const results = {}
  await Promise.all(LIBS.map((lib) => stream(lib, files, results)))
  const summary = summarise(results)
  fs.mkdirSync(path.dirname(OUT), { recursive: true })
  fs.writeFileSync(OUT, JSON.stringify({ ref: REF, ranAt: new Date().toISOString(), skipped: SKIPPED, summary, results }, null, 1))
  console.log('\nfile                              tests  pass(bullmq)  pass(ferroq of those)')
  for (const [file, s] of Object.entries(summary.perFile)) {
    console.log(`${file.padEnd(34)}${String(s.tests).padStart(5)}${String(s.bullmqPassed).padStart(14)}${String(s.ferroqPassedOfThose).padStart(23)}`)
  }
  const t = summary.total
  const pct = t.bullmqPassed ? Math.round((100 * t.ferroqPassedOfThose) / t.bullmqPassed) : 0
  console.log(`\nOf ${t.bullmqPassed} tests passing on bullmq (${t.tests} run), ${t.ferroqPassedOfThose} pass on ferroq (${pct}%).`)
  console.log(`Results: ${OUT}`)
  console.log('Files left out:')
  for (const [f, why] of Object.entries(SKIPPED)) console.log(`  ${f}: ${why}`)
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
