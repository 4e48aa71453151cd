'use strict'
// ferroq vs bullmq 6.7.0 (and ferroq's embedded store), so that the ratios mean what users see.
//
// Each measurement runs in a fresh child process (bench/child.js) that loads ONE library, against
// one private redis-server (started here on a free loopback port, stopped by pid) that is
// FLUSHALLed before every measurement. Libraries alternate (A B C, C B A, ...). Every scenario adds
// the same job data `{ i }`; workers run the same trivial processor with no event listeners (only
// 'error'); process scenarios are prefilled by another child and time the processing only. CPU
// comes from the OS: process.cpuUsage() in the child (every thread of the Node process) and
// Redis's INFO (used_cpu_sys + used_cpu_user); commands and bytes from INFO deltas minus the
// harness's own INFO traffic. Figures are medians over the repetitions. Nothing is asserted.
//
//   npm run bench                            default: every scenario, 3 repetitions (about 4 min, quiet machine)
//   BENCH_JOBS=2000 BENCH_REPS=1 npm run bench   a quick look (BENCH_SCALE=0.1 multiplies BENCH_JOBS, as before)
//   BENCH_SCENARIOS=add-seq,process          these scenarios only (a prefix selects a group; BENCH_ONLY still works)
//                                            add-seq add-wire add-100 add-1000 addbulk-1000 process-c1 process-c10
//                                            process-c100 latency blocked; optional: addbulk-100, rss-long
//   BENCH_REPS=5                             repetitions (BENCH_ROUNDS still works); BENCH_AGG=best: best-of
//   BENCH_LIBS=ferroq                        libraries: bullmq, ferroq, ferroq-memory (default: all three,
//                                            the embedded store when the built addon supports memory://)
//   BENCH_LONG=1                             adds rss-long: RSS curve over BENCH_LONG_JOBS (1,000,000) jobs at c=100
//   BENCH_OUT=/tmp/r.json                    result file (relative to the working directory, or absolute;
//                                            default bench/results.json)
//   BENCH_FERROQ=/path/to/checkout           load ferroq from another checkout (another build)
//   BENCH_HOLD_MS=5000                       each child prints its pid and waits before its window (attach perf)
//   BENCH_CPU_PROF=/tmp/prof                 each measured child writes <scenario>-<lib>-<rep>.cpuprofile
//                                            there; then: node bench/prof-top.js FILE bench/results.json [scenario [lib]]
//   BENCH_NODE_ARGS="--max-semi-space-size=32"  extra node flags for the measured children
//   BENCH_REDIS_URL=redis://127.0.0.1:6390   use that server instead of a private one (it is FLUSHALLed!)
//   BENCH_DETAIL=0                           leave out the commandstats / per-thread detail

const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const cfg = require('./config')
const { usesRedis } = require('./libs')
const { RespClient, parseInfo } = require('./resp')
const { runChild, cleanup } = require('./children')
const report = require('./report')
const detail = require('./detail')
const { startRedis } = require('../__test__/setup/redis-server.js')

const loadavg = () => os.loadavg().map((x) => x.toFixed(2)).join(' ')

/** Which libraries run: BENCH_LIBS, else bullmq, ferroq and (if the addon has it) the embedded store. */
async function chooseLibs(redis) {
  const wanted = cfg.WANTED_LIBS || ['bullmq', 'ferroq', 'ferroq-memory']
  const notes = []
  let ferroqVersion = null
  if (wanted.some((l) => l.startsWith('ferroq'))) {
    const p = await runChild({ mode: 'probe', lib: 'ferroq-memory', redis, label: 'probe' }, { timeoutMs: 60_000 })
    ferroqVersion = p.version || null
    if (wanted.includes('ferroq-memory') && !p.ok) {
      notes.push(`ferroq-memory left out: this build does not run memory:// (${p.reason || (p.errors || []).join('; ')})`)
      return { libs: wanted.filter((l) => l !== 'ferroq-memory'), ferroqVersion, notes }
    }
  }
  return { libs: wanted, ferroqVersion, notes }
}

/** One measurement of one library: flush, prefill (or start the feeder), then the measured child. */
async function measureOnce(sc, lib, rep, ctx) {
  await ctx.admin.command('FLUSHALL', 'SYNC')
  const queue = `bench-${sc.key}`
  const params = cfg.paramsOf(sc, queue)
  const warm = cfg.warmParamsOf(sc, `${queue}-warm`)
  const label = `${sc.key} ${lib} #${rep + 1}`
  const base = { lib, redis: ctx.redis, label }
  const timeoutMs = sc.kind === 'long' ? 4 * 3_600_000 : cfg.CHILD_TIMEOUT_MS
  if (sc.prefill && usesRedis(lib)) {
    const fill = [[queue, params.jobs]]
    if (warm) fill.push([warm.queue, warm.jobs])
    const r = await runChild({ ...base, mode: 'prefill', params: { fill }, label: `${label} prefill` }, { timeoutMs })
    if (r.errors) return r
    params.prefilled = true
    if (warm) warm.prefilled = true
  }
  let feeder = null
  if (sc.kind === 'long' && usesRedis(lib)) {
    params.fedElsewhere = true
    feeder = runChild({ ...base, mode: 'feed', params: { jobs: params.jobs, queue }, label: `${label} feeder` }, { timeoutMs })
  }
  const nodeArgs = [...cfg.NODE_ARGS]
  if (cfg.CPU_PROF_DIR) {
    nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${cfg.CPU_PROF_DIR}`, `--cpu-prof-name=${sc.key}-${lib}-${rep + 1}.cpuprofile`)
  }
  const spec = { ...base, mode: 'measure', fn: sc.fn, params, warm, holdMs: cfg.HOLD_MS }
  const m = await runChild(spec, { nodeArgs, timeoutMs })
  if (feeder) {
    const f = await feeder
    if (f.errors) m.errors = [...(m.errors || []), ...f.errors]
  }
  m.rep = rep + 1
  return m
}

function brief(sc, m) {
  const f = report.fmt
  if (sc.kind === 'outcome') return m.verdict || ''
  if (sc.kind === 'latency') return `p50 ${f(m.p50)} ms, p99 ${f(m.p99)} ms, node ${f(m.nodeUsPerJob)} µs/job`
  const redis = m.redisUsPerJob == null ? '' : `, redis ${f(m.redisUsPerJob)} µs/job, ${f(m.redisCmdsPerJob)} cmds/job`
  return `${f(m.jobsPerSec)} jobs/s, node ${f(m.nodeUsPerJob)} µs/job${redis}, peak RSS ${f(m.peakRssMB)} MB`
}

async function main() {
  const t0 = Date.now()
  const scenarios = cfg.selectScenarios()
  const loadAvgStart = loadavg()
  let server = null
  let redis
  if (cfg.REDIS_URL) {
    const u = new URL(cfg.REDIS_URL)
    redis = { url: cfg.REDIS_URL, host: u.hostname, port: Number(u.port || 6379), pid: null }
  } else {
    server = await startRedis()
    redis = { url: server.url, host: '127.0.0.1', port: server.port, pid: server.pid }
  }
  const admin = await RespClient.connect(redis.port, redis.host)
  const results = {}
  let env
  try {
    const serverInfo = parseInfo(await admin.text('INFO', 'server'))
    const { libs, ferroqVersion, notes } = await chooseLibs(redis)
    env = {
      node: process.version,
      redis: serverInfo.redis_version,
      cpus: os.cpus().length,
      ferroq: ferroqVersion,
      ferroqPath: process.env.BENCH_FERROQ || null,
      bullmq: require('bullmq/package.json').version,
      libs,
      reps: cfg.REPS,
      jobs: cfg.JOBS,
      aggregate: cfg.AGG === 'best' ? 'best of repetitions, per figure' : 'median of repetitions',
      loadAvgStart,
      notes,
    }
    console.log(
      `ferroq ${ferroqVersion} vs bullmq ${env.bullmq} | node ${env.node} | redis ${env.redis} on ${redis.url}` +
        `${server ? ` (private, pid ${server.pid})` : ''} | ${env.cpus} cpus | libs ${libs.join(', ')} | ` +
        `${cfg.REPS} reps, ${cfg.AGG} | BENCH_JOBS ${cfg.JOBS} | load avg ${loadAvgStart}`,
    )
    for (const n of notes) console.log(`note: ${n}`)
    const ctx = { admin, redis }
    for (const sc of scenarios) {
      results[sc.key] = Object.fromEntries(libs.map((l) => [l, []]))
      const ts = Date.now()
      const reps = sc.reps || cfg.REPS
      for (let r = 0; r < reps; r++) {
        // Alternate the order (A B C, C B A, ...): neither library always runs on a warmer machine.
        const mine = sc.redisOnly ? libs.filter(usesRedis) : libs
        const order = r % 2 ? [...mine].reverse() : mine
        for (const lib of order) {
          const m = await measureOnce(sc, lib, r, ctx)
          results[sc.key][lib].push(m)
          const errs = m.errors && m.errors.length ? `  [errors: ${m.errors.join('; ')}]` : ''
          console.log(`${`${sc.key} (${sc.jobs ? `${sc.jobs} jobs` : 'once'})`.padEnd(26)} #${r + 1} ${lib.padEnd(14)} ${brief(sc, m)}${errs}`)
        }
      }
      console.log(`  (${((Date.now() - ts) / 1000).toFixed(1)} s, load avg ${loadavg()})`)
    }
    env.libs = libs
  } finally {
    admin.close()
    if (server) await server.stop()
    cleanup()
  }

  const summary = report.summarise(scenarios, results, env.libs, cfg.AGG)
  report.printRatios(scenarios, summary, env.libs)
  report.printCeilings(scenarios, summary, env.libs)
  report.printAbsolute(scenarios, summary, env.libs)
  report.printOutcomes(scenarios, results, env.libs)
  report.printLong(scenarios, results, env.libs)
  if (cfg.DETAIL) {
    detail.printCommandStats(scenarios, results, env.libs)
    detail.printThreads(scenarios, results, env.libs)
  }

  env.loadAvgEnd = loadavg()
  const ratios = Object.fromEntries(
    env.libs.filter((l) => l !== report.BASE && env.libs.includes(report.BASE)).map((l) => [l, report.ratioRows(scenarios, summary, l)]),
  )
  const out = {
    date: new Date().toISOString(),
    seconds: (Date.now() - t0) / 1000,
    env,
    scenarioList: scenarios.map(({ key, title, kind, jobs }) => ({ key, title, kind, jobs })),
    ratios,
    summary,
    scenarios: results,
  }
  fs.mkdirSync(path.dirname(cfg.OUT), { recursive: true })
  fs.writeFileSync(cfg.OUT, JSON.stringify(out, null, 2))
  console.log(`\n${cfg.OUT} written; total ${out.seconds.toFixed(0)} s, load avg ${env.loadAvgEnd}`)
}

main().catch((e) => {
  console.error(e)
  process.exitCode = 1
})
